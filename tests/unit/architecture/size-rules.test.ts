/**
 * The size rule (BRIEF, issue 14): every source file under src/, scripts/ and tests/ has at most
 * 400 lines and every function at most 80, measured with the TypeScript parser
 * (tests/helpers/size-rules.ts). Small modules with one job are what a newcomer can change.
 *
 * KNOWN_OFFENDERS lists today's offenders and may only shrink: the test fails for an offender that
 * is not listed AND for a listed entry that now obeys the rule, so whoever splits a file or a
 * function deletes its line here in the same commit. Keys: `path` for a long file,
 * `path › function` for a long function (the name the failure message prints; nested functions as
 * `outer › inner`, test callbacks as `test(title)`).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import {
  MAX_FILE_LINES,
  MAX_FUNCTION_LINES,
  functionSizes,
  offencesOf,
  trackedSourceFiles,
  type SizeOffence,
} from "../../helpers/size-rules.ts";

const ROOTS = ["src", "scripts", "tests"];

/**
 * Files the rule does not apply to, each with its reason: tables of data (rows, not logic) and
 * fixture data. Fixture recordings and snapshots are JSON/SVG/text, which the rule does not read.
 */
export const EXCEPTIONS: Readonly<Record<string, string>> = {
  "src/schemas/ggml-type.ts": "data table: ggml.h's type rows (id, block size, bytes per block), one row per type",
  "src/lib/engine/ftypes.ts": "data table: llama.h's llama_ftype rows, mirrored row for row from data/quants",
  "tests/fixtures/placement/cases.ts": "fixture data: the recorded RPC placement cases, one row per case",
};

/** Offenders on the day the rule landed; delete a line when you split its file or function. */
export const KNOWN_OFFENDERS: Readonly<Record<string, string>> = {};

/** Offences not listed, and listed entries that no longer offend (stale). */
export function judge(
  offences: readonly SizeOffence[],
  known: Readonly<Record<string, string>>,
): { unlisted: SizeOffence[]; stale: string[] } {
  const found = new Set(offences.map((o) => o.key));
  return {
    unlisted: offences.filter((o) => !(o.key in known)),
    stale: Object.keys(known).filter((k) => !found.has(k)),
  };
}

function repoOffences(): SizeOffence[] {
  return trackedSourceFiles(REPO_ROOT, ROOTS)
    .filter((f) => !(f in EXCEPTIONS))
    .flatMap((f) => offencesOf(f, readFileSync(path.join(REPO_ROOT, f), "utf8")));
}

describe("size rule: files ≤ 400 lines, functions ≤ 80 lines", () => {
  const offences = repoOffences();
  const { unlisted, stale } = judge(offences, KNOWN_OFFENDERS);

  test("no offender outside KNOWN_OFFENDERS", () => {
    assert.deepEqual(
      unlisted.map((o) => o.message),
      [],
      "split these (or, for a table of data, add it to EXCEPTIONS with the reason)",
    );
  });

  test("every KNOWN_OFFENDERS entry still offends (the list only shrinks)", () => {
    assert.deepEqual(stale, [], "these now obey the rule: delete their lines from KNOWN_OFFENDERS");
  });

  test("every exception is a tracked source file", () => {
    const files = new Set(trackedSourceFiles(REPO_ROOT, ROOTS));
    for (const f of Object.keys(EXCEPTIONS)) assert.ok(files.has(f) && existsSync(path.join(REPO_ROOT, f)), f);
  });
});

describe("size rule self-test: it sees what is too long", () => {
  const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join("\n");
  /** A function of exactly `lines` lines in each syntax the rule measures. */
  const shapes = (lines: number): Record<string, string> => ({
    declaration: `export function f(): void {\n${body(lines - 2)}\n}\n`,
    arrow: `export const g = (): void => {\n${body(lines - 2)}\n};\n`,
    expression: `export const h = function (): void {\n${body(lines - 2)}\n};\n`,
    method: `export class C {\n  m(): void {\n${body(lines - 2)}\n  }\n}\n`,
    callback: `test("a long test", () => {\n${body(lines - 2)}\n});\n`,
  });

  test("a function of 81 lines offends in every syntax; 80 lines does not", () => {
    for (const [kind, text] of Object.entries(shapes(MAX_FUNCTION_LINES + 1))) {
      const o = offencesOf(`src/x-${kind}.ts`, text);
      assert.equal(o.length, 1, kind);
      assert.match(o[0].message, /81 lines \(limit 80\)/, kind);
    }
    for (const [kind, text] of Object.entries(shapes(MAX_FUNCTION_LINES)))
      assert.deepEqual(offencesOf(`src/x-${kind}.ts`, text), [], kind);
  });

  test("names: declaration, variable, Class.method, test title, nested", () => {
    const names = functionSizes(
      "src/x.ts",
      `function a() {\n  const b = () => 1;\n}\nclass K { m() {} }\ntest("t", () => {});\n`,
    ).map((f) => f.name);
    assert.deepEqual(names, ["a", "a › b", "K.m", "test(t)"]);
  });

  test("a file of 401 lines offends; 400 does not", () => {
    const file = (n: number): string => Array.from({ length: n }, (_, i) => `export const c${i} = ${i};\n`).join("");
    assert.deepEqual(
      offencesOf("src/long.ts", file(MAX_FILE_LINES + 1)).map((o) => o.key),
      ["src/long.ts"],
    );
    assert.deepEqual(offencesOf("src/long.ts", file(MAX_FILE_LINES)), []);
  });

  test("Astro: a long frontmatter and a long function in a <script> offend", () => {
    const fm = `---\n${body(MAX_FUNCTION_LINES + 1)}\n---\n<p>hi</p>\n`;
    assert.deepEqual(
      offencesOf("src/x.astro", fm).map((o) => o.key),
      ["src/x.astro › (frontmatter)"],
    );
    const script = `---\nconst a = 1;\n---\n<script>\nfunction s() {\n${body(MAX_FUNCTION_LINES)}\n}\n</script>\n`;
    assert.deepEqual(
      offencesOf("src/y.astro", script).map((o) => o.key),
      ["src/y.astro › s"],
    );
  });

  test("judge: an unlisted offender fails, and so does a listed entry that now obeys", () => {
    const offences = offencesOf("src/long.ts", `function f() {\n${body(MAX_FUNCTION_LINES)}\n}\n`);
    assert.deepEqual(
      judge(offences, {}).unlisted.map((o) => o.key),
      ["src/long.ts › f"],
    );
    assert.deepEqual(judge(offences, { "src/long.ts › f": "to split" }), { unlisted: [], stale: [] });
    assert.deepEqual(judge([], { "src/long.ts › f": "to split" }).stale, ["src/long.ts › f"]);
  });
});
