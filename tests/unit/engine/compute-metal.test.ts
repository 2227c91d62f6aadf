/**
 * Metal compute-buffer rules, from the Metal backend's source (llama.cpp de3ff81,
 * ggml/src/ggml-metal/ggml-metal.cpp `get_alloc_size`, ggml-metal-ops.cpp
 * `ggml_metal_op_flash_attn_ext_extra_*`): no Metal run is measured yet, so these tests pin the
 * rules, and the label says it is an estimate with its range.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { computeBreakdown } from "../../../src/lib/engine/index.ts";
import { RuntimeConfigSchema, type RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { DATA_DIR } from "../catalog/fixture.ts";

const { catalog } = loadCatalog(DATA_DIR);
const arch = (id: string) => catalog.models.find((m) => m.id === id)!.architecture;
const mtl0 = (id: string, c: RuntimeConfigInput): number =>
  computeBreakdown(arch(id), RuntimeConfigSchema.parse({ backend: "metal", ...c })).compute.per_backend.find(
    (b) => b.name === "MTL0",
  )!.bytes;
const cpu = (id: string, c: RuntimeConfigInput): number =>
  computeBreakdown(arch(id), RuntimeConfigSchema.parse({ backend: "cpu", n_gpu_layers: 0, ...c })).compute.bytes;

test("Metal flash attention reserves an f16 copy of the K and V views, so MTL0 grows with the context even at f16", () => {
  // Qwen3-14B: 8 KV heads × 128 = 1024-wide K and V; +65536 cells → + 65536 × (1024 + 1024) × 2 B.
  const a = mtl0("qwen3-14b", { n_ctx: 65536, flash_attn: "on" });
  const b = mtl0("qwen3-14b", { n_ctx: 131072, flash_attn: "on" });
  const mask = 65536 * 512 * 2; // the f16 mask grows too (512-token micro-batch)
  const blk = (131072 / 64 - 65536 / 64) * (512 / 8); // one byte per 8-query × 64-cell block
  assert.equal(b - a, 65536 * (1024 + 1024) * 2 + mask + blk);
});

test("the Metal scratch is sized in f16 whatever the cache type (quantized K/V are dequantized into it)", () => {
  const f16 = mtl0("qwen3-14b", { n_ctx: 131072, flash_attn: "on" });
  const q8 = mtl0("qwen3-14b", { n_ctx: 131072, flash_attn: "on", type_k: "q8_0", type_v: "q8_0" });
  assert.equal(q8, f16);
});

test("MLA: V is a view of K, so Metal reserves no separate V copy", () => {
  const a = mtl0("deepseek-v3", { n_ctx: 65536, flash_attn: "on" });
  const b = mtl0("deepseek-v3", { n_ctx: 131072, flash_attn: "on" });
  // 576-wide latent K only, plus the f16 mask and the block map
  assert.equal(b - a, 65536 * 576 * 2 + 65536 * 512 * 2 + (131072 / 64 - 65536 / 64) * (512 / 8));
});

test("the CPU reads quantized K/V in place: no dequant scratch, unlike CUDA", () => {
  const f16 = cpu("qwen3-14b", { n_ctx: 131072, flash_attn: "on" });
  const q4 = cpu("qwen3-14b", { n_ctx: 131072, flash_attn: "on", type_k: "q4_0", type_v: "q4_0" });
  assert.equal(q4, f16);
  const cuda = (t: "f16" | "q4_0") =>
    computeBreakdown(
      arch("qwen3-14b"),
      RuntimeConfigSchema.parse({ n_ctx: 131072, flash_attn: "on", type_k: t, type_v: t, backend: "cuda" }),
    ).compute.bytes;
  assert.ok(cuda("q4_0") > cuda("f16"), "CUDA keeps its f16 dequant scratch for quantized K/V");
});

test("Metal is labelled an estimate without a measurement, with its range", () => {
  const b = computeBreakdown(arch("qwen3-14b"), RuntimeConfigSchema.parse({ n_ctx: 8192, backend: "metal" }));
  assert.match(b.compute.label, /^estimate — no Metal measurement yet/);
  assert.match(b.compute.label, /−?-25 % … \+25 %/);
  assert.ok(b.notes.some((n) => n.code === "compute-estimate"));
});
