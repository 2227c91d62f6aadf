/**
 * llama-server reserves its context for n_parallel × (1 + n_max) outputs, not a micro-batch
 * (tools/server/server-context.cpp `server_output_limits` at llama.cpp de3ff81;
 * docs/memory-model.md#server-outputs). Checked against llama-server's and llama-completion's own
 * lines (tests/fixtures/server/outputs.json: Qwen3-0.6B, Gemma-3-1B (262 144 tokens) and a reduced
 * gpt-oss MoE, zero weights, CPU): the logged `n_outputs_max` is the rule's, and the engine's CPU
 * compute estimate with it lands within 0.5 % (docs/memory-model.md#compute-cpu-few-outputs) where
 * a micro-batch of logits rows gave up to ten times the buffer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loggedSettings, readServerFixture, type ServerRun } from "../../fixtures/server/server-runs.ts";
import { modelOf } from "../../fixtures/placement/models.ts";
import { computeBreakdown, serverOutputsMax } from "../../../src/lib/engine/index.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";

const doc = readServerFixture<{ llama_cpp: { commit: string } }>("outputs.json");
const MiB = 2 ** 20;
const CURRENT = { name: "llama.cpp", revision: "current" } as const;

function lines(r: ServerRun) {
  const l = loggedSettings(r);
  return { ...l, computeMiB: l.compute("CPU") };
}

/** The engine's CPU compute estimate (MiB) at a run's settings, with or without an outputs limit. */
async function engineMiB(r: ServerRun, outputs?: number): Promise<number> {
  const l = lines(r);
  const { arch, tensors } = await modelOf(r.model);
  const config = RuntimeConfigSchema.parse({
    n_ctx: l.nCtx,
    n_seq: l.nSeq,
    n_ubatch: l.nUbatch,
    n_batch: l.nBatch,
    kv_unified: l.unified,
    flash_attn: "on",
    backend: "cpu",
    ...(outputs === undefined ? {} : { n_outputs_max: outputs }),
  });
  return computeBreakdown(arch, config, { tensors, tensors_ftype: "F16" }).compute.bytes / MiB;
}

const server = doc.runs.filter((r) => r.tool === "llama-server");
const completion = doc.runs.filter((r) => r.tool === "llama-completion");

test("recorded at de3ff81: three geometries, -np 1 and 4, two micro-batches, and llama-completion", () => {
  assert.match(doc.llama_cpp.commit, /^de3ff81/);
  assert.equal(new Set(server.map((r) => r.model)).size, 3);
  assert.deepEqual([...new Set(server.map((r) => lines(r).nSeq))].sort(), [1, 4]);
  assert.deepEqual([...new Set(server.map((r) => lines(r).nUbatch))].sort(), [256, 512]);
  assert.equal(completion.length, 3);
});

test("llama-server's n_outputs_max is min(n_batch, n_parallel × (1 + n_max)), -kvu or not", () => {
  for (const r of server) {
    const l = lines(r);
    // ngram-mod drafts up to 64 tokens (common/common.h, common_params_speculative_ngram_mod)
    const nDraft = /--spec-type ngram-mod/.test(r.command) ? 64 : 0;
    const rule = serverOutputsMax({ engine: CURRENT, n_seq: l.nSeq, n_batch: l.nBatch, n_draft_max: nDraft });
    assert.equal(l.outputs, rule, r.id);
  }
  assert.ok(server.some((r) => lines(r).outputs === 260) && server.some((r) => lines(r).unified));
});

test("llama-completion keeps n_batch outputs, and the engine's micro-batch estimate for it", async () => {
  for (const r of completion) {
    const l = lines(r);
    assert.equal(l.outputs, l.nBatch, r.id);
    // the output peak: inp_embd, gpt-oss's kept hidden state, result_norm and logits, to the printed MiB
    assert.equal((await engineMiB(r)).toFixed(2), l.computeMiB.toFixed(2), r.id);
  }
});

test("builds other than llama.cpp current keep the micro-batch (no limit)", () => {
  for (const engine of [
    { name: "turboquant", revision: "2026-05" },
    { name: "ollama", revision: "2026-05" },
    { name: "llama.cpp", revision: "2025-11-07" },
  ] as const)
    assert.equal(serverOutputsMax({ engine, n_seq: 4, n_batch: 2048 }), undefined);
});

for (const r of server) {
  test(`${r.id}: the CPU compute estimate with llama-server's outputs is within 0.5 %`, async () => {
    const l = lines(r);
    const withRule = await engineMiB(r, l.outputs);
    const microBatch = await engineMiB(r);
    // labelled estimate: the FFN peak sits above a hole ggml-alloc leaves where the attention's
    // tensors were freed (two hidden states wide on Qwen3 and gpt-oss, a little less on Gemma 3:
    // +0.4 % there); every other term is exact (docs/memory-model.md#compute-cpu-few-outputs)
    const err = (withRule - l.computeMiB) / l.computeMiB;
    assert.ok(Math.abs(err) <= 0.005, `${withRule.toFixed(2)} vs ${l.computeMiB}`);
    if (l.outputs < l.nUbatch) assert.ok(microBatch > withRule, `${microBatch.toFixed(2)}`);
  });
}
