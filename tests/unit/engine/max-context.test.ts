/**
 * maxContext against its oracle: the interpolating solver over remembered curves must give the
 * binary search's answer for every catalog preset × KV types × budgets × configurations (SWA,
 * MLA, recurrent and hybrid models, parallel sequences, older cell rules, TurboQuant, ollama,
 * partial offload, device limits), including budgets exactly on a grid point's total.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { computeBreakdown, contextStep, EngineError, maxContext } from "../../../src/lib/engine/index.ts";
import type { Budget } from "../../../src/lib/engine/index.ts";
import type { Architecture } from "../../../src/schemas/architecture.ts";
import type { RuntimeConfig, RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { cfg } from "../../helpers/engine.ts";
import { maxContextBySearch } from "../../helpers/max-context-oracle.ts";
import { DATA_DIR } from "../catalog/fixture.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const CONFIGS: RuntimeConfigInput[] = [
  {},
  { type_k: "q8_0", type_v: "q8_0" },
  { type_k: "q4_0", type_v: "q4_0", backend: "metal" },
  { type_k: "q8_0", type_v: "q4_0" },
  { flash_attn: "off" },
  { n_seq: 4 },
  { n_seq: 4, kv_unified: true, type_k: "q8_0", type_v: "q8_0" },
  { swa_full: true, backend: "cpu" },
  { n_gpu_layers: 10 },
  { no_kv_offload: true },
  { engine: { name: "llama.cpp", revision: "2025-10-28" }, n_seq: 3 },
  { engine: { name: "llama.cpp", revision: "2025-07-16" }, flash_attn: "off", n_seq: 2 },
  { engine: { name: "llama.cpp", revision: "2025-11-07" }, type_k: "q5_1", type_v: "q5_0" },
  { engine: { name: "turboquant", revision: "2026-05" }, type_k: "turbo3", type_v: "turbo3" },
  { engine: { name: "turboquant", revision: "2026-03" }, type_k: "q8_0", type_v: "turbo2", n_seq: 2 },
  { engine: { name: "ollama", revision: "2026-05" }, type_k: "q8_0", type_v: "q8_0", n_seq: 2 },
];

type Outcome = { n_ctx: number; limited_by: string } | null | { error: string };

function outcome(solve: () => { n_ctx: number; limited_by: string } | null): Outcome {
  try {
    const r = solve();
    return r && { n_ctx: r.n_ctx, limited_by: r.limited_by };
  } catch (e) {
    if (e instanceof EngineError) return { error: e.message };
    throw e;
  }
}

/** Budgets spread over the curve's range, plus one exactly on a grid point's total. */
function budgets(a: Architecture, c: RuntimeConfig, limit: number, r: () => number): Budget[] {
  const step = contextStep(c);
  const kMax = Math.floor(limit / step);
  let lo: number;
  let hi: number;
  let onPoint: number;
  try {
    lo = computeBreakdown(a, { ...c, n_ctx: step }).total.bytes;
    hi = computeBreakdown(a, { ...c, n_ctx: kMax * step }).total.bytes;
    onPoint = computeBreakdown(a, { ...c, n_ctx: Math.max(1, Math.floor(kMax * r())) * step }).total.bytes;
  } catch (e) {
    if (e instanceof EngineError) return [{ bytes: 1e12 }];
    throw e;
  }
  const out: Budget[] = [
    { bytes: onPoint, pool: "total" },
    { bytes: lo - 1, pool: "total" },
  ];
  for (let i = 0; i < 4; i++) out.push({ bytes: Math.round(lo + (hi - lo) * 1.05 * r()), pool: "total" });
  out.push({ bytes: Math.round(hi * r()) }); // default pool (device on CUDA)
  out.push({ bytes: Math.round(lo + (hi - lo) * r()), pool: "host" });
  out.push({ bytes: hi * 2, pool: "total", device_limit_bytes: Math.round(lo + (hi - lo) * r()) });
  return out;
}

test("maxContext equals the binary-search oracle over presets × configurations × budgets", () => {
  const { catalog } = loadCatalog(DATA_DIR);
  const r = rng(14);
  let compared = 0;
  let found = 0;
  for (const model of catalog.models) {
    const a = model.architecture;
    // Four configurations per preset, in rotation, so every configuration meets every family.
    const pick = [0, 1, 2, 3].map((j) => CONFIGS[((compared / 10 + j * 4 + model.id.length) % CONFIGS.length) | 0]);
    for (const input of pick) {
      const c = cfg({ weights_ftype: "Q4_K_M", ...input });
      const limit = r() < 0.5 ? (a.context_length ?? 1 << 20) : 1 << Math.floor(12 + r() * 8);
      for (const b of budgets(a, c, limit, r)) {
        const want = outcome(() => maxContextBySearch(a, c, b, { limit }));
        const got = outcome(() => maxContext(a, c, b, { limit }));
        assert.deepEqual(got, want, `${model.id} ${JSON.stringify(input)} ${JSON.stringify(b)} limit ${limit}`);
        compared++;
        if (want && "n_ctx" in want && want.limited_by === "budget") found++;
      }
    }
  }
  assert.ok(compared > 2000, `compared ${compared}`);
  assert.ok(found > compared / 4, `only ${found} of ${compared} solves were limited by the budget`);
});

test("maxContext's breakdown is the engine's breakdown at the answer, read on demand", () => {
  const { catalog } = loadCatalog(DATA_DIR);
  for (const id of ["qwen3.5-27b", "gemma-3-27b", "deepseek-v3", "granite-4.0-h-small", "gpt-oss-20b"]) {
    const a = catalog.models.find((m) => m.id === id)!.architecture;
    const c = cfg({ weights_ftype: "Q4_K_M", type_k: "q8_0", type_v: "q8_0" });
    const b: Budget = { bytes: computeBreakdown(a, { ...c, n_ctx: 8192 }).total.device_bytes + 12345 };
    const got = maxContext(a, c, b)!;
    const want = maxContextBySearch(a, c, b)!;
    assert.equal(got.n_ctx, want.n_ctx, id);
    assert.deepEqual(got.breakdown, want.breakdown, id);
    assert.deepEqual(JSON.parse(JSON.stringify(got)).breakdown, JSON.parse(JSON.stringify(want.breakdown)), id);
  }
});

test("a remembered curve does not leak between configurations that differ only off the grid", () => {
  const { catalog } = loadCatalog(DATA_DIR);
  const a = catalog.models.find((m) => m.id === "qwen3-14b")!.architecture;
  const budget: Budget = { bytes: 14 * 2 ** 30 };
  const f16 = cfg({ weights_ftype: "Q4_K_M" });
  const q4 = cfg({ weights_ftype: "Q4_K_M", type_k: "q4_0", type_v: "q4_0" });
  const bigWeights = cfg({ weights_ftype: "Q8_0" });
  for (const c of [f16, q4, bigWeights, f16, q4, bigWeights])
    assert.equal(maxContext(a, c, budget)?.n_ctx, maxContextBySearch(a, c, budget)?.n_ctx, JSON.stringify(c));
});
