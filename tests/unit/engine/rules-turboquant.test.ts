/**
 * Engine rules of the TurboQuant fork and of Ollama.
 * One rule of docs/memory-model.md, one test (named by its section anchor); expected values are hand
 * arithmetic from the geometry written in each test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { computeBreakdown, planMemory, TURBO_ROTATION_BYTES } from "../../../src/lib/engine/index.ts";
import { arch, cfg, fixture } from "../../helpers/engine.ts";
import { qwen, throwsEngine, turbo } from "./rules-helpers.ts";

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
