/**
 * Every citation of the memory model by anchor — `docs/memory-model.md#x` in code comments and data,
 * `/docs/memory-model/#x` in pages and reports — must land on an `<a id="x">` of docs/memory-model.md:
 * the page is published with those anchors, so a missing one is a dead link on the site. And every
 * engine function the document names "in `src/….ts`" must be in that file, so a rename or a move
 * shows up here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";

const DOC = "docs/memory-model.md";
/** `memory-model.md#x`, `memory-model/#x` or `memory-model#x`, however the path before it is spelled. */
const CITATION = /memory-model(?:\.md|\/)?#([A-Za-z0-9_-]*)/g;
const ANCHOR = /<a id="([^"]+)"><\/a>/g;
/** This file spells out citations to test the checker; it cites nothing. */
const SELF = "tests/unit/site/doc-anchors.test.ts";

/** Tracked text files plus new ones not yet committed (binary files and LFS data are skipped). */
function repoFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split("\0").filter((f) => f !== SELF && /\.(ts|tsx|mts|js|mjs|astro|md|mdx|json|yml|yaml|css)$/.test(f));
}

function docAnchors(): Set<string> {
  const text = readFileSync(path.join(REPO_ROOT, DOC), "utf8");
  return new Set([...text.matchAll(ANCHOR)].map((m) => m[1] as string));
}

interface Citation {
  readonly where: string;
  readonly anchor: string;
}

function citations(files: readonly string[]): Citation[] {
  const found: Citation[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(path.join(REPO_ROOT, file), "utf8");
    } catch {
      continue; // listed by git but deleted in the work tree
    }
    if (!text.includes("memory-model")) continue;
    text.split("\n").forEach((line, i) => {
      for (const m of line.matchAll(CITATION)) {
        const anchor = m[1] as string;
        // `#<anchor>` in prose that explains the convention is not a citation.
        if (anchor !== "") found.push({ where: `${file}:${i + 1}`, anchor });
      }
    });
  }
  return found;
}

test("the memory model's anchors are unique", () => {
  const text = readFileSync(path.join(REPO_ROOT, DOC), "utf8");
  const ids = [...text.matchAll(ANCHOR)].map((m) => m[1] as string);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.deepEqual(dupes, [], `anchors defined twice in ${DOC}`);
});

test("every cited docs/memory-model.md anchor exists", () => {
  const anchors = docAnchors();
  const cited = citations(repoFiles());
  // The code cites the document widely; an empty list means the scan itself broke.
  assert.ok(cited.length > 50, `only ${cited.length} citations found`);
  const missing = cited.filter((c) => !anchors.has(c.anchor)).map((c) => `${c.where}: #${c.anchor}`);
  assert.deepEqual(missing, [], `anchors cited but not in ${DOC}`);
});

test("the checker finds a dead anchor", () => {
  const anchors = docAnchors();
  assert.ok(anchors.has("kv-bytes"));
  assert.ok(!anchors.has("no-such-section"));
  const line = "see docs/memory-model.md#no-such-section and /docs/memory-model/#kv-bytes";
  const got = [...line.matchAll(CITATION)].map((m) => m[1]);
  assert.deepEqual(got, ["no-such-section", "kv-bytes"]);
});

/** "`name` in `src/….ts`", "`a`, `b` and `c` in `src/….ts`": the engine functions the document names. */
const NAMED_IN = /((?:`[A-Za-z_][A-Za-z0-9_]*`(?: \([^)]*\))?(?:, | and | or |\/| )*)+) in `(src\/[^`]+\.ts)`/g;

test("every engine function the memory model names is in the file it names", () => {
  const text = readFileSync(path.join(REPO_ROOT, DOC), "utf8").replace(/\s+/g, " ");
  const pairs = [...text.matchAll(NAMED_IN)].flatMap((m) =>
    [...(m[1] as string).matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((n) => ({
      name: n[1] as string,
      file: m[2] as string,
    })),
  );
  assert.ok(pairs.length > 30, `only ${pairs.length} named functions found`);
  const wrong = pairs
    .filter(({ name, file }) => {
      const p = path.join(REPO_ROOT, file);
      return !existsSync(p) || !readFileSync(p, "utf8").includes(name);
    })
    .map(({ name, file }) => `${name} in ${file}`);
  assert.deepEqual(wrong, [], `${DOC} names functions its files do not hold`);
});
