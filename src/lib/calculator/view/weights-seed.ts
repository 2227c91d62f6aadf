/**
 * The weights the page's first answer read, computed at build time and handed to the island with
 * the first view: the island seeds the engine's weights cache with them when it adopts that view
 * (./adopt.ts), so its first input (the slider, a K/V type: anything that keeps the model, the
 * weights, the backend, the GPU layers and the engine) does not build the model's tensor table in
 * the browser before it answers. The same engine over the same architecture gives the same
 * weights (tests/unit/calculator/weights-seed.test.ts): each entry is keyed by everything of the
 * configuration the weights depend on (engine/runtime-weights.ts weightsKey), so the seed holds
 * for any state of the same catalog model, and is taken only for that model.
 */
import { seedWeights, weightsEntries, type WeightsOut } from "../../engine/runtime-weights.ts";
import type { CalcState } from "../state.ts";
import { computeAtCtx } from "./ctx.ts";
import { resolveModel } from "./model.ts";
import type { Resolved, StaticView, ViewInput } from "./types.ts";

export interface WeightsSeed {
  /** The catalog model (its architecture) the entries were computed for. */
  model: string;
  /** computeWeights' answers by weights key (engine/runtime-weights.ts weightsEntries). */
  entries: [string, WeightsOut][];
}

const optsOf = (r: Resolved) => ({ tensors: r.tensors, tensors_ftype: r.tensorsFtype });

/**
 * The build's half: the weights the island's half at the context of `inp.state` reads on the
 * static half `sv` (computeAtCtx without the suggestions, as the island computes it), recorded on
 * a copy of the architecture (its own engine caches). Null for a model of the user's or when the
 * model cannot be sized: the island then computes them itself.
 */
export function weightsSeedFor(inp: ViewInput, sv: StaticView): WeightsSeed | null {
  if (inp.loaded || !sv.model) return null;
  try {
    const r = resolveModel(inp.state, inp.catalog, null);
    const own = {
      ...r,
      arch: structuredClone(r.arch),
      quants: { ftypes: inp.catalog.ftypes, kvTypes: inp.catalog.kvTypes },
    };
    computeAtCtx(sv, { ...own, extras: null }, inp.state, { suggestions: false });
    const entries = weightsEntries(own.arch, optsOf(own));
    return entries.length ? { model: inp.state.model, entries } : null;
  } catch {
    return null;
  }
}

/** The island's half: seeds the engine's cache for the adopted model; false when `seed` is of another model. */
export function adoptWeights(resolved: Resolved, state: CalcState, seed: WeightsSeed | null): boolean {
  if (!seed || seed.model !== state.model || resolved.model.source !== "catalog") return false;
  seedWeights(resolved.arch, optsOf(resolved), seed.entries);
  return true;
}
