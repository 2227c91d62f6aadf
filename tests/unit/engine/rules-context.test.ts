/**
 * Engine rules for the context: cell padding, batch defaults, streams, sliding windows, chunked attention.
 * One rule of docs/memory-model.md, one test (named by its section anchor); expected values are hand
 * arithmetic from the geometry written in each test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { planContext, planMemory, resolveLayers } from "../../../src/lib/engine/index.ts";
import type { RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { arch, cfg, fixture } from "../../helpers/engine.ts";
import { PER_CELL_F16, qwen } from "./rules-helpers.ts";

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

test("#context-cells n_ctx 0 means the training context", () => {
  const m = planMemory(qwen, cfg({ n_ctx: 0 }));
  assert.equal(m.plan.n_ctx, 40960);
});
