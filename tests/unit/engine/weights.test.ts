/**
 * Weights (docs/memory-model.md#weights): tensor bytes, the tensor-table builder with llama-quantize's
 * ftype mixing rules, placement.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildTensorTable,
  computeBreakdown,
  EngineError,
  FTYPE_BY_ID,
  tensorBytes,
  tensorTableBytes,
  tensorTableParams,
} from "../../../src/lib/engine/index.ts";
import { arch, cfg, fixture, H100_DIR } from "../../helpers/engine.ts";

const qwen = fixture("qwen3-14b");

test("tensorBytes = ne0 / blck × type_size × Π ne[1..]", () => {
  // q4_K: 144 B per 256; 5120 × 151936 → 20 blocks × 144 × 151936 = 437,575,680 (the CPU_Mapped buffer)
  assert.equal(tensorBytes({ name: "token_embd.weight", dims: [5120, 151936], type: "q4_K" }), 437_575_680);
  assert.equal(tensorBytes({ name: "x", dims: [5120], type: "f32" }), 20_480);
  assert.throws(() => tensorBytes({ name: "bad", dims: [100, 2], type: "q4_K" }), /block size 256/);
});

test("builder reproduces the H100 Qwen3-14B Q4_K_M file: 8,995,793,920 B, 443 tensors", () => {
  const t = buildTensorTable(qwen, "Q4_K_M");
  assert.equal(tensorTableBytes(t), 8_995_793_920);
  assert.equal(t.length, 443);
  // README: 241 Q4_K, 41 Q6_K, 161 F32; params 14,768,307,200 (memprobe RESULT n_params)
  const count = (ty: string) => t.filter((x) => x.type === ty).length;
  assert.deepEqual([count("q4_K"), count("q6_K"), count("f32")], [241, 41, 161]);
  assert.equal(tensorTableParams(t), 14_768_307_200);
});

test("builder's Q6_K layers are the README's 'more bits' layers 0–4, 7, 10, …, 34, 35–39", () => {
  const readme = readFileSync(join(H100_DIR, "README.md"), "utf8");
  assert.ok(readme.includes("0–4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34 and 35–39"));
  const want = [0, 1, 2, 3, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34, 35, 36, 37, 38, 39];
  const t = buildTensorTable(qwen, "Q4_K_M");
  for (const kind of ["attn_v", "ffn_down"]) {
    const layers = t.filter((x) => x.type === "q6_K" && x.name.includes(kind)).map((x) => Number(x.name.split(".")[1]));
    assert.deepEqual(layers, want, kind);
  }
  assert.equal(t.find((x) => x.name === "output.weight")!.type, "q6_K");
  assert.equal(t.find((x) => x.name === "token_embd.weight")!.type, "q4_K");
});

test("ftype rules: Q4_K_S attn_v Q5_K on the first 4, Q8_0 keeps output Q8_0, F16 keeps norms F32", () => {
  const s = buildTensorTable(qwen, "Q4_K_S");
  const v = s.filter((x) => x.name.endsWith("attn_v.weight"));
  assert.deepEqual(
    v.slice(0, 5).map((x) => x.type),
    ["q5_K", "q5_K", "q5_K", "q5_K", "q4_K"],
  );
  // ffn_down: Q5_K for i < n/8 = 5
  const d = s.filter((x) => x.name.endsWith("ffn_down.weight"));
  assert.deepEqual(
    d.slice(4, 6).map((x) => x.type),
    ["q5_K", "q4_K"],
  );
  const q8 = buildTensorTable(qwen, "Q8_0");
  assert.equal(q8.find((x) => x.name === "output.weight")!.type, "q8_0");
  const f16 = buildTensorTable(qwen, "F16");
  assert.equal(f16.find((x) => x.name === "blk.0.attn_norm.weight")!.type, "f32");
  assert.equal(f16.find((x) => x.name === "blk.0.attn_q.weight")!.type, "f16");
  // F16 total: 2 B per 2-D weight element + 4 B per norm element
  const norms = f16.filter((x) => x.type === "f32").reduce((s2, x) => s2 + x.dims[0], 0);
  assert.equal(tensorTableBytes(f16), (14_768_307_200 - norms) * 2 + norms * 4);
});

test("rows not divisible by 256 fall back (Q4_K → Q5_0, Q6_K → Q8_0)", () => {
  // n_embd 2880 (gpt-oss-like dense) is not a multiple of 256: 2880 % 256 = 64
  const a = arch({
    arch: "llama",
    block_count: 2,
    n_embd: 2880,
    n_head: 64,
    n_head_kv: 8,
    key_length: 64,
    value_length: 64,
    feed_forward_length: 2880,
    vocab_size: 1024,
    tied_embeddings: false,
  });
  const t = buildTensorTable(a, "Q4_K_M");
  assert.equal(t.find((x) => x.name === "blk.0.attn_q.weight")!.type, "q5_0");
  assert.equal(t.find((x) => x.name === "output.weight")!.type, "q8_0");
});

test("tied embeddings: no output.weight, token_embd gets the output rule (Q6_K)", () => {
  const a = arch({ ...qwen, tied_embeddings: true });
  const t = buildTensorTable(a, "Q4_K_M");
  assert.equal(
    t.find((x) => x.name === "output.weight"),
    undefined,
  );
  assert.equal(t.find((x) => x.name === "token_embd.weight")!.type, "q6_K");
});

test("unsupported builder ftype / arch are refused (the breakdown then falls back, labelled)", () => {
  // NVFP4 has no llama-quantize default type (llama_ftype_get_default_type → COUNT)
  assert.throws(() => buildTensorTable(qwen, "NVFP4"), /no tensor-table builder for ftype/);
  assert.throws(
    () => buildTensorTable(fixture("mamba2-2.7b"), "Q4_K_M"),
    /no tensor-table builder for architecture "mamba2"/,
  );
});

test("ftypes llama-quantize cannot make for a model get the labelled params × bpw fallback", () => {
  // NVFP4 is no llama-quantize target; Q1_0 (block 128) has no fallback for gpt-oss's 2880-wide
  // rows, so llama-quantize stops ("no tensor type fallback") and the builder refuses too.
  // Nominal rates from the block layouts: nvfp4 36 B / 64 = 4.5, q1_0 18 B / 128 = 1.125.
  const oss = fixture("gpt-oss-20b");
  for (const ftype of ["MXFP4_MOE", "Q2_0", "Q2_K_S"])
    assert.equal(computeBreakdown(oss, cfg({ n_ctx: 4096, weights_ftype: ftype })).weights.source, "builder", ftype);
  const want: [string, number][] = [
    ["NVFP4", 4.5],
    ["Q1_0", 1.125],
  ];
  for (const [ftype, bpw] of want) {
    const b = computeBreakdown(oss, cfg({ n_ctx: 4096, weights_ftype: ftype }));
    assert.equal(b.weights.source, "params-x-bpw", ftype);
    assert.equal(b.weights.estimate, true, ftype);
    assert.equal(b.weights.ftype, ftype);
    assert.equal(b.weights.bytes, Math.round((21_000_000_000 * bpw) / 8), ftype);
    assert.ok(
      b.notes.some((n) => n.code === "weights-fallback" && n.message.includes(`${bpw} bpw`)),
      ftype,
    );
  }
  // llama.h numbering of de3ff81 (general.file_type)
  assert.deepEqual(
    [21, 38, 39, 40, 41].map((n) => FTYPE_BY_ID[n]),
    ["Q2_K_S", "MXFP4_MOE", "NVFP4", "Q1_0", "Q2_0"],
  );
  // an unknown spelling is still refused, naming the option
  assert.throws(
    () => computeBreakdown(oss, cfg({ n_ctx: 4096, weights_ftype: "Q3_X" })),
    (e: unknown) =>
      e instanceof EngineError && e.field === "weights_ftype" && /unknown weights ftype "Q3_X"/.test(e.message),
  );
});

test("imatrix-dependent ftypes say which file they describe; IQ ftypes that need an imatrix assume one", () => {
  const q4 = computeBreakdown(qwen, cfg({ n_ctx: 4096, weights_ftype: "Q4_0" }));
  assert.ok(q4.notes.some((n) => n.code === "weights-imatrix-dependent" && n.message.includes("without one")));
  const iq = computeBreakdown(qwen, cfg({ n_ctx: 4096, weights_ftype: "IQ3_XXS" }));
  assert.ok(iq.notes.some((n) => n.code === "weights-imatrix-dependent" && n.message.includes("with one")));
  // llama-quantize: Q4_0 with an imatrix puts the first n/8 ffn_down (40 / 8 = 5 layers) in Q4_1
  const withIm = buildTensorTable(qwen, "Q4_0", { imatrix: true }).filter((t) => t.name.endsWith("ffn_down.weight"));
  assert.deepEqual(
    withIm.slice(4, 6).map((t) => t.type),
    ["q4_1", "q4_0"],
  );
  const q4k = computeBreakdown(qwen, cfg({ n_ctx: 4096, weights_ftype: "Q4_K_M" }));
  assert.ok(!q4k.notes.some((n) => n.code === "weights-imatrix-dependent"));
});

test("NextN/MTP layers are in the file but not loaded (llama.cpp de3ff81 TENSOR_SKIP without load_mtp)", () => {
  const a = fixture("qwen3.5-27b"); // 65 blocks, the last one the MTP layer
  const t = buildTensorTable(a, "Q4_K_M");
  const mtp = t.filter((x) => x.name.startsWith("blk.64.")).reduce((s, x) => s + tensorBytes(x), 0);
  assert.ok(mtp > 0);
  const b = computeBreakdown(a, cfg({ n_ctx: 4096, backend: "cpu", weights_ftype: "Q4_K_M" }));
  const loaded = b.weights.per_device.reduce((s, d) => s + d.bytes, 0);
  const aligned = t
    .filter((x) => !x.name.startsWith("blk.64."))
    .reduce((s, x) => s + Math.ceil(tensorBytes(x) / 32) * 32, 0);
  assert.equal(b.weights.bytes, tensorTableBytes(t));
  assert.equal(loaded, aligned);
  assert.ok(b.notes.some((n) => n.code === "weights-mtp-not-loaded"));
  // older llama.cpp revisions load them
  const old = computeBreakdown(
    a,
    cfg({
      n_ctx: 4096,
      backend: "cpu",
      weights_ftype: "Q4_K_M",
      engine: { name: "llama.cpp", revision: "2025-11-07" },
    }),
  );
  assert.equal(
    old.weights.per_device.reduce((s, d) => s + d.bytes, 0),
    aligned +
      t.filter((x) => x.name.startsWith("blk.64.")).reduce((s, x) => s + Math.ceil(tensorBytes(x) / 32) * 32, 0),
  );
});
