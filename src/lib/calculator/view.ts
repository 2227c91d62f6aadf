/**
 * The calculator's view model: everything the island shows, computed from the state by the
 * engine (src/lib/engine), the catalog's budget rules (src/lib/catalog) and the command builders.
 *
 * Split in two so the slider stays cheap: `computeStatic` (./view/static.ts) holds what does not
 * depend on the context (curves of every KV configuration, max context per configuration, K/V
 * options, budget, measured points: a few hundred engine calls, ~10 ms); `computeAtCtx`
 * (./view/ctx.ts) is one breakdown at the slider's context plus what derives from it (~0.1 ms).
 * Both return plain serialisable data: the build renders the default state's view into the page,
 * the browser recomputes it on input. The parts live under ./view/, one concept each; this module
 * is their front door.
 *
 * This module (and the engine under it) is loaded lazily by the island; the page's first paint
 * comes from the build.
 */
import { formatBinary, formatDecimal } from "../format.ts";
import { GiB, MiB } from "../units.ts";
import { computeAtCtx } from "./view/ctx.ts";
import { computeStatic } from "./view/static.ts";
import type { CalcView, ViewInput } from "./view/types.ts";

export type {
  BudgetView,
  CalcView,
  Component,
  CtxView,
  LoadedModel,
  MaxRow,
  ModelInfo,
  Resolved,
  StaticView,
  TypeOption,
  ViewInput,
} from "./view/types.ts";
export { configFor, staticKey } from "./view/config.ts";
export { computeAtCtx, ctxSuggestions, wantsSuggestions } from "./view/ctx.ts";
export { computeStatic, computeStaticBase, withMeasured } from "./view/static.ts";
export type { StaticResult } from "./view/static.ts";
export { adoptStatic } from "./view/adopt.ts";
export { adoptWeights, weightsSeedFor, type WeightsSeed } from "./view/weights-seed.ts";
export { maxLayersFitFor, suggestionsFor } from "./view/suggestions.ts";
export type { SuggestionModel, SuggestionsInput } from "./view/suggestions.ts";

function bytesText(n: number): string {
  return `${formatBinary(n)} (${formatDecimal(n)})`;
}

/** Both halves at once (the build's first paint, tests). */
export function computeView(inp: ViewInput): CalcView {
  const { view, resolved } = computeStatic(inp);
  return { s: view, c: computeAtCtx(view, resolved, inp.state) };
}

export { bytesText, GiB, MiB };
