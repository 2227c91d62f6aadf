/**
 * Engine rules for where memory goes: KV offload, -ngl, weights, vision weights.
 * One rule of docs/memory-model.md, one test (named by its section anchor); expected values are hand
 * arithmetic from the geometry written in each test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { computeBreakdown } from "../../../src/lib/engine/index.ts";
import { arch, cfg, fixture } from "../../helpers/engine.ts";
import { qwen, throwsEngine } from "./rules-helpers.ts";

test("--no-kv-offload keeps KV in host memory", () => {
  const b = computeBreakdown(qwen, cfg({ n_ctx: 8192, no_kv_offload: true, weights_ftype: "Q4_K_M" }));
  assert.deepEqual(
    b.kv.per_device.map((d) => [d.name, d.host]),
    [["CPU", true]],
  );
  const on = computeBreakdown(qwen, cfg({ n_ctx: 8192, weights_ftype: "Q4_K_M" }));
  assert.equal(b.total.host_bytes - on.total.host_bytes, b.kv.bytes);
});

test("-ngl counts the output layer first: ngl 11 of 40 puts layers 30–39 and the output on the GPU", () => {
  const b = computeBreakdown(qwen, cfg({ n_ctx: 4096, n_gpu_layers: 11, weights_ftype: "Q4_K_M" }));
  const rows = b.kv.caches[0].rows;
  assert.deepEqual(
    rows.filter((r) => r.device === "CUDA0").map((r) => r.layer),
    [30, 31, 32, 33, 34, 35, 36, 37, 38, 39],
  );
  const dev = b.kv.per_device.find((d) => d.name === "CUDA0")!.bytes;
  assert.equal(dev, (b.kv.bytes * 10) / 40);
});

test("weights without a table or ftype are reported as missing; unknown builder archs fall back labelled", () => {
  const none = computeBreakdown(qwen, cfg({ n_ctx: 4096 }));
  assert.equal(none.weights.source, "none");
  assert.ok(none.notes.some((n) => n.code === "weights-missing"));
  const fb = computeBreakdown(fixture("mamba2-2.7b"), cfg({ n_ctx: 4096, weights_ftype: "Q4_K_M" }));
  assert.equal(fb.weights.source, "params-x-bpw");
  assert.equal(fb.weights.estimate, true);
  assert.equal(fb.weights.bytes, Math.round((2_700_000_000 * 4.9) / 8));
});

test("vision weights toggle: n_params_vision × 2 B on the device, labelled; refused when unknown", () => {
  const a = arch({ ...fixture("qwen3-14b"), n_params_vision: 400_000_000 });
  const off = computeBreakdown(a, cfg({ n_ctx: 4096, weights_ftype: "Q4_K_M" }));
  const on = computeBreakdown(a, cfg({ n_ctx: 4096, weights_ftype: "Q4_K_M", vision_weights: true }));
  assert.equal(on.total.device_bytes - off.total.device_bytes, 800_000_000);
  assert.equal(on.weights.estimate, true);
  assert.equal(on.weights.bytes, off.weights.bytes);
  throwsEngine(
    () => computeBreakdown(qwen, cfg({ n_ctx: 4096, vision_weights: true })),
    "missing-field",
    "n_params_vision",
  );
});
