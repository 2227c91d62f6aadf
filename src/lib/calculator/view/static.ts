/**
 * The context-independent half of the view (everything but the slider's context): model, K/V
 * options, budget, the chart's curves and the max-context table, measured points. A few hundred
 * engine calls (cached per configuration by ../static-cache.ts); the slider does not redo them.
 */
import { reserveBudget } from "../vision-view.ts";
import { sampleContexts, sliderScale, SLIDER_MIN_CTX } from "../slider.ts";
import { budgetView } from "./budget.ts";
import { budgetLabel, limitLines, metalAllowances } from "./chart-meta.ts";
import { errMsg, staticKey } from "./config.ts";
import { curvesAndMaxTable } from "./curves.ts";
import { kvOptions } from "./kv-options.ts";
import { measuredView } from "./measured-view.ts";
import { resolveModel } from "./model.ts";
import { pcStatic, soloExtras } from "./placed.ts";
import type { MeasuredRunOption } from "../catalog.ts";
import type { BudgetView, Resolved, StaticView, ViewInput } from "./types.ts";

/** The view when the model cannot be resolved (no file loaded, unknown id). */
function unresolvedView(inp: ViewInput, budget: BudgetView, error: string): StaticView {
  return {
    key: staticKey(inp.state),
    model: null,
    error,
    scale: sliderScale(null),
    kOptions: [],
    vOptions: [],
    budget,
    chart: {
      series: [],
      budgetBytes: null,
      budgetLabel: "",
      trainCtx: null,
      measured: [],
      xDomain: [SLIDER_MIN_CTX, 131072] as [number, number],
    },
    maxTable: [],
    measuredRuns: [],
    measuredSkipped: [],
    poolLabel: "",
    metalRange: null,
  };
}

export interface StaticResult {
  view: StaticView;
  resolved: Resolved | null;
}

/** The static half with the measured points of `catalog.runs` and `inp.extraRuns`. */
export function computeStatic(inp: ViewInput): StaticResult {
  return withMeasured(computeStaticBase(inp), [...inp.catalog.runs, ...inp.extraRuns]);
}

/**
 * The measured points of `runs` on a static half (from computeStaticBase): a new view, `res`
 * untouched. No engine figure depends on the runs, so a runs file that arrives for the model on
 * screen costs this, not the curves and the max-context table again.
 */
export function withMeasured(res: StaticResult, runs: readonly MeasuredRunOption[]): StaticResult {
  const { view, resolved } = res;
  if (!resolved || !view.model) return res;
  const { measured, measuredRuns, measuredSkipped } = measuredView(
    runs,
    view.model,
    resolved.arch,
    view.budget.pool,
    view.maxTable,
  );
  // A PC that places the model draws its own chart, without measured points (./placed.ts pcStatic).
  const pcChart = view.pc != null && view.pc.error === null;
  const chart = pcChart ? view.chart : { ...view.chart, measured };
  return { resolved, view: { ...view, chart, measuredRuns, measuredSkipped } };
}

/** The static half without measured points (withMeasured adds them). */
export function computeStaticBase(inp: ViewInput): StaticResult {
  const { state, catalog } = inp;
  const budget = reserveBudget(budgetView(state, catalog), inp.reserve);
  let resolved: Resolved;
  try {
    resolved = resolveModel(state, catalog, inp.loaded);
  } catch (e) {
    return { resolved: null, view: unresolvedView(inp, budget, errMsg(e)) };
  }
  const { arch, tensors, tensorsFtype, model } = resolved;
  const opts = { tensors, tensors_ftype: tensorsFtype };
  const exact = tensors !== null;
  const scale = sliderScale(model.trainCtx);
  const xDomain: [number, number] = [SLIDER_MIN_CTX, scale.maxCtx];
  const vis = state.vision && model.vision.available;
  const kv = { state, kvTypes: catalog.kvTypes, arch, opts, exact, vis };
  const samples = sampleContexts(xDomain[0], xDomain[1], 3);
  const { series, maxTable } = curvesAndMaxTable({ ...kv, budget, samples, xDomain, trainCtx: model.trainCtx });
  const picked = maxTable.find((r) => r.selected);
  const view: StaticView = {
    key: staticKey(state),
    model,
    error: null,
    scale,
    kOptions: kvOptions(kv, "k"),
    vOptions: kvOptions(kv, "v"),
    budget,
    chart: {
      series,
      budgetBytes: budget.lineBytes,
      budgetLabel: budgetLabel(budget, picked),
      limits: limitLines(budget, picked),
      trainCtx: model.trainCtx,
      measured: [],
      xDomain,
    },
    maxTable,
    measuredRuns: [],
    measuredSkipped: [],
    poolLabel: budget.pool === "device" ? "device (GPU) memory" : "total memory (device + host)",
    metalRange: state.backend === "metal" ? metalAllowances(catalog, state.engine) : null,
  };
  const pc = pcStatic(state, catalog, resolved, inp.reserve);
  if (pc) {
    view.pc = pc.pc;
    if (pc.chart) view.chart = pc.chart;
    view.poolLabel = "memory per device (the PC's placement)";
  }
  const quants = { ftypes: catalog.ftypes, kvTypes: catalog.kvTypes };
  const extras = pc ? pc.extras : soloExtras(state, catalog, inp.reserve);
  return { view, resolved: { ...resolved, quants, extras } };
}
