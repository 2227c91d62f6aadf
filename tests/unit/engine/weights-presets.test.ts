/**
 * Every catalog preset gets exact (tensor-table) weights for Q4_K_M from the calculator CLI:
 * `npm run calc -- --model <preset> --weights Q4_K_M --json` reports `weights.estimate: false`
 * and `weights.source: "builder"`. A preset the engine cannot size at all must fail for a reason
 * other than its weights.
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

test(`calc --weights Q4_K_M: exact builder weights for every sizable preset (${PRESETS.length} presets)`, async () => {
  let sized = 0;
  for (const id of PRESETS) {
    const r = await calc("--model", id, "--weights", "Q4_K_M", "--json");
    if (r.code !== 0) {
      assert.doesNotMatch(r.err, /weights|tensor/i, `${id}: refused because of its weights: ${r.err}`);
      continue;
    }
    const b = JSON.parse(r.out) as { weights: { estimate: boolean; source: string; bytes: number } };
    assert.equal(b.weights.estimate, false, `${id}: weights.estimate`);
    assert.equal(b.weights.source, "builder", `${id}: weights.source`);
    assert.ok(b.weights.bytes > 0, `${id}: weights.bytes`);
    sized++;
  }
  assert.ok(sized >= PRESETS.length - 7, `only ${sized} of ${PRESETS.length} presets sized`);
});
