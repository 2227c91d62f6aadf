/**
 * The CUDA overhead model (docs/memory-model.md#cuda-runtime-overhead) against 38 H100 runs of
 * llama.cpp de3ff81 (tests/fixtures/placement/h100-overhead-runs.json): F16, Q8_0 and Q4_K matrices
 * of three dense widths, a reduced gpt-oss (F16 experts), every layer on the GPU, -ngl 15 / 7 / 0,
 * experts on the CPU, FA on and off, -ub 512 and 2048, contexts 4K–32K; prompts of several
 * micro-batches (the state the engine describes) and first-token runs; lazy vs eager module loading
 * and CUDA graphs off. "unaccounted" is llama.cpp's own end-of-run figure: device memory in use
 * (cudaMemGetInfo) minus its buffers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { OVERHEAD_FIX, compareRun, steady } from "../../helpers/h100-overhead.ts";
import { CUBLAS_BYTES, CUDA_CONTEXT_BYTES, CUDA_POOL_GRANULE } from "../../../src/lib/engine/compute/cuda-overhead.ts";

const MiB = 1024 * 1024;
const runs = OVERHEAD_FIX.runs;
const byId = (id: string) => {
  const r = runs.find((x) => x.id === id);
  assert.ok(r, id);
  return r;
};

test("the constants are the probe's readings on the same H100", () => {
  const p = OVERHEAD_FIX.probe;
  assert.equal(CUDA_CONTEXT_BYTES, p.context);
  assert.equal(CUDA_POOL_GRANULE, p.vmm_granularity_recommended);
  assert.equal(CUBLAS_BYTES - 22 * MiB, p.cublas_create - p.stream);
});

for (const r of runs.filter((x) => x.env === null && steady(x))) {
  test(`${r.id}: GPU in use within ±3 %, overhead within ±20 MiB of llama.cpp's "unaccounted"`, async () => {
    const c = await compareRun(r);
    assert.ok(Math.abs(c.engine / c.used - 1) <= 0.03, `engine ${c.engine.toFixed(1)} vs ${c.used} MiB`);
    assert.ok(Math.abs(c.overhead - c.unaccounted) <= 20, `overhead ${c.overhead.toFixed(1)} vs ${c.unaccounted}`);
  });
}

test("first-token runs lie between the bare context and the engine's steady state", async () => {
  const first = runs.filter((x) => x.env === null && !steady(x));
  assert.ok(first.length >= 8);
  for (const r of first) {
    const c = await compareRun(r);
    assert.ok(c.unaccounted >= CUDA_CONTEXT_BYTES / MiB - 1, `${r.id}: ${c.unaccounted} below the context`);
    assert.ok(c.unaccounted <= c.overhead + 1, `${r.id}: ${c.unaccounted} above ${c.overhead.toFixed(1)}`);
  }
});

test("the model is closer to the measurement than the old 614.5 MiB constant", async () => {
  let now = 0;
  let before = 0;
  for (const r of runs.filter((x) => x.env === null && steady(x))) {
    const c = await compareRun(r);
    now += Math.abs(c.engine - c.used);
    before += Math.abs(c.before - c.used);
  }
  assert.ok(now * 4 < before, `Σ|error| ${now.toFixed(0)} vs ${before.toFixed(0)} MiB`);
});

test("CUDA graphs add nothing; kernels load lazily (eager loading holds 100+ MiB more)", () => {
  for (const [a, b] of [
    ["q-all-long-nographs", "q-all-long"],
    ["q4k-all-long-nographs", "q4k-all-long"],
  ])
    assert.equal(byId(a).memory_breakdown_mib.unaccounted, byId(b).memory_breakdown_mib.unaccounted);
  for (const [eager, lazy] of [
    ["q-all-hello-eager", "q-all-hello"],
    ["q-all-long-eager", "q-all-long"],
    ["q4k-all-long-eager", "q4k-all-long"],
    ["q-ngl0-hello-eager", "q-ngl0-hello"],
    ["g-all-hello-eager", "g-all-hello"],
  ])
    assert.ok(byId(eager).memory_breakdown_mib.unaccounted - byId(lazy).memory_breakdown_mib.unaccounted >= 100);
});
