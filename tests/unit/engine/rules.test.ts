/**
 * One rule of docs/memory-model.md, one test (named by its section anchor). Expected values are hand arithmetic from the geometry
 * written in each test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  computeBreakdown,
  EngineError,
  planContext,
  planMemory,
  resolveLayers,
  TURBO_ROTATION_BYTES,
} from "../../../src/lib/engine/index.ts";
import type { RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { arch, cfg, fixture } from "../../helpers/engine.ts";

const qwen = fixture("qwen3-14b");
const PER_CELL_F16 = 40 * 1024 * 2 * 2; // 40 layers × (8 × 128) × (K + V) × 2 B = 163,840
const turbo = (c: RuntimeConfigInput): RuntimeConfigInput => ({ ...c, engine: { name: "turboquant" } });

function throwsEngine(fn: () => unknown, code: string, field?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected EngineError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal(e.field, field);
    return true;
  });
}

test("#cell-padding-history padding: current PAD(n_ctx, 256); 2025-07-16 PAD 32 without FA / 256 with; 2025-10-28 none", () => {
  assert.equal(planContext(4100, 1, false, 2048, 512, "current", true).n_ctx, 4352);
  assert.equal(planContext(4100, 1, false, 2048, 512, "2025-07-16", false).n_ctx, 4128);
  assert.equal(planContext(4100, 1, false, 2048, 512, "2025-07-16", true).n_ctx, 4352);
  assert.equal(planContext(4100, 1, false, 2048, 512, "2025-10-28", true).n_ctx, 4100);
  const m = planMemory(qwen, cfg({ n_ctx: 4100 }));
  assert.equal(m.caches[0].cells, 4352);
  assert.equal(m.caches[0].bytes, 4352 * PER_CELL_F16);
});

test("#defaults n_batch / n_ubatch are clamped by the unpadded n_ctx", () => {
  const p = planContext(300, 1, false, 2048, 512, "current", true);
  assert.equal(p.n_batch, 300);
  assert.equal(p.n_ubatch, 300);
  assert.equal(p.n_ctx, 512);
});

test("#context-cells unified vs per-sequence streams: n_ctx 10000, 3 sequences", () => {
  // streams: PAD(10000, 256) = 10240; floor(10240 / 3) = 3413 → PAD 3584; 3 × 3584 = 10752 cells
  const s = planMemory(qwen, cfg({ n_ctx: 10000, n_seq: 3 }));
  assert.equal(s.plan.n_ctx_seq, 3584);
  assert.equal(s.plan.n_stream, 3);
  assert.equal(s.caches[0].cells, 3584);
  assert.equal(s.caches[0].bytes, 10752 * PER_CELL_F16);
  // unified: one stream of 10240 cells
  const u = planMemory(qwen, cfg({ n_ctx: 10000, n_seq: 3, kv_unified: true }));
  assert.equal(u.plan.n_stream, 1);
  assert.equal(u.caches[0].cells, 10240);
  assert.equal(u.caches[0].bytes, 10240 * PER_CELL_F16);
  // 2025-07-16 rules without FA: PAD(ceil(10000 / 3), 32) = 3360 per stream
  const old = planContext(10000, 3, false, 2048, 512, "2025-07-16", false);
  assert.equal(old.n_ctx_seq, 3360);
  assert.equal(old.n_ctx, 10080);
  // current rules floor the padded total: n_ctx 1000, 3 seqs → PAD(floor(1024 / 3), 256) = 512
  assert.equal(planContext(1000, 3, false, 2048, 512, "current", true).n_ctx_seq, 512);
});

test("#swa-patterns SWA cells: Gemma-3-27B (window 1024, p = 6: 52 SWA : 10 full)", () => {
  const g = fixture("gemma3-27b");
  const r = resolveLayers(g);
  assert.equal(r.layers.filter((l) => l.kind === "swa").length, 52);
  assert.equal(r.layers.filter((l) => l.kind === "full").length, 10);
  assert.equal(r.layers[5].kind, "full"); // il % 6 == 5
  const swa = (c: RuntimeConfigInput) => planMemory(g, cfg(c)).caches.find((x) => x.kind === "swa")!;
  // 1024 + 512 = 1536 (already a multiple of 256)
  assert.equal(swa({ n_ctx: 32768 }).cells, 1536);
  // per cell per SWA layer: 16 × 128 × (K + V) × 2 B = 8192 B
  assert.equal(swa({ n_ctx: 32768 }).bytes, 52 * 8192 * 1536);
  assert.equal(swa({ n_ctx: 32768, swa_full: true }).cells, 32768);
  assert.equal(swa({ n_ctx: 1024 }).cells, 1024);
  assert.equal(swa({ n_ctx: 32768, n_seq: 4, kv_unified: true }).cells, 4 * 1024 + 512);
  const streams = swa({ n_ctx: 32768, n_seq: 4 });
  assert.equal(streams.cells, 1536);
  assert.equal(streams.n_stream, 4);
  assert.equal(streams.bytes, 52 * 8192 * 1536 * 4);
});

test("#swa SWA size is padded to 256 after the min: gpt-oss window 128 + ubatch 512 = 640 → 768 cells", () => {
  const m = planMemory(fixture("gpt-oss-20b"), cfg({ n_ctx: 32768 }));
  const swa = m.caches.find((c) => c.kind === "swa")!;
  assert.equal(swa.cells, 768);
  // 12 SWA layers (even il) × 8 × 64 × (K + V) × 2 B = 2048 B per cell per layer
  assert.equal(swa.bytes, 12 * 2048 * 768);
  // 2025-10-28 rules: no padding → 640; 2025-07-16 (FA on): min(base, PAD(640, 256)) = 768
  const old = planMemory(
    fixture("gpt-oss-20b"),
    cfg({ n_ctx: 32768, engine: { name: "llama.cpp", revision: "2025-10-28" } }),
  );
  assert.equal(old.caches.find((c) => c.kind === "swa")!.cells, 640);
});

test("#chunked-attention Llama 4 chunked attention as SWA: p = 4 → 36 : 12, window 8192 → 8704 cells", () => {
  const m = planMemory(fixture("llama4-scout"), cfg({ n_ctx: 32768 }));
  const full = m.caches.find((c) => c.kind === "full")!;
  const swa = m.caches.find((c) => c.kind === "swa")!;
  assert.equal(full.layers, 12);
  assert.equal(swa.layers, 36);
  assert.equal(swa.cells, 8192 + 512);
});

test("#swa-patterns Phi-3: SWA disabled, one full-size cache even with a sliding_window key", () => {
  const a = arch({
    arch: "phi3",
    block_count: 4,
    n_embd: 512,
    n_head: 8,
    n_head_kv: 8,
    sliding_window: 2047,
    vocab_size: 100,
  });
  const m = planMemory(a, cfg({ n_ctx: 8192 }));
  assert.equal(m.caches.length, 1);
  assert.equal(m.caches[0].kind, "full");
  assert.equal(m.caches[0].cells, 8192);
});

test("#mla MLA with TurboQuant: K-only; a turbo K (asymmetric pair) is padded 576 → 640", () => {
  // turbo4 640-wide row = 5 × 68 = 340 B; 61 layers × 340 B per cell (V q8_0 is not stored: MLA)
  const m = planMemory(fixture("deepseek-v3"), cfg(turbo({ n_ctx: 256, type_k: "turbo4", type_v: "q8_0" })));
  assert.equal(m.caches[0].type_k, "turbo4");
  assert.equal(m.caches[0].rows[0].k_width, 640);
  assert.equal(m.caches[0].bytes, 61 * 340 * 256);
  assert.equal(m.caches[0].v_bytes, 0);
});

test("#recurrent-state recurrent state × n_seq × (1 + n_rs_seq), independent of n_ctx and unified", () => {
  const a = fixture("qwen3.5-27b");
  const perSeq = 48 * 3_268_608; // 156,893,184
  const rs = (c: RuntimeConfigInput) => planMemory(a, cfg(c)).recurrent.bytes;
  assert.equal(rs({ n_ctx: 4096 }), perSeq);
  assert.equal(rs({ n_ctx: 131072 }), perSeq);
  assert.equal(rs({ n_ctx: 4096, n_seq: 3 }), 3 * perSeq);
  assert.equal(rs({ n_ctx: 4096, n_seq: 3, kv_unified: true }), 3 * perSeq);
  assert.equal(rs({ n_ctx: 4096, n_rs_seq: 2 }), 3 * perSeq);
});

test("#recurrent-families state widths per family: Mamba-2, RWKV-7, LFM2 short-conv, Falcon-H1", () => {
  // Mamba2-2.7B: r = 3 × (5120 + 2·1·128) = 16,128; s = 128 × 5120 = 655,360
  const mamba = planMemory(fixture("mamba2-2.7b"), cfg({ n_ctx: 4096 }));
  assert.deepEqual([mamba.recurrent.rows[0].r_width, mamba.recurrent.rows[0].s_width], [16_128, 655_360]);
  assert.equal(mamba.recurrent.layers, 64);
  assert.equal(mamba.caches.length, 0);
  // RWKV-7 2.9B: r = 2 × 2560 = 5120; s = 2560 × 64 = 163,840
  const rwkv = planMemory(fixture("rwkv7-2.9b"), cfg({ n_ctx: 4096 }));
  assert.deepEqual([rwkv.recurrent.rows[0].r_width, rwkv.recurrent.rows[0].s_width], [5120, 163_840]);
  // LFM2-1.2B: 10 conv layers, r = 2048 × (3 − 1) = 4096, s = 0; 6 attention layers
  const lfm = planMemory(fixture("lfm2-1.2b"), cfg({ n_ctx: 4096 }));
  assert.equal(lfm.recurrent.layers, 10);
  assert.equal(lfm.recurrent.bytes, 10 * 4096 * 4);
  assert.equal(lfm.caches[0].layers, 6);
  // Falcon-H1-0.5B: r = 3 × (1536 + 256) = 5376, s = 128 × 1536 = 196,608 → 29,085,696 B / seq
  const fh = planMemory(fixture("falcon-h1-0.5b"), cfg({ n_ctx: 4096 }));
  assert.equal(fh.recurrent.bytes, 29_085_696);
});

test("#hybrid-layer-patterns Falcon-H1 parallel hybrid: every layer has KV and recurrent state", () => {
  const r = resolveLayers(fixture("falcon-h1-0.5b"));
  assert.ok(r.layers.every((l) => l.kind === "recurrent+full" && l.kv && l.recurrent));
  const m = planMemory(fixture("falcon-h1-0.5b"), cfg({ n_ctx: 4096 }));
  assert.equal(m.caches[0].layers, 36);
  assert.equal(m.recurrent.layers, 36);
});

test("#hybrid-layer-patterns hybrid split by head_count_kv 0 (Granite hybrid): 4 attention, 36 Mamba-2 layers", () => {
  const r = resolveLayers(fixture("granite-4.0-h-small"));
  assert.deepEqual(
    r.layers.filter((l) => l.kind === "full").map((l) => l.il),
    [5, 15, 25, 35],
  );
  assert.equal(r.layers.filter((l) => l.kind === "recurrent").length, 36);
});

test("#hybrid-layer-patterns Nemotron-H: recurrent iff hkv 0 and ff 0; attention iff hkv > 0 and ff 0; MLP-only blocks get nothing", () => {
  const a = arch({
    arch: "nemotron_h",
    block_count: 6,
    n_embd: 512,
    n_head: 8,
    n_head_kv: [0, 0, 8, 0, 0, 0],
    key_length: 64,
    value_length: 64,
    feed_forward_length: [0, 1024, 0, 0, 1024, 0],
    recurrent: { family: "mamba2", d_conv: 4, d_inner: 1024, d_state: 64, n_group: 2 },
    vocab_size: 100,
  });
  assert.deepEqual(
    resolveLayers(a).layers.map((l) => l.kind),
    ["recurrent", "none", "full", "recurrent", "none", "recurrent"],
  );
});

test("#nextn-mtp-filter NextN/MTP: Qwen3.5's NextN block has neither KV nor state; GLM-4.5's NextN block has KV only before the current rules", () => {
  const q = resolveLayers(fixture("qwen3.5-27b"));
  assert.equal(q.layers[64].kind, "mtp");
  assert.equal(q.layers.filter((l) => l.kind === "full").length, 16);
  const glm = arch({
    arch: "glm4moe",
    block_count: 47,
    nextn_predict_layers: 1,
    n_embd: 4096,
    n_head: 96,
    n_head_kv: 8,
    key_length: 128,
    value_length: 128,
    vocab_size: 151552,
  });
  // llama.cpp de3ff81 filters il < n_layer() for every arch with NextN layers (oracle run)
  assert.equal(planMemory(glm, cfg({ n_ctx: 4096 })).caches[0].layers, 46);
  // llama.cpp 34af94cd (#nextn-mtp-filter): GLM4-MoE has no MTP filter — kept for the older revisions
  const old = planMemory(glm, cfg({ n_ctx: 4096, engine: { name: "llama.cpp", revision: "2025-11-07" } }));
  assert.equal(old.caches[0].layers, 47);
});

test("#shared-kv-layers Gemma 3n KV-layer cut: only il < 20 own KV (16 SWA + 4 full); later layers reuse", () => {
  const a = fixture("gemma3n-e4b");
  const r = resolveLayers(a);
  assert.equal(r.layers.filter((l) => l.kind === "shared-kv").length, 15);
  assert.equal(r.layers[20].reuse, 18); // SWA layer → last SWA layer with own KV
  assert.equal(r.layers[24].reuse, 19); // full layer (24 % 5 == 4) → last full layer
  const m = planMemory(a, cfg({ n_ctx: 8192 }));
  assert.equal(m.caches.find((c) => c.kind === "full")!.layers, 4);
  assert.equal(m.caches.find((c) => c.kind === "swa")!.layers, 16);
  // full: 4 layers × (2 × 256) × (K + V) × 2 B × 8192 cells
  assert.equal(m.caches.find((c) => c.kind === "full")!.bytes, 4 * 512 * 2 * 2 * 8192);
});

test("#v-padding-without-fa V padding without flash attention: V rows padded to the widest layer", () => {
  // Gemma-4-like: full layers K/V head 512, SWA head 256, 2 KV heads; pattern [S, S, F, S, S, F]
  const a = arch({
    arch: "gemma4",
    block_count: 6,
    n_embd: 1024,
    n_head: 8,
    n_head_kv: 2,
    key_length: 512,
    value_length: 512,
    key_length_swa: 256,
    value_length_swa: 256,
    sliding_window: 512,
    sliding_window_pattern: [true, true, false, true, true, false],
    shared_kv_layers: 0,
    vocab_size: 100,
  });
  const swaOn = planMemory(a, cfg({ n_ctx: 4096, flash_attn: "on" })).caches.find((c) => c.kind === "swa")!;
  const swaOff = planMemory(a, cfg({ n_ctx: 4096, flash_attn: "off" })).caches.find((c) => c.kind === "swa")!;
  // SWA cells PAD(min(4096, 512 + 512), 256) = 1024; K 512 wide, V 512 (FA on) or 1024 (FA off)
  assert.equal(swaOn.v_bytes, 4 * 512 * 2 * 1024);
  assert.equal(swaOff.v_bytes, 4 * 1024 * 2 * 1024);
  assert.equal(swaOff.k_bytes, swaOn.k_bytes);
  const notes = planMemory(a, cfg({ n_ctx: 4096, flash_attn: "off" })).notes.map((n) => n.code);
  assert.ok(notes.includes("v-padded-no-fa"));
});

test("#quantized-v-needs-fa quantized V requires flash attention (upstream): an error naming type_v", () => {
  throwsEngine(
    () => planMemory(qwen, cfg({ n_ctx: 4096, type_v: "q8_0", flash_attn: "off" })),
    "unsupported-config",
    "type_v",
  );
  // quantized K alone is fine without FA
  assert.doesNotThrow(() => planMemory(qwen, cfg({ n_ctx: 4096, type_k: "q8_0", flash_attn: "off" })));
});

test("flash attention needs whole quantized blocks per head: head 80 with q8_0 K is refused with FA on/auto", () => {
  const a = arch({
    arch: "llama",
    block_count: 2,
    n_embd: 640,
    n_head: 8,
    n_head_kv: 2,
    key_length: 80,
    value_length: 80,
    vocab_size: 100,
  });
  throwsEngine(() => planMemory(a, cfg({ n_ctx: 4096, type_k: "q8_0", flash_attn: "on" })), "block-size", "type_k");
  throwsEngine(() => planMemory(a, cfg({ n_ctx: 4096, type_k: "q8_0" })), "block-size", "type_k");
  // without FA only the row width (2 × 80 = 160) must divide: accepted
  assert.doesNotThrow(() => planMemory(a, cfg({ n_ctx: 4096, type_k: "q8_0", flash_attn: "off" })));
});

test("MLA refuses different K and V types (current rules)", () => {
  throwsEngine(
    () => planMemory(fixture("deepseek-v3"), cfg({ n_ctx: 4096, type_k: "q8_0", type_v: "f16" })),
    "unsupported-config",
    "type_v",
  );
  assert.doesNotThrow(() => planMemory(fixture("deepseek-v3"), cfg({ n_ctx: 4096, type_k: "q8_0", type_v: "q8_0" })));
});

test("iSWA builds the non-SWA instance even when every attention layer is SWA (0 layers)", () => {
  const a = arch({
    arch: "gemma3",
    block_count: 4,
    n_embd: 512,
    n_head: 8,
    n_head_kv: 2,
    key_length: 64,
    value_length: 64,
    sliding_window: 256,
    sliding_window_pattern: [true, true, true, true],
    vocab_size: 100,
  });
  const m = planMemory(a, cfg({ n_ctx: 8192 }));
  assert.deepEqual(
    m.caches.map((c) => [c.kind, c.layers, c.bytes === 0]),
    [
      ["full", 0, true],
      ["swa", 4, false],
    ],
  );
});

test("a GGUF sliding_window_pattern wins over the hard-coded period (gemma3)", () => {
  const a = arch({
    arch: "gemma3",
    block_count: 8,
    n_embd: 512,
    n_head: 8,
    n_head_kv: 2,
    key_length: 64,
    value_length: 64,
    sliding_window: 256,
    sliding_window_pattern: [true, true, false, true, true, false, true, false],
    vocab_size: 100,
  });
  const r = resolveLayers(a);
  assert.equal(r.layers.filter((l) => l.kind === "full").length, 3);
  assert.equal(r.layers.filter((l) => l.kind === "swa").length, 5);
});

test("#block-divisibility block-size divisibility: a 80-wide q4_0 row (block 32) is refused", () => {
  const a = arch({
    arch: "llama",
    block_count: 2,
    n_embd: 640,
    n_head: 8,
    n_head_kv: 1,
    key_length: 80,
    value_length: 80,
    vocab_size: 100,
  });
  throwsEngine(() => planMemory(a, cfg({ n_ctx: 1024, type_k: "q4_0" })), "block-size");
  assert.doesNotThrow(() => planMemory(a, cfg({ n_ctx: 1024, type_k: "f16" })));
});

test("#kv-buffer-alignment CUDA quantized-row padding in the KV buffer: + row(type, 512 − ne0 % 512) per tensor", () => {
  // 1 layer, 2 KV heads × 64 = 128 wide, q8_0, 256 cells: K nbytes = 4 × 34 × 256 = 34,816;
  // pad row(q8_0, 384) = 12 × 34 = 408 → 35,224 → aligned to 128: 35,328. V the same.
  const a = arch({
    arch: "llama",
    block_count: 1,
    n_embd: 512,
    n_head: 8,
    n_head_kv: 2,
    key_length: 64,
    value_length: 64,
    vocab_size: 100,
  });
  const b = computeBreakdown(a, cfg({ n_ctx: 256, type_k: "q8_0", type_v: "q8_0" }));
  assert.equal(b.kv.bytes, 2 * 34_816);
  assert.equal(b.kv.per_device.find((d) => d.name === "CUDA0")!.bytes, 2 * 35_328);
});

test("#turboquant-auto-asymmetric TurboQuant auto-asymmetric K: GQA ≥ 6 upgrades K to q8_0 (gpt-oss 64/8), not below (Qwen3-14B 40/8)", () => {
  const g = planMemory(fixture("gpt-oss-20b"), cfg(turbo({ n_ctx: 4096, type_k: "turbo3", type_v: "turbo3" })));
  assert.equal(g.types.type_k, "q8_0");
  const full = g.caches.find((c) => c.kind === "full")!;
  assert.equal(full.type_k, "q8_0");
  // K q8_0 512 wide = 16 × 34 = 544 B; V turbo3 head 64 → 128: 8 × 128 = 1024 wide = 8 × 50 = 400 B
  assert.equal(full.bytes, 12 * (544 + 400) * 4096);
  assert.ok(g.notes.some((n) => n.code === "turbo-auto-asymmetric-k"));
  const q = planMemory(qwen, cfg(turbo({ n_ctx: 4096, type_k: "turbo3", type_v: "turbo3" })));
  assert.equal(q.types.type_k, "turbo3");
  // different K and V types: no trigger
  const mixed = planMemory(fixture("gpt-oss-20b"), cfg(turbo({ n_ctx: 4096, type_k: "turbo4", type_v: "turbo3" })));
  assert.equal(mixed.types.type_k, "turbo4");
});

test("#turboquant-boundary-v TurboQuant boundary V: turbo2 V → layers 0, 1, n−2, n−1 store q8_0; size line keeps turbo2", () => {
  const m = planMemory(qwen, cfg(turbo({ n_ctx: 2048, type_k: "turbo4", type_v: "turbo2" })));
  const c = m.caches[0];
  assert.equal(c.type_v, "turbo2");
  assert.deepEqual(
    c.rows.filter((r) => r.type_v === "q8_0").map((r) => r.layer),
    [0, 1, 38, 39],
  );
  // V per cell: 4 × row(q8_0, 1024) + 36 × row(turbo2, 1024) = 4 × 1088 + 36 × 272 = 14,144
  assert.equal(c.v_bytes, 14_144 * 2048);
  // K turbo4: 40 × 544
  assert.equal(c.k_bytes, 40 * 544 * 2048);
});

test("#turboquant-head-padding TurboQuant head zero-padding to 128: head 64 doubles the turbo K/V bytes", () => {
  // Llama-3.2-1B-like: 16 layers, 32 heads / 8 KV heads (GQA 4), head 64
  const a = arch({
    arch: "llama",
    block_count: 16,
    n_embd: 2048,
    n_head: 32,
    n_head_kv: 8,
    key_length: 64,
    value_length: 64,
    vocab_size: 128256,
  });
  const m = planMemory(a, cfg(turbo({ n_ctx: 1024, type_k: "turbo4", type_v: "turbo4" })));
  assert.equal(m.caches[0].rows[0].k_width, 1024);
  assert.equal(m.caches[0].rows[0].v_width, 1024);
  // 16 layers × 2 × (1024 / 128 × 68) × 1024 cells
  assert.equal(m.caches[0].bytes, 16 * 2 * 544 * 1024);
  assert.ok(m.notes.some((n) => n.code === "turbo-head-padding"));
});

test("#turboquant-rotation-buffers TurboQuant rotation buffers: 131,584 B per cache instance, outside the size line", () => {
  assert.equal(TURBO_ROTATION_BYTES, 2 * 128 * 128 * 4 + 128 * 4);
  const b = computeBreakdown(qwen, cfg(turbo({ n_ctx: 2048, type_k: "turbo4", type_v: "turbo4" })));
  assert.equal(b.kv.extra_bytes, 131_584);
  assert.equal(b.kv.per_device[0].bytes, b.kv.bytes + 131_584);
  // iSWA: two instances (Gemma-3-27B, GQA 32/16 = 2, K stays turbo)
  const g = computeBreakdown(fixture("gemma3-27b"), cfg(turbo({ n_ctx: 8192, type_k: "turbo4", type_v: "turbo4" })));
  assert.equal(g.kv.extra_bytes, 2 * 131_584);
  // after an auto-asymmetric K upgrade the K type is not turbo: no rotation buffers
  const o = computeBreakdown(fixture("gpt-oss-20b"), cfg(turbo({ n_ctx: 8192, type_k: "turbo4", type_v: "turbo4" })));
  assert.equal(o.kv.extra_bytes, 0);
});

test("#turboquant turbo types force flash attention on in the fork, and are rejected upstream", () => {
  const m = computeBreakdown(qwen, cfg(turbo({ n_ctx: 2048, type_k: "turbo3", type_v: "turbo3", flash_attn: "off" })));
  assert.equal(m.effective.flash_attn, true);
  assert.ok(m.notes.some((n) => n.code === "turbo-fa-forced"));
  throwsEngine(
    () => planMemory(qwen, cfg({ n_ctx: 2048, type_k: "turbo4", type_v: "turbo4" })),
    "unsupported-config",
    "type_k",
  );
});

test("#turboquant-layouts TurboQuant 2026-03 layouts: turbo3 14 B / 32 (3.5 bpv) vs 50 B / 128 (3.125 bpv)", () => {
  const at = (revision: "2026-03" | "2026-05") =>
    planMemory(qwen, cfg({ n_ctx: 2048, type_k: "turbo3", type_v: "turbo3", engine: { name: "turboquant", revision } }))
      .caches[0].bytes;
  // 40 × 2 × (1024 / 32 × 14) × 2048 = 70 MiB; 40 × 2 × (1024 / 128 × 50) × 2048 = 62.5 MiB
  assert.equal(at("2026-03"), 40 * 2 * 448 * 2048);
  assert.equal(at("2026-05"), 40 * 2 * 400 * 2048);
});

test("#ollama Ollama: num_ctx is per request (× n_seq), one KV type, explicit num_ctx", () => {
  const m = planMemory(qwen, cfg({ n_ctx: 8192, n_seq: 4, engine: { name: "ollama" } }));
  assert.equal(m.n_ctx_total_requested, 32768);
  assert.equal(m.plan.n_ctx_seq, 8192);
  assert.equal(m.plan.n_ctx, 32768);
  throwsEngine(
    () => planMemory(qwen, cfg({ n_ctx: 8192, type_k: "q8_0", type_v: "q4_0", engine: { name: "ollama" } })),
    "unsupported-config",
    "type_v",
  );
  throwsEngine(() => planMemory(qwen, cfg({ n_ctx: 0, engine: { name: "ollama" } })), "unsupported-config", "n_ctx");
  // OLLAMA_KV_CACHE_TYPE takes f16, q8_0 or q4_0 only (ollama docs/faq.md); llama.cpp takes q5_0.
  throwsEngine(
    () => planMemory(qwen, cfg({ n_ctx: 8192, type_k: "q5_0", type_v: "q5_0", engine: { name: "ollama" } })),
    "unsupported-config",
    "type_k",
  );
  assert.equal(
    planMemory(qwen, cfg({ n_ctx: 8192, type_k: "q4_0", type_v: "q4_0", engine: { name: "ollama" } })).caches[0].bytes,
    40 * 2 * (1024 / 32) * 18 * 8192,
  );
  throwsEngine(
    () => planMemory(qwen, cfg({ n_ctx: 8192, type_k: "turbo4", type_v: "turbo4", engine: { name: "ollama" } })),
    "unsupported-config",
  );
});

test("#context-cells n_ctx 0 means the training context", () => {
  const m = planMemory(qwen, cfg({ n_ctx: 0 }));
  assert.equal(m.plan.n_ctx, 40960);
});

test("missing architecture fields are refused with the field's name, never guessed", () => {
  throwsEngine(
    () => planMemory(arch({ arch: "qwen3", block_count: 4, n_embd: 512, n_head: 8 }), cfg({ n_ctx: 1024 })),
    "missing-field",
    "n_head_kv",
  );
  throwsEngine(
    () =>
      planMemory(arch({ arch: "gemma3", block_count: 6, n_embd: 512, n_head: 8, n_head_kv: 4 }), cfg({ n_ctx: 1024 })),
    "missing-field",
    "sliding_window",
  );
  throwsEngine(
    () =>
      planMemory(
        arch({
          arch: "newhybrid",
          block_count: 4,
          n_embd: 512,
          n_head: 8,
          n_head_kv: 4,
          recurrent: { family: "mamba2", d_conv: 4, d_inner: 1024, d_state: 64, n_group: 1 },
        }),
        cfg({ n_ctx: 1024 }),
      ),
    "missing-field",
    "recurrent_layers",
  );
  throwsEngine(
    () =>
      planMemory(
        arch({
          arch: "mamba2",
          block_count: 4,
          n_embd: 512,
          recurrent: { family: "mamba2", d_conv: 4, d_inner: 1024, d_state: 64 },
        }),
        cfg({ n_ctx: 1024 }),
      ),
    "missing-field",
    "recurrent.n_group",
  );
  throwsEngine(
    () =>
      computeBreakdown(
        arch({ arch: "qwen3", block_count: 4, n_embd: 512, n_head: 8, n_head_kv: 8 }),
        cfg({ n_ctx: 1024 }),
      ),
    "missing-field",
    "vocab_size",
  );
});

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
