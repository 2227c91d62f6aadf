/**
 * Engine rules per layer: MLA, recurrent state per family, hybrid layer patterns, NextN/MTP, shared KV layers.
 * One rule of docs/memory-model.md, one test (named by its section anchor); expected values are hand
 * arithmetic from the geometry written in each test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { planMemory, resolveLayers } from "../../../src/lib/engine/index.ts";
import type { RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { arch, cfg, fixture } from "../../helpers/engine.ts";
import { turbo } from "./rules-helpers.ts";

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
