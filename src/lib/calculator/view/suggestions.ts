/**
 * What to change when the question does not fit (or fits with under 10 % to spare): assembles
 * ../suggest.ts's inputs from a state and its resolved model, with the engine's own verdict as the
 * test. One pure function, so the island and the calc CLI give the same suggestions for the same
 * state.
 */
import type { Architecture } from "../../../schemas/architecture.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import type { PlacementExtras } from "../../engine/placement/extras.ts";
import { computeBreakdown } from "../../engine/breakdown.ts";
import type { Budget as EngineBudget } from "../../engine/solve.ts";
import type { CalcCatalog } from "../catalog.ts";
import type { CalcState } from "../state.ts";
import { largestCtxBelow, mostLayers, suggest, type Suggestion } from "../suggest.ts";
import { fitsBudget, type Verdict } from "../verdict.ts";
import { configFor } from "./config.ts";
import { oneGpuCpuMoe } from "../suggest-moe.ts";

/** The model a state is computed for: its architecture and, for a GGUF, its tensor table. */
export interface SuggestionModel {
  arch: Architecture;
  tensors: TensorTable | null;
  tensorsFtype: string | null;
  /** The vision encoder is counted (state.vision and the model has one). */
  vision: boolean;
  /** A loaded projector and/or draft (./placed.ts soloExtras): the experts-on-CPU suggestion places them. */
  extras?: PlacementExtras | null;
}

export interface SuggestionsInput {
  state: CalcState;
  model: SuggestionModel;
  /** The engine's budget (../../catalog/budget.ts `engineBudget`). */
  budget: EngineBudget;
  /** The verdict at the state (suggestions only for "no" and "tight"). */
  verdict: Verdict["kind"];
  /** Largest context of the state's configuration for the budget (the max table's selected row). */
  largestCtx: number | null;
  /** The catalog's quant tables (weights ladder with bits per weight, KV types with quality notes). */
  quants: Pick<CalcCatalog, "ftypes" | "kvTypes">;
  /** Most GPU layers that fit at the state (computed here when left out). */
  maxLayersFit?: number | null;
}

/** Whether a state fits the budget (with 10 % to spare when `tight`), by the engine's totals. */
function fitsTest(inp: SuggestionsInput, tight: boolean): (s: CalcState) => boolean {
  const { arch, tensors, tensorsFtype, vision } = inp.model;
  const opts = { tensors, tensors_ftype: tensorsFtype };
  return (s2) => {
    try {
      const cfg = configFor(s2, s2.typeK, s2.typeV, s2.ctx, tensors !== null, vision);
      const f = fitsBudget(computeBreakdown(arch, cfg, opts), inp.budget);
      return tight ? f.rel >= 0.1 : f.ok;
    } catch {
      return false;
    }
  };
}

/** Most GPU layers (counting the output layer) that fit the budget at the state; null = not even 0. */
export function maxLayersFitFor(state: CalcState, model: SuggestionModel, budget: EngineBudget | null): number | null {
  if (!budget || state.backend === "cpu") return null;
  const { arch, tensors, tensorsFtype, vision } = model;
  const opts = { tensors, tensors_ftype: tensorsFtype };
  const cfg = configFor(state, state.typeK, state.typeV, state.ctx, tensors !== null, vision);
  const fitsAt = (ngl: number) => {
    try {
      return fitsBudget(computeBreakdown(arch, { ...cfg, n_gpu_layers: ngl }, opts), budget).ok;
    } catch {
      return false;
    }
  };
  return mostLayers(fitsAt, model.arch.block_count + 1);
}

/**
 * The cheapest single changes that make the state fit (verdict "no"), or that leave 10 % to spare
 * (verdict "tight"); none otherwise.
 */
export function suggestionsFor(inp: SuggestionsInput): Suggestion[] {
  const { state, verdict } = inp;
  if (verdict !== "no" && verdict !== "tight") return [];
  const tight = verdict === "tight";
  const nLayers = inp.model.arch.block_count + 1;
  const target = fitsTest(inp, tight);
  const maxLayersFit =
    tight && state.backend !== "cpu"
      ? mostLayers((n) => target({ ...state, nGpuLayers: n }), nLayers)
      : inp.maxLayersFit !== undefined
        ? inp.maxLayersFit
        : maxLayersFitFor(state, inp.model, inp.budget);
  return suggest({
    state,
    maxLayersFit,
    nLayers,
    largestCtx: tight ? largestCtxBelow((c) => target({ ...state, ctx: c }), state.ctx) : inp.largestCtx,
    exactWeights: inp.model.tensors !== null,
    ftypes: inp.quants.ftypes,
    kvTypes: inp.quants.kvTypes,
    fits: target,
    tight,
    cpuMoe: oneGpuCpuMoe(inp.model, state, inp.budget, tight, inp.model.vision),
  });
}
