/**
 * Engine refusals and row rules: V padding without FA, quantized V, FA block sizes, MLA types, divisibility, CUDA row padding, missing fields.
 * One rule of docs/memory-model.md, one test (named by its section anchor); expected values are hand
 * arithmetic from the geometry written in each test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { computeBreakdown, planMemory } from "../../../src/lib/engine/index.ts";
import { arch, cfg, fixture } from "../../helpers/engine.ts";
import { qwen, throwsEngine } from "./rules-helpers.ts";

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
