/**
 * Every catalog preset gets exact (tensor-table) weights for Q4_K_M from the calculator CLI:
 * `npm run calc -- --model <preset> --weights Q4_K_M --json` reports `weights.estimate: false`
 * and `weights.source: "builder"`, for all of them (no preset is refused, none falls back to the
 * parameters × bits-per-weight estimate).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../../scripts/calc.ts";
import { REPO_ROOT } from "../../helpers/engine.ts";

const PRESETS = readdirSync(join(REPO_ROOT, "data/models"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -5))
  .sort();

/** Run the CLI in-process, capturing what it prints. */
async function calc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await main(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test(`calc --weights Q4_K_M: exact builder weights for every preset (${PRESETS.length} presets)`, async () => {
  let sized = 0;
  for (const id of PRESETS) {
    const r = await calc("--model", id, "--weights", "Q4_K_M", "--json");
    assert.equal(r.code, 0, `${id}: refused: ${r.err}`);
    const b = JSON.parse(r.out) as { weights: { estimate: boolean; source: string; bytes: number } };
    assert.equal(b.weights.estimate, false, `${id}: weights.estimate`);
    assert.equal(b.weights.source, "builder", `${id}: weights.source`);
    assert.ok(b.weights.bytes > 0, `${id}: weights.bytes`);
    sized++;
  }
  assert.equal(sized, PRESETS.length);
  assert.equal(PRESETS.length, 83);
});
