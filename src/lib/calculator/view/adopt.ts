/**
 * The static half of the view the build computed for the page's first state, taken as it is once
 * the engine has loaded instead of computed again: the same engine over the same catalog gives the
 * same object (tests/unit/calculator/adopt-static.test.ts), so the first live answer does not wait
 * for the curves, the max-context table and the cold weights tables (bench: /calculator/ time to
 * interactive). Only for what the build computed: a catalog model on one device, no file, run,
 * projector or draft of the user's. The island computes the view for real as soon as an input
 * changes (the measured runs' arrival included), which also fills the engine's caches.
 */
import { staticKey } from "./config.ts";
import { resolveModel } from "./model.ts";
import type { Resolved, StaticView, ViewInput } from "./types.ts";

export function adoptStatic(view: StaticView, inp: ViewInput): { view: StaticView; resolved: Resolved } | null {
  const { state, catalog } = inp;
  const own = inp.loaded !== null || inp.extraRuns.length > 0 || (inp.reserve ?? null) !== null;
  if (own || state.machine !== "" || state.draft !== "" || view.error !== null || view.model === null) return null;
  if (view.key !== staticKey(state)) return null;
  let resolved: Resolved;
  try {
    resolved = resolveModel(state, catalog, null);
  } catch {
    return null;
  }
  // as computeStatic completes it for one device without extras (./static.ts, ./placed.ts soloExtras)
  return {
    view,
    resolved: { ...resolved, quants: { ftypes: catalog.ftypes, kvTypes: catalog.kvTypes }, extras: null },
  };
}
