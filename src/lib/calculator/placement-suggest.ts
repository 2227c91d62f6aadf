/**
 * Suggestions when a PC's placement does not fit (or leaves under 10 % on a device): the same
 * single changes as for one device (./suggest.ts) — experts on the CPU first, then GPU layers, a
 * smaller KV type, smaller weights, a smaller context — each judged by the PC's own verdict
 * (./placement-answer.ts `placedVerdict`, placeModel on every device), so applying one makes the
 * headline verdict say "fits".
 */
import type { CalcCatalog } from "./catalog.ts";
import type { MachineSpec } from "./placement-machine.ts";
import { placedVerdict, type PlacedLargest } from "./placement-answer.ts";
import type { PlacementModel } from "./placement-view.ts";
import type { CalcState } from "./state.ts";
import { largestCtxBelow, mostLayers, suggest, type Suggestion } from "./suggest.ts";
import { cpuMoeSuggestion, smallestCpuMoe } from "./suggest-moe.ts";
import { parseMachine } from "./placement-machine.ts";

export interface PlacedSuggestInput {
  model: PlacementModel;
  state: CalcState;
  spec: MachineSpec;
  /** The PC's verdict at the state (suggestions only for "no" and "tight"). */
  verdict: "fits" | "tight" | "no" | "unknown";
  largest: PlacedLargest;
  quants: Pick<CalcCatalog, "ftypes" | "kvTypes">;
}

/** The state's PC as the patch would leave it (a patch may carry its own machine). */
function specOf(s: CalcState, fallback: MachineSpec): MachineSpec {
  if (s.machine === "") return fallback;
  const r = parseMachine(s.machine, "any");
  return r.ok ? { ...r.spec, gpus: r.spec.gpus.map((g, i) => fallback.gpus[i] ?? g) } : fallback;
}

export function placedSuggestions(i: PlacedSuggestInput): Suggestion[] {
  if (i.verdict !== "no" && i.verdict !== "tight") return [];
  const tight = i.verdict === "tight";
  const fits = (s: CalcState): boolean => {
    const k = placedVerdict(i.model, s, specOf(s, i.spec)).kind;
    return k === "fits" || (!tight && k === "tight");
  };
  const nLayers = i.model.arch.block_count + 1;
  const moe = smallestCpuMoe(i.model, i.state, i.spec, tight);
  return suggest({
    state: i.state,
    maxLayersFit: mostLayers((n) => fits({ ...i.state, nGpuLayers: n }), nLayers),
    nLayers,
    largestCtx: tight ? largestCtxBelow((c) => fits({ ...i.state, ctx: c }), i.state.ctx) : i.largest.nCtx,
    exactWeights: i.model.tensors !== null,
    ftypes: i.quants.ftypes,
    kvTypes: i.quants.kvTypes,
    fits,
    tight,
    // proven by placeModel with the same test as the verdict (each device within its memory, 10 % when tight)
    cpuMoe: moe ? cpuMoeSuggestion(moe, nLayers - 1, tight) : null,
  });
}
