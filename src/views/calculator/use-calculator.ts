/**
 * Everything the calculator island holds, composed from one hook per concern: the state and its
 * `update`, the lazily loaded engine and chart, the permalink, models that live in the URL, the
 * measured runs of the model's architecture, the model/run actions, the vision projector, the
 * draft model, and the view on screen.
 */
import type { LightCatalog, ModelOption } from "../../lib/calculator/catalog.ts";
import type { CalcState } from "../../lib/calculator/state.ts";
import type { CalcView, WeightsSeed } from "../../lib/calculator/view.ts";
import { useMemo } from "preact/hooks";
import { useCalcState, useUpdatedMark } from "./use-calc-state.ts";
import { useCalcView } from "./use-calc-view.ts";
import { useDraft } from "./use-draft.ts";
import { useEngine } from "./use-engine.ts";
import { useListsIn } from "./use-lists.ts";
import { useModelActions } from "./use-model-actions.ts";
import { usePermalink } from "./use-permalink.ts";
import { useRunsCatalog } from "./use-runs.ts";
import { useUrlModel } from "./use-url-model.ts";
import { useVision, type PresetFacts } from "./use-vision.ts";

export interface CalculatorInput {
  light: LightCatalog;
  /** The state `initialView` was computed for. */
  initialState: CalcState;
  /** Defaults the permalink is written against (the page's default state). */
  defaults: CalcState;
  initialView: CalcView;
  /** The weights of `initialState` (lib/calculator/view/weights-seed.ts), for the first input. */
  initialWeights?: WeightsSeed | null;
  /** URL of calculator/catalog.json (with the deploy base). */
  catalogUrl: string;
  /** URL of the calculator/runs/ folder (with the deploy base and a trailing slash). */
  runsUrl: string;
  /** Read and write the page URL (the /calculator/ page); off for embedded widgets. */
  syncUrl: boolean;
}

/** The current catalog model's projector facts (data/projectors.json) with its n_embd, if any. */
function usePresetFacts(catalog: { models: readonly ModelOption[] } | null, model: string): PresetFacts | null {
  return useMemo(() => {
    const m = catalog?.models.find((x) => x.id === model);
    const n = (m?.architecture as { n_embd?: unknown } | undefined)?.n_embd;
    return m?.projector && typeof n === "number" ? { model: m.id, facts: m.projector, textEmbd: n } : null;
  }, [catalog, model]);
}

export function useCalculator(props: CalculatorInput) {
  const { light, defaults, syncUrl } = props;
  const calc = useCalcState(props.initialState, light);
  const { state, setState, update, setNotices } = calc;
  // A link in the page URL is read with the engine, so the validators come with it.
  const linked = syncUrl && typeof location !== "undefined" && location.search !== "";
  // The first chart is the writer's unless it may be one it leaves to Plot (ChartPanel.tsx).
  const first = props.initialView.s.chart;
  const plotFirst = linked || props.initialState.view !== "total" || first.measured.length > 0;
  const engine = useEngine(props.catalogUrl, linked, plotFirst, (l, v) => link.onEngine(l, v));
  const { lib, val } = engine;
  const link = usePermalink({ syncUrl, light, defaults, state, setState, setNotices, lib });
  const model = useUrlModel({ lib, val }, state, setState, setNotices, defaults);
  const { loaded, modelReady, busy } = model;
  const { catalogFile, setLoadError } = engine;
  // the first live chart is drawn (by the writer, or by Plot where it needs Plot)
  const chartReady = engine.plot !== null || engine.loadError !== null || (engine.writer !== null && !plotFirst);
  const { catalog, runs, runsPending } = useRunsCatalog({
    catalogFile,
    setLoadError,
    runsUrl: props.runsUrl,
    model: state.model,
    modelReady,
    loaded,
    chartReady,
  });
  const actions = useModelActions({ lib, val }, calc, model);
  const preset = usePresetFacts(catalog, state.model);
  const vision = useVision(state, update, lib, preset);
  const draft = useDraft(state, lib, catalog);
  const { extraRuns } = actions;
  const { initialState, initialView } = props;
  const { urlPending } = link;
  const cv = useCalcView({
    lib,
    catalog,
    state,
    initialState,
    initialView,
    initialWeights: props.initialWeights ?? null,
    modelReady,
    loaded,
    extraRuns,
    vision,
    draft,
    busy,
    urlPending,
    runsPending,
    runs,
    chartReady,
  });
  // An input's view is complete once its architecture's measured runs are in (the chart's points).
  useUpdatedMark(calc.pendingMark, !runsPending);
  // the long option lists, once the first live answer is painted (options-html.ts)
  const lists = useListsIn(cv.ready || engine.loadError !== null);
  return { calc, engine, link, model, actions, vision, draft, cv, lists };
}
