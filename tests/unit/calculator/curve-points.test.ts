/**
 * The chart's curves through the totals-only path (src/lib/calculator/static-cache.ts
 * `curvePointsByTotals`, docs/memory-model.md#totals-only) are the full breakdowns' curves to the
 * byte: for every catalog preset, the usual K/V types (symmetric f16/q8_0/q4_0, an asymmetric
 * pair, TurboQuant's), each engine, parallel and unified sequences, partial offload, the CPU and
 * Metal backends and the vision encoder, at the contexts the calculator draws, in both pools;
 * built from a breakdown at the first sample or from the calculator's probe at 4096.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KvType } from "../../../src/schemas/kv-type.ts";
import { computeBreakdown } from "../../../src/lib/engine/breakdown.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { sampleContexts, sliderScale, SLIDER_MIN_CTX } from "../../../src/lib/calculator/slider.ts";
import { curvePoints, curvePointsByBreakdown, curvePointsByTotals } from "../../../src/lib/calculator/static-cache.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { configFor } from "../../../src/lib/calculator/view.ts";
import { loadCatalog } from "./load-catalog.ts";

const SYM: KvType[] = ["f16", "q8_0", "q4_0"];
const ASYM: [KvType, KvType] = ["q8_0", "q4_0"];

/** States the calculator sizes: the page's default, and one per engine rule the totals path follows. */
const STATES: Partial<CalcState>[] = [
  {},
  { engine: "llama.cpp", revision: "current", backend: "cuda", nSeq: 1, unified: false },
  { engine: "llama.cpp", revision: "current", backend: "cuda", nSeq: 3, unified: false, nGpuLayers: 10 },
  { engine: "llama.cpp", revision: "current", backend: "cpu", flashAttn: "off", ftype: "Q8_0" },
  { engine: "llama.cpp", revision: "2025-07-16", backend: "cuda", nSeq: 2, unified: false, flashAttn: "off" },
  { engine: "ollama", revision: "2026-05", backend: "cuda", nSeq: 2, unified: false, swaFull: true },
  { backend: "metal", vision: true, nUbatch: 2048 },
];

function typesOf(s: CalcState): [KvType, KvType][] {
  const turbo: [KvType, KvType][] = [
    ["turbo4", "turbo4"],
    ["turbo3", "turbo3"],
    ["q8_0", "turbo4"],
  ];
  return [...SYM.map((t): [KvType, KvType] => [t, t]), ASYM, ...(s.engine === "turboquant" ? turbo : [])];
}

test("every preset's curves by the totals-only path equal the full breakdowns'", () => {
  const catalog = loadCatalog();
  let lines = 0;
  let points = 0;
  for (const m of catalog.models) {
    const arch = ArchitectureSchema.parse(m.architecture);
    const samples = sampleContexts(SLIDER_MIN_CTX, sliderScale(arch.context_length).maxCtx, 3);
    for (const [i, patch] of STATES.entries()) {
      const state = { ...DEFAULT_STATE, ...patch, model: m.id } as CalcState;
      const pool = i % 2 === 0 ? "total" : "device";
      for (const [k, v] of typesOf(state)) {
        const config = configFor(state, k, v, 0, false, state.vision && !!m.visionEncoder);
        const want = curvePointsByBreakdown(arch, config, samples, pool, {});
        if (want.length === 0) continue; // the engine refuses the configuration
        const label = `${m.id} ${JSON.stringify(patch)} ${k}/${v} ${pool}`;
        const got = curvePointsByTotals(arch, config, samples, pool, {});
        assert.ok(got !== null, `${label}: the totals-only path declined`);
        assert.deepEqual(got, want, label);
        // from the calculator's probe (a breakdown at 4096) as its reference, as curves.ts calls it
        const ref = { nCtx: 4096, breakdown: computeBreakdown(arch, { ...config, n_ctx: 4096 }) };
        assert.deepEqual(curvePointsByTotals(arch, config, samples, pool, {}, ref), want, `${label} (probe)`);
        assert.deepEqual(curvePoints(arch, config, samples, pool, {}, ref), want, label);
        lines++;
        points += want.length;
      }
    }
  }
  assert.ok(lines > 2000 && points > 60000, `compared ${lines} lines, ${points} points`);
});
