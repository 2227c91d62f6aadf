/**
 * The placement engine against llama.cpp (de3ff81, CUDA build) on one NVIDIA H100
 * (tests/fixtures/placement/h100-runs.json, from h100-ingest.ts): partial offload, -ngl 0,
 * --no-kv-offload, --load-mode none, -ot to the CPU, --n-cpu-moe, --cpu-moe, -ub 2048. CUDA prints
 * sizes in MiB with 2 decimals, so weights, KV and output buffers are compared to that precision;
 * compute buffers (estimate) within ±10 %. These runs decode one token after a 3-token prompt, so
 * the GPU memory in use (llama.cpp's own end-of-run cudaMemGetInfo total − free) lies between the
 * bare CUDA context and the engine's steady state (kernels, cuBLAS and pool after a prompt batch;
 * docs/memory-model.md#cuda-runtime-overhead, checked on steady-state runs in cuda-overhead.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { modelOf } from "../../fixtures/placement/models.ts";
import type { BufferLine } from "../../fixtures/placement/generate.ts";
import { placeModel } from "../../../src/lib/engine/placement/index.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { PlacementSchema } from "../../../src/schemas/placement.ts";
import { parseCalcArgs } from "../../../scripts/calc/options.ts";
import { CUDA_CONTEXT_BYTES } from "../../../src/lib/engine/compute/cuda-overhead.ts";

interface Run {
  id: string;
  model: string;
  exit_code: number;
  args: string[];
  buffers: BufferLine[];
  memory_breakdown_mib: { total: number; free: number };
}
const FIX = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/placement/h100-runs.json"), "utf8")) as {
  runs: Run[];
};
const MiB = 1024 * 1024;
const KIND = { model: "weights", KV: "kv", RS: "recurrent", compute: "compute", output: "output" } as const;

async function place(run: Run) {
  const { arch, tensors } = await model(run);
  const a = parseCalcArgs([...run.args, "--devices", `cuda:${run.memory_breakdown_mib.total}MiB`]);
  return placeModel(arch, RuntimeConfigSchema.parse(a.config), PlacementSchema.parse(a.placement), tensors);
}
const model = (run: Run) => modelOf(run.model);

test("the H100 runs cover partial offload, -ngl 0, no mmap and expert offload", () => {
  const ids = FIX.runs.map((r) => r.id);
  for (const id of ["q-ngl-15", "q-ngl-0", "q-none-ngl-15", "g-ncmoe-4", "g-cmoe-none"])
    assert.ok(ids.includes(id), id);
  for (const r of FIX.runs) assert.equal(r.exit_code, 0, r.id);
});

for (const run of FIX.runs) {
  test(`${run.id}: weights, KV and output buffers per device as llama.cpp prints them`, async () => {
    const r = await place(run);
    for (const kind of ["model", "KV", "output"] as const) {
      const want = run.buffers
        .filter((b) => b.what === kind)
        .map((b) => `${b.name} ${b.mib.toFixed(2)}`)
        .sort();
      const got = r.buffers
        .filter((b) => b.kind === KIND[kind] && b.bytes > 0)
        .map((b) => `${b.name} ${(b.bytes / MiB).toFixed(2)}`)
        .sort();
      assert.deepEqual(got, want, `${run.id}: ${kind}`);
    }
  });

  test(`${run.id}: compute per backend within ±10 %, GPU memory in use within bounds`, async () => {
    const r = await place(run);
    for (const w of run.buffers.filter((b) => b.what === "compute")) {
      const g = r.buffers.find((b) => b.kind === "compute" && b.name === w.name);
      assert.ok(g, `${run.id}: compute ${w.name} missing`);
      const err = g.bytes / MiB / w.mib - 1;
      assert.ok(Math.abs(err) <= 0.1, `${run.id}: ${w.name} ${(g.bytes / MiB).toFixed(2)} vs ${w.mib} MiB`);
    }
    const used = run.memory_breakdown_mib.total - run.memory_breakdown_mib.free;
    const engine = r.devices.find((d) => d.name === "CUDA0")!.bytes / MiB;
    const overhead = r.buffers.filter((b) => b.kind === "overhead").reduce((s, b) => s + b.bytes, 0);
    const floor = engine - (overhead - CUDA_CONTEXT_BYTES) / MiB;
    assert.ok(
      used >= floor * 0.99 && used <= engine * 1.01,
      `${run.id}: ${used} MiB in use, engine ${floor.toFixed(0)}…${engine.toFixed(0)}`,
    );
  });
}
