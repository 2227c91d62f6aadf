/**
 * docs/memory-model.md#url-parameters says where the calculator's URL short names map to the
 * engine's names. The table must list every parameter of CODECS (src/lib/calculator/state.ts)
 * with its state field, and every engine field it names must be the RuntimeConfig field that
 * configFor (src/lib/calculator/view/config.ts) fills from that state field.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { CODECS, DEFAULT_STATE, KEYS, type CalcState } from "../../../src/lib/calculator/state.ts";
import { configFor } from "../../../src/lib/calculator/view/config.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";

interface Row {
  param: string;
  state: string;
  engine: string;
}

/** The rows of the table under the url-parameters anchor. */
function docRows(): Row[] {
  const text = readFileSync(path.join(REPO_ROOT, "docs/memory-model.md"), "utf8");
  const section = text.slice(text.indexOf('<a id="url-parameters"></a>'));
  const rows: Row[] = [];
  for (const line of section.split("\n").slice(1)) {
    if (/^<a id=|^## /.test(line) && rows.length) break;
    const cells = /^\| `([^`]+)`\s*\| `([^`]+)`\s*\| ([^|]+)\|/.exec(line);
    if (cells) rows.push({ param: cells[1], state: cells[2], engine: cells[3].trim() });
  }
  return rows;
}

/** A value of each state field other than the default's, to see which engine field moves. */
const OTHER: Partial<Record<keyof CalcState, unknown>> = {
  engine: "llama.cpp",
  revision: "2025-11-07",
  backend: "cuda",
  ftype: "Q8_0",
  vision: true,
  typeK: "f16",
  typeV: "q4_0",
  nSeq: 2,
  unified: false,
  flashAttn: "off",
  nUbatch: 256,
  swaFull: true,
  nGpuLayers: 10,
  ctx: 4096,
};

const configOf = (s: CalcState) => configFor(s, s.typeK as never, s.typeV as never, s.ctx, false, s.vision);

test("the table lists every URL parameter once, with the state field CODECS gives it", () => {
  const rows = docRows();
  assert.deepEqual(
    rows.map((r) => r.param).sort(),
    KEYS.map((k) => CODECS[k].param).sort(),
    "docs/memory-model.md#url-parameters: one row per parameter of CODECS",
  );
  for (const r of rows) assert.equal(CODECS[r.state as keyof CalcState]?.param, r.param, `row ${r.param}`);
});

test("each engine field the table names is the RuntimeConfig field configFor fills from that state field", () => {
  const engineRows = docRows().filter((r) => /^`[a-z_]+(\.[a-z_]+)?`$/.test(r.engine));
  assert.ok(engineRows.length >= 12, `${engineRows.length} engine rows`);
  const base = configOf(DEFAULT_STATE) as Record<string, unknown>;
  for (const r of engineRows) {
    const field = r.engine.slice(1, -1);
    const [top, sub] = field.split(".");
    assert.ok(top in RuntimeConfigSchema.shape, `${field} is a RuntimeConfig field`);
    const key = r.state as keyof CalcState;
    assert.ok(key in OTHER, `a changed value for ${key}`);
    const changed = configOf({ ...DEFAULT_STATE, [key]: OTHER[key] } as CalcState) as Record<string, unknown>;
    const at = (c: Record<string, unknown>) => (sub ? (c[top] as Record<string, unknown>)[sub] : c[top]);
    assert.notDeepEqual(at(changed), at(base), `${r.param} → ${field}`);
    assert.deepEqual(at(changed), OTHER[key], `${r.param} → ${field} carries the state's value`);
  }
});
