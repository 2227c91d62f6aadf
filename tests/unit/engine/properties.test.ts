/**
 * Property tests: monotonic in context, KV type size order, maxContext exact at the boundary.
 * Deterministic pseudo-random inputs (seeded) so a failure reproduces.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  computeBreakdown,
  contextStep,
  kvTypeTraits,
  maxContext,
  maxContextPerKvType,
} from "../../../src/lib/engine/index.ts";
import { cfg, fixture } from "../../helpers/engine.ts";
import type { RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FAMILIES = [
  "qwen3-14b",
  "qwen3.5-27b",
  "gemma3-27b",
  "gemma3n-e4b",
  "gpt-oss-20b",
  "deepseek-v3",
  "mamba2-2.7b",
  "granite-4.0-h-small",
  "falcon-h1-0.5b",
  "rwkv7-2.9b",
  "lfm2-1.2b",
  "llama4-scout",
];

test("every fixture family is sized without error and its totals add up", () => {
  for (const f of FAMILIES) {
    const b = computeBreakdown(fixture(f), cfg({ n_ctx: 8192, weights_ftype: "Q4_K_M" }));
    assert.equal(b.total.bytes, b.total.device_bytes + b.total.host_bytes, f);
    assert.equal(b.kv.bytes, b.kv.k_bytes + b.kv.v_bytes, f);
    assert.equal(b.recurrent.bytes, b.recurrent.r_bytes + b.recurrent.s_bytes, f);
    assert.equal(b.layer_kinds.length, fixture(f).block_count, f);
  }
});

test("KV, recurrent and totals are monotonic in n_ctx for every family and configuration", () => {
  const r = rng(42);
  const configs: RuntimeConfigInput[] = [
    {},
    { type_k: "q8_0", type_v: "q8_0" },
    { flash_attn: "off" },
    { n_seq: 4, kv_unified: true },
    { n_seq: 3 },
    { type_k: "q4_0", type_v: "q4_0", backend: "metal" },
  ];
  for (const f of FAMILIES) {
    const a = fixture(f);
    for (const c of configs) {
      let prev = { kv: -1, total: -1, dev: -1 };
      const ctxs = Array.from({ length: 25 }, () => 1 + Math.floor(r() * 200_000)).sort((x, y) => x - y);
      for (const n of ctxs) {
        const b = computeBreakdown(a, cfg({ ...c, n_ctx: n, weights_ftype: "Q4_K_M" }));
        assert.ok(b.kv.bytes >= prev.kv, `${f} kv at ${n}`);
        assert.ok(b.total.bytes >= prev.total, `${f} total at ${n}`);
        assert.ok(b.total.device_bytes >= prev.dev, `${f} device at ${n}`);
        prev = { kv: b.kv.bytes, total: b.total.bytes, dev: b.total.device_bytes };
      }
    }
  }
});

test("KV type size order: f32 > f16 = bf16 > q8_0 > q5_1 > q5_0 > q4_1 > q4_0 = iq4_nl; turbo4 > turbo3 > turbo2", () => {
  const profile = { name: "llama.cpp", revision: "current" } as const;
  const bpv = (t: Parameters<typeof kvTypeTraits>[0], p: Parameters<typeof kvTypeTraits>[1] = profile) => {
    const tr = kvTypeTraits(t, p);
    return (tr.bytes * 8) / tr.blck;
  };
  assert.deepEqual(
    (["f32", "f16", "bf16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl"] as const).map((t) => bpv(t)),
    [32, 16, 16, 8.5, 6, 5.5, 5, 4.5, 4.5],
  );
  const tq = { name: "turboquant", revision: "2026-05" } as const;
  assert.deepEqual(
    (["turbo4", "turbo3", "turbo2"] as const).map((t) => bpv(t, tq)),
    [4.25, 3.125, 2.125],
  );
  const old = { name: "turboquant", revision: "2026-03" } as const;
  assert.deepEqual(
    (["turbo4", "turbo3", "turbo2"] as const).map((t) => bpv(t, old)),
    [4.25, 3.5, 2.5],
  );
  // and the engine's KV bytes follow the same order for a real geometry
  const a = fixture("qwen3-14b");
  const kv = (t: "f32" | "f16" | "q8_0" | "q5_1" | "q5_0" | "q4_1" | "q4_0") =>
    computeBreakdown(a, cfg({ n_ctx: 8192, type_k: t, type_v: t })).kv.bytes;
  const order = (["f32", "f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"] as const).map(kv);
  for (let i = 1; i < order.length; i++) assert.ok(order[i] < order[i - 1]);
});

test("maxContext is exact at the boundary: n fits, n + step does not (random budgets, several families)", () => {
  const r = rng(7);
  const configs: RuntimeConfigInput[] = [
    { weights_ftype: "Q4_K_M" },
    { weights_ftype: "Q4_K_M", type_k: "q8_0", type_v: "q8_0" },
    { weights_ftype: "Q4_K_M", flash_attn: "off" },
    { weights_ftype: "Q4_K_M", n_seq: 3 },
    { weights_ftype: "Q4_K_M", backend: "metal" },
  ];
  for (const f of ["qwen3-14b", "gemma3-27b", "qwen3.5-27b", "gpt-oss-20b", "lfm2-1.2b"]) {
    const a = fixture(f);
    for (const ci of configs) {
      const c = cfg(ci);
      const base = computeBreakdown(a, { ...c, n_ctx: 256 * (c.kv_unified ? 1 : c.n_seq) });
      const pool = c.backend === "cuda" ? "device_bytes" : "bytes";
      for (let i = 0; i < 6; i++) {
        const budget = Math.round(base.total[pool] * (1 + r() * 1.5));
        const res = maxContext(a, c, { bytes: budget }, { limit: 1 << 20 });
        assert.ok(res, `${f} ${JSON.stringify(ci)} budget ${budget}`);
        const step = contextStep(c);
        assert.equal(res.step, step);
        assert.equal(res.n_ctx % step, 0);
        assert.ok(res.breakdown.total[pool] <= budget);
        if (res.limited_by === "budget") {
          const next = computeBreakdown(a, { ...c, n_ctx: res.n_ctx + step });
          assert.ok(next.total[pool] > budget, `${f}: ${res.n_ctx + step} should not fit`);
        }
      }
    }
  }
});

test("maxContext: monotonic in the budget, null when nothing fits, limited by the training context", () => {
  const a = fixture("qwen3-14b");
  const c = cfg({ weights_ftype: "Q4_K_M" });
  let prev = 0;
  for (let g = 10; g <= 30; g += 2) {
    const res = maxContext(a, c, { bytes: g * 2 ** 30 }, { limit: 1 << 20 });
    const n = res ? res.n_ctx : 0;
    assert.ok(n >= prev);
    prev = n;
  }
  assert.equal(maxContext(a, c, { bytes: 2 ** 30 }), null);
  const big = maxContext(a, c, { bytes: 80 * 2 ** 30 })!;
  assert.equal(big.limited_by, "limit");
  assert.equal(big.n_ctx, 40960);
});

test("maxContext per KV type: smaller types give longer contexts; quantized V without FA is reported", () => {
  const a = fixture("qwen3-14b");
  const res = maxContextPerKvType(
    a,
    cfg({ weights_ftype: "Q4_K_M" }),
    { bytes: 16 * 2 ** 30 },
    ["f16", "q8_0", "q4_0"],
    {
      limit: 1 << 20,
    },
  );
  const n = res.map((r) => r.result!.n_ctx);
  assert.ok(n[0] < n[1] && n[1] < n[2], n.join(" "));
  const off = maxContextPerKvType(a, cfg({ weights_ftype: "Q4_K_M", flash_attn: "off" }), { bytes: 16 * 2 ** 30 }, [
    "f16",
    "q8_0",
  ]);
  assert.ok(off[0].result);
  assert.match(off[1].error!, /requires Flash Attention/);
});
