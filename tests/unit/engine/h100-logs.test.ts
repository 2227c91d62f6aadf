/**
 * The 23 real llama.cpp CUDA runs of data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda (llama.cpp de3ff81,
 * Qwen3-14B geometry, Q4_K_M tensor types): KV, output and weights byte-exact; compute and
 * totals within the tolerances.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { computeBreakdown } from "../../../src/lib/engine/index.ts";
import type { Breakdown } from "../../../src/schemas/breakdown.ts";
import { cfg, fixture, h100Cases, mib2, MiB, parseKvSizeLine, readH100Case } from "../../helpers/engine.ts";
import type { H100Case } from "../../helpers/engine.ts";

const qwen = fixture("qwen3-14b");
const cases = h100Cases().map(readH100Case);

function run(c: H100Case): Breakdown {
  return computeBreakdown(
    qwen,
    cfg({
      n_ctx: c.n_ctx,
      type_k: c.type_k as "f16",
      type_v: c.type_v as "f16",
      flash_attn: c.fa,
      n_batch: 2048,
      n_ubatch: 512,
      n_seq: 1,
      weights_ftype: "Q4_K_M",
      backend: "cuda",
    }),
  );
}

test("the grid has 23 cases", () => {
  assert.equal(cases.length, 23);
});

for (const c of cases) {
  test(`KV size line reproduced: ${c.dir}`, () => {
    const line = c.log.split("\n").find((l) => l.includes("llama_kv_cache: size ="));
    assert.ok(line, "log has a KV size line");
    const parsed = parseKvSizeLine(line)!;
    const b = run(c);
    assert.equal(b.kv.caches.length, 1);
    const kv = b.kv.caches[0];
    // bytes: the context buffer of llama_get_memory_breakdown holds exactly the KV tensors here
    assert.equal(b.kv.bytes, c.mb.CUDA0.context);
    assert.equal(b.kv.per_device.find((d) => d.name === "CUDA0")!.bytes, c.mb.CUDA0.context);
    // then the printed line, field by field
    assert.equal(mib2(kv.bytes), parsed.totalMiB);
    assert.equal(mib2(kv.k_bytes), parsed.kMiB);
    assert.equal(mib2(kv.v_bytes), parsed.vMiB);
    assert.equal(kv.cells, parsed.cells);
    assert.equal(kv.layers, parsed.layers);
    assert.equal(kv.n_stream, parsed.streams);
    assert.equal(kv.type_k, parsed.typeK);
    assert.equal(kv.type_v, parsed.typeV);
    // llama_context lines
    assert.equal(b.context.allocated_cells, Number(/llama_context: n_ctx\s+=\s+(\d+)/.exec(c.log)![1]));
    assert.equal(b.context.n_ctx_seq, Number(/llama_context: n_ctx_seq\s+=\s+(\d+)/.exec(c.log)![1]));
    assert.equal(b.context.n_ctx_seq, c.result.n_ctx_seq);
  });

  test(`output buffer and weights reproduced: ${c.dir}`, () => {
    const b = run(c);
    const out = /CUDA_Host\s+output buffer size =\s+([\d.]+) MiB/.exec(c.log)!;
    assert.equal(mib2(b.output.bytes), out[1]);
    assert.equal(b.output.name, "CUDA_Host");
    assert.equal(b.weights.bytes, c.result.model_size);
    const dev = b.weights.per_device.find((d) => d.name === "CUDA0")!;
    const host = b.weights.per_device.find((d) => d.name === "CPU_Mapped")!;
    assert.equal(dev.bytes, c.mb.CUDA0.model);
    assert.equal(host.bytes, c.mb.CPU_Mapped.model);
  });

  test(`compute buffers within ±10 % and totals within ±3 %: ${c.dir}`, () => {
    const b = run(c);
    const measuredCompute = c.mb.CUDA0.compute + c.mb.CUDA_Host.compute;
    assert.equal(b.compute.estimate, true);
    const rc = b.compute.bytes / measuredCompute - 1;
    assert.ok(Math.abs(rc) <= 0.1, `compute residual ${(rc * 100).toFixed(2)} %`);
    const peak = c.peakMiB * MiB;
    const rd = b.total.device_bytes / peak - 1;
    assert.ok(Math.abs(rd) <= 0.03, `device residual ${(rd * 100).toFixed(2)} %`);
    const hostBuffers = c.mb.CPU_Mapped.model + c.mb.CUDA_Host.compute + b.output.bytes;
    const rt = b.total.bytes / (peak + hostBuffers) - 1;
    assert.ok(Math.abs(rt) <= 0.03, `total residual ${(rt * 100).toFixed(2)} %`);
  });
}

test("per-backend compute names match the log's sched_reserve lines", () => {
  const c = cases[0];
  const names = [...c.log.matchAll(/sched_reserve:\s+(\S+) compute buffer size/g)].map((m) => m[1]);
  const b = run(c);
  assert.deepEqual(
    b.compute.per_backend.map((x) => x.name),
    names,
  );
});
