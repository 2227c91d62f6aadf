/**
 * llama.cpp log lines of known geometry (the formats of tests/fixtures/ingest/log-formats/llama-cpp/)
 * checked against the engine. Geometry and hand arithmetic are written out per test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { computeBreakdown, planMemory, resolveLayers } from "../../../src/lib/engine/index.ts";
import { arch, cfg, fixture, mib2, parseKvSizeLine, parseRsSizeLine } from "../../helpers/engine.ts";

test("llama_kv_cache size line: 4 attention layers × 8 KV heads × 128, f16, 32768 cells", () => {
  // `llama_kv_cache: size =  512.00 MiB ( 32768 cells,   4 layers,  1/1 seqs), K (f16):  256.00 MiB, V (f16):  256.00 MiB`
  // geometry: Granite-4.0-H-Small (granitehybrid): attention at 4 of 40 layers, head_count_kv 8,
  // key/value_length 128 → K row 1024 × 2 B; 4 × 2048 B × 32768 = 268,435,456 B = 256.00 MiB.
  const line = parseKvSizeLine(
    "llama_kv_cache: size =  512.00 MiB ( 32768 cells,   4 layers,  1/1 seqs), K (f16):  256.00 MiB, V (f16):  256.00 MiB",
  )!;
  const m = planMemory(fixture("granite-4.0-h-small"), cfg({ n_ctx: 32768 }));
  const kv = m.caches[0];
  assert.equal(kv.k_bytes, 268_435_456);
  assert.equal(mib2(kv.bytes), line.totalMiB);
  assert.equal(mib2(kv.k_bytes), line.kMiB);
  assert.equal(mib2(kv.v_bytes), line.vMiB);
  assert.equal(kv.cells, line.cells);
  assert.equal(kv.layers, line.layers);
});

test("llama_memory_recurrent size line: Qwen3.5-27B with 2 sequences", () => {
  // `llama_memory_recurrent: size =  299.25 MiB (     2 cells,  64 layers,  2 seqs  0 rs_seq), R (f32):   11.25 MiB, S (f32):  288.00 MiB`
  // geometry: 64 trunk layers, 48 GDN layers (3 of 4), d_inner 6144, d_state 128, n_group 16,
  // d_conv 4: r = 3 × (6144 + 2·16·128) = 30,720; s = 128 × 6144 = 786,432 (f32).
  // R = 30,720 × 4 × 48 × 2 = 11,796,480 B = 11.25 MiB; S = 786,432 × 4 × 48 × 2 = 288 MiB.
  const line = parseRsSizeLine(
    "llama_memory_recurrent: size =  299.25 MiB (     2 cells,  64 layers,  2 seqs  0 rs_seq), R (f32):   11.25 MiB, S (f32):  288.00 MiB",
  )!;
  const a = fixture("qwen3.5-27b");
  const m = planMemory(a, cfg({ n_ctx: 4096, n_seq: 2 }));
  assert.equal(m.recurrent.r_bytes, 11_796_480);
  assert.equal(mib2(m.recurrent.r_bytes), line.rMiB);
  assert.equal(mib2(m.recurrent.s_bytes), line.sMiB);
  assert.equal(mib2(m.recurrent.bytes), line.totalMiB);
  assert.equal(m.recurrent.cells, line.cells);
  // the line's "layers" is hparams.n_layer() (trunk), not the 48 recurrent layers
  assert.equal(resolveLayers(a).n_layer, line.layers);
  assert.equal(m.recurrent.layers, 48);
});

test("recurrent state: one Qwen3.5-27B GDN layer holds 3,268,608 B per sequence", () => {
  const m = planMemory(fixture("qwen3.5-27b"), cfg({ n_ctx: 4096 }));
  const row = m.recurrent.rows[0];
  assert.equal(row.r_width, 30_720);
  assert.equal(row.s_width, 786_432);
  assert.equal(row.r_bytes + row.s_bytes, 3_268_608);
});

test("output buffer: 0.58 MiB at np 1, 2.32 MiB at np 4 (vocab 151,936)", () => {
  // 151,936 × 4 B = 607,744 B = 0.58 MiB; × 4 sequences = 2,430,976 B = 2.32 MiB
  const a = fixture("qwen3-14b");
  assert.equal(mib2(computeBreakdown(a, cfg({ n_ctx: 4096 })).output.bytes), "0.58");
  const b4 = computeBreakdown(a, cfg({ n_ctx: 4096, n_seq: 4, kv_unified: true }));
  assert.equal(b4.output.bytes, 2_430_976);
  assert.equal(mib2(b4.output.bytes), "2.32");
});

test("SWA cells: Gemma-4 default server 4608 SWA cells; Laguna window 512 → 1024 cells", () => {
  // np 4 unified, n_swa 1024, ub 512: PAD(min(base, 4·1024 + 512), 256) = 4608
  const g4 = arch({
    arch: "gemma3",
    block_count: 12,
    n_embd: 1024,
    n_head: 8,
    n_head_kv: 4,
    key_length: 128,
    value_length: 128,
    sliding_window: 1024,
    vocab_size: 1000,
  });
  const m = planMemory(g4, cfg({ n_ctx: 65536, n_seq: 4, kv_unified: true }));
  assert.equal(m.caches.find((c) => c.kind === "swa")!.cells, 4608);
  // n_swa 512, ub 512, np 1: 512 + 512 = 1024
  const laguna = arch({ ...g4, sliding_window: 512 });
  const m2 = planMemory(laguna, cfg({ n_ctx: 65536 }));
  assert.equal(m2.caches.find((c) => c.kind === "swa")!.cells, 1024);
});

test("MLA: DeepSeek-V3 f16 = 70,272 B/token (K only); before 2026-01-25 K+V", () => {
  // 61 layers × 576 × 2 B = 70,272; old: 61 × (576 + 512) × 2 = 132,736
  const a = fixture("deepseek-v3");
  const cur = planMemory(a, cfg({ n_ctx: 256 }));
  assert.equal(cur.caches[0].bytes / 256, 70_272);
  assert.equal(cur.caches[0].v_bytes, 0);
  assert.equal(cur.caches[0].type_v, null);
  const old = planMemory(a, cfg({ n_ctx: 256, engine: { name: "llama.cpp", revision: "2025-11-07" } }));
  assert.equal(old.caches[0].bytes / 256, 132_736);
});

test("tied embeddings: Llama-3.2-3B Q4_K_M tied embeddings — token_embd Q6_K on CPU_Mapped and duplicated", () => {
  // token_embd Q6_K: 128,256 × 3,072 × 210 / 256 = 323,205,120 B, printed "308.23" MiB.
  //
  // A published example line reads `CPU_Mapped model buffer size = 308.24 MiB` (with `CUDA0 1918.36`).
  // llama.cpp de3ff81 cannot print 308.24 for this file: the CPU_Mapped buffer of an mmapped
  // model is exactly the file span of the tensors in the CPU context (src/llama-model.cpp
  // load_tensors → llama_model_loader::get_mapping_range: [min offs, max offs + ggml_nbytes)), no
  // page rounding, and only token_embd is an input-layer tensor. 308.24 would need 2,622–13,107
  // more bytes than the tensor holds. The H100 runs confirm the exact span on de3ff81 CUDA:
  // memprobe's `MB buft=CPU_Mapped … model=437575680` = Qwen3-14B's q4_K token_embd to the byte
  // (tests/unit/engine/h100-logs.test.ts). The example line comes from a log of unknown build and
  // file; the engine keeps de3ff81's rule.
  const a = arch({
    arch: "llama",
    block_count: 28,
    n_embd: 3072,
    n_head: 24,
    n_head_kv: 8,
    key_length: 128,
    value_length: 128,
    feed_forward_length: 8192,
    vocab_size: 128256,
    tied_embeddings: true,
    context_length: 131072,
  });
  const b = computeBreakdown(a, cfg({ n_ctx: 4096, weights_ftype: "Q4_K_M" }));
  assert.equal(b.weights.tied_duplicate_bytes, 323_205_120);
  const host = b.weights.per_device.find((d) => d.name === "CPU_Mapped")!.bytes;
  assert.equal(host, 323_205_120);
  assert.equal(mib2(host), "308.23");
  // the duplicate sits on the GPU: CUDA0 = all non-embedding tensors + the Q6_K copy
  const dev = b.weights.per_device.find((d) => d.name === "CUDA0")!.bytes;
  assert.equal(dev, b.weights.bytes - host + 323_205_120);
});

test("seed table: Qwen3-14B f16 KV = 320 / 1280 / 5120 / 10240 MiB at 2K / 8K / 32K / 64K", () => {
  // 40 layers × 8 KV heads × 128 × 2 (K+V) × 2 B = 163,840 B per token
  const a = fixture("qwen3-14b");
  const want: [number, string][] = [
    [2048, "320.00"],
    [8192, "1280.00"],
    [32768, "5120.00"],
    [65536, "10240.00"],
  ];
  for (const [ctx, mib] of want) assert.equal(mib2(planMemory(a, cfg({ n_ctx: ctx })).caches[0].bytes), mib);
});

test("seed table: Qwen3-14B turbo4 KV = 85 / 340 / 1360 / 2720 MiB (GQA 40/8 = 5 < 6: no auto-asymmetric K)", () => {
  // turbo4: 68 B per 128 values → 1024-wide row = 544 B; 40 × 2 × 544 = 43,520 B per token
  // 2048 × 43,520 = 89,128,960 B = 85.00 MiB
  const a = fixture("qwen3-14b");
  const want: [number, string][] = [
    [2048, "85.00"],
    [8192, "340.00"],
    [32768, "1360.00"],
    [65536, "2720.00"],
  ];
  for (const [ctx, mib] of want) {
    const m = planMemory(a, cfg({ n_ctx: ctx, type_k: "turbo4", type_v: "turbo4", engine: { name: "turboquant" } }));
    assert.equal(m.caches[0].type_k, "turbo4");
    assert.equal(mib2(m.caches[0].bytes), mib);
  }
});
