/**
 * A draft model's context is reserved for n_parallel outputs, not a ubatch of them
 * (common/speculative.cpp `common_base_params_to_speculative` sets n_outputs_max = n_parallel at
 * llama.cpp de3ff81; docs/memory-model.md#draft-outputs): its compute buffer holds that many logits
 * rows. Checked against llama-server's own lines (tests/fixtures/draft/outputs.json: the
 * Qwen3-0.6B geometry as target and draft, CPU): `n_outputs_max = n_parallel` and the CPU compute
 * buffer, which the engine estimated at ten times its size with a ubatch of logits rows and now
 * gives within 0.5 %.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { modelOf } from "../../fixtures/placement/models.ts";
import { loggedSettings } from "../../fixtures/server/server-runs.ts";
import { computeBreakdown } from "../../../src/lib/engine/index.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";

interface Run {
  id: string;
  command: string;
  log: string[];
}
const doc = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/draft/outputs.json"), "utf8")) as {
  llama_cpp: { commit: string };
  runs: Run[];
};
const MiB = 2 ** 20;

/** The draft context's lines: those after "loading draft model". */
function draftContext(r: Run) {
  const l = loggedSettings({ log: r.log.slice(r.log.findIndex((line) => /loading draft model/.test(line))) });
  return { ...l, computeMiB: l.compute("CPU") };
}

test("recorded from llama-server at de3ff81, with -md", () => {
  assert.match(doc.llama_cpp.commit, /^de3ff81/);
  assert.ok(doc.runs.length >= 2 && doc.runs.every((r) => / -md /.test(r.command)));
});

for (const run of doc.runs) {
  test(`${run.id}: the draft is reserved for n_parallel outputs; the compute estimate follows (was ×10)`, async () => {
    const d = draftContext(run);
    assert.equal(d.outputs, d.nSeq);
    const { arch, tensors } = await modelOf("qwen3-0.6b-geometry");
    const base = { n_ctx: d.nCtx, n_seq: d.nSeq, kv_unified: d.unified, backend: "cpu" as const };
    const at = (extra: object) =>
      computeBreakdown(arch, RuntimeConfigSchema.parse({ ...base, ...extra }), { tensors, tensors_ftype: "F16" })
        .compute.bytes / MiB;
    const withRule = at({ n_outputs_max: d.outputs });
    const ubatchRows = at({});
    // the FFN peak binds (docs/memory-model.md#compute-cpu-few-outputs; −27 % before that rule),
    // where a ubatch of logits rows gave +900 %
    assert.ok(Math.abs(withRule - d.computeMiB) / d.computeMiB < 0.005, `${withRule.toFixed(2)} vs ${d.computeMiB}`);
    assert.ok(ubatchRows > 5 * d.computeMiB, `${ubatchRows.toFixed(2)}`);
  });
}
