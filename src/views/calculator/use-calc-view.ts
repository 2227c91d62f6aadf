/**
 * The view on screen: the build's `initialView` until the engine, the catalog and the model are
 * ready, then the engine's — the context-independent half recomputed only when a field other than
 * the context or the chart mode changes (its `staticKey`), the half at the context on every input,
 * with the vision projector and the draft model applied. `pending` is the island's `data-pending`.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { CalcCatalog, MeasuredRunOption } from "../../lib/calculator/catalog.ts";
import { isLoadedModelId, stateToQuery, type CalcState } from "../../lib/calculator/state.ts";
import type { Suggestion } from "../../lib/calculator/suggest.ts";
import type { CalcView, CtxView, LoadedModel, Resolved, WeightsSeed } from "../../lib/calculator/view.ts";
import type { ClientLib } from "./use-engine.ts";
import { StaticLru, type StaticResult } from "./static-lru.ts";
import type { useDraft } from "./use-draft.ts";
import type { useVision } from "./use-vision.ts";

const NONE: Suggestion[] = [];

type StaticInput = Parameters<ClientLib["computeStatic"]>[0];

export interface CalcViewInput {
  lib: ClientLib | null;
  catalog: CalcCatalog | null;
  state: CalcState;
  /** The state `initialView` was computed for. */
  initialState: CalcState;
  initialView: CalcView;
  /** The build's weights of `initialState`: seeded with the adopted view (first input, no tensor table). */
  initialWeights: WeightsSeed | null;
  modelReady: boolean;
  loaded: LoadedModel | null;
  extraRuns: MeasuredRunOption[];
  vision: ReturnType<typeof useVision>;
  draft: ReturnType<typeof useDraft>;
  /** A linked state waits for the engine. */
  urlPending: boolean;
  /** The chart's code has loaded (or failed to): work that can wait runs after the first chart. */
  chartReady: boolean;
  /** The runs file of the model's architecture is being fetched (its measured points are to come). */
  runsPending: boolean;
  /** The measured runs of the model's architecture (the catalog's; `catalog.runs` is empty). */
  runs: readonly MeasuredRunOption[];
  busy: string | null;
}

export interface CalcViewHook {
  ready: boolean;
  view: CalcView;
  /** The resolved model of the live view (null until computed). */
  resolved: Resolved | null;
  /** Full architecture of the current model (all fields), once the engine has loaded. */
  fullArch: Record<string, unknown> | null;
  /** Not everything on screen is of the current state yet (the island's data-pending). */
  pending: boolean;
  /** The numbers and chart are not of the current state yet (suggestions may still be coming). */
  numbersPending: boolean;
}

/** `base` with the measured points of `runs` (both lists), the same object for the same inputs. */
function useWithRuns(
  lib: ClientLib | null,
  base: StaticResult | null,
  runs: [readonly MeasuredRunOption[], readonly MeasuredRunOption[]] | null,
): StaticResult | null {
  const cache = useRef(new WeakMap<StaticResult, { runs: unknown[]; res: StaticResult }>());
  const [a, b] = runs ?? [null, null];
  return useMemo(() => {
    if (!base || !a || !b) return base;
    // a view gone back to (StaticLru) keeps the chart already drawn
    const hit = cache.current.get(base);
    if (hit && hit.runs[0] === a && hit.runs[1] === b) return hit.res;
    const res = lib!.withMeasured(base, [...a, ...b]);
    cache.current.set(base, { runs: [a, b], res });
    return res;
  }, [base, a, b]);
}

/**
 * Once the adopted answer is on screen, the same view is computed once in the background (result
 * unused): the engine's caches and compiled code are then warm for the first input.
 */
function useWarmUp(
  lib: ClientLib | null,
  adopted: { current: StaticInput | null },
  base: StaticResult | null,
  chartReady: boolean,
): void {
  useEffect(() => {
    const a = adopted.current;
    if (!a || !chartReady) return;
    const t = setTimeout(() => {
      adopted.current = null;
      const b = lib!.computeStaticBase(a);
      lib!.computeAtCtx(b.view, b.resolved, a.state, { suggestions: false });
    }, 0);
    return () => clearTimeout(t);
  }, [base, chartReady]);
}

/** Full architecture of the current model (all fields), once the engine has loaded. */
function useFullArch(
  lib: ClientLib | null,
  catalog: CalcCatalog | null,
  model: string,
  loaded: LoadedModel | null,
): Record<string, unknown> | null {
  return useMemo(() => {
    if (!lib || !catalog) return null;
    if (isLoadedModelId(model) && loaded) return loaded.architecture as unknown as Record<string, unknown>;
    // parsed at build time (catalog.ts)
    const m = catalog.models.find((x) => x.id === model);
    return m ? (m.architecture as unknown as Record<string, unknown>) : null;
  }, [lib, catalog, model, loaded]);
}

export function useCalcView(inp: CalcViewInput): CalcViewHook {
  const { lib, catalog, state, modelReady, loaded, extraRuns, vision, draft } = inp;
  const ready = lib !== null && catalog !== null;
  const lru = useRef<StaticLru | null>(null);
  lru.current ??= new StaticLru();
  // The build's static half of the first state is taken as it is (adoptStatic) until an input
  // changes. The engine's half does not depend on the measured runs: their points are added on top
  // (withMeasured), so a runs file's arrival does not recompute the curves.
  const first = useRef(true);
  // what was adopted, for the background computation below (a ref: no render of its own)
  const adopted = useRef<StaticInput | null>(null);
  const base = useMemo(
    () =>
      ready && modelReady
        ? lru.current!.get(lib!.staticKey(state), [lib, catalog, loaded, vision.reserve], () => {
            const input = { state, catalog: catalog!, loaded, extraRuns, reserve: vision.reserve };
            const taken = first.current ? lib!.adoptStatic(inp.initialView.s, input) : null;
            first.current = false;
            if (taken) {
              adopted.current = input;
              lib!.adoptWeights(taken.resolved, state, inp.initialWeights);
            }
            return taken ?? lib!.computeStaticBase(input);
          })
        : null,
    // staticKey covers every field but ctx and view (deps are deliberate).
    [ready, modelReady, lib && lib.staticKey(state), loaded, catalog, vision.reserve],
  );
  // While the runs file is on its way the base stays as it is (the adopted view keeps the build's points).
  const staticRes = useWithRuns(lib, base, inp.runsPending && extraRuns.length === 0 ? null : [inp.runs, extraRuns]);
  useWarmUp(lib, adopted, base, inp.chartReady);
  // Numbers and chart first; the suggestions (a search of the engine's verdict over GPU layers,
  // K/V types, weights and contexts) in the next task, with data-pending "true" until they land.
  // (of `base`: nothing at the context reads the measured points, so their arrival does not redo it)
  // On the adopted static half, the build's half at the context too while the state is the build's
  // (adopt-static.test.ts: the same as computeAtCtx's, suggestions included): the first live chart
  // does not wait for the cold weights table; the background computation above warms it.
  const atCtx = useMemo(
    () =>
      !base
        ? null
        : base.view === inp.initialView.s && stateToQuery(state, inp.initialState) === ""
          ? inp.initialView.c
          : lib!.computeAtCtx(base.view, base.resolved, state, { suggestions: false }),
    [base, state],
  );
  const wants = base !== null && atCtx !== null && lib!.wantsSuggestions(base.view, atCtx);
  const [sugg, setSugg] = useState<{ for: CtxView; items: Suggestion[] } | null>(null);
  useEffect(() => {
    // after the chart's code has loaded: the first live chart does not wait for this search
    if (!wants || !inp.chartReady) return;
    const t = setTimeout(() => {
      const items = lib!.ctxSuggestions(base!.view, base!.resolved, state, atCtx!);
      setSugg({ for: atCtx!, items });
    }, 0);
    return () => clearTimeout(t);
  }, [atCtx, wants, inp.chartReady]);
  const suggPending = wants && sugg?.for !== atCtx;
  // While the new ones are computed the last ones stay (no flicker while the slider moves).
  const suggestions = wants ? (sugg?.items ?? NONE) : (atCtx?.suggestions ?? NONE);
  const view: CalcView = useMemo(
    () =>
      staticRes && atCtx
        ? draft.apply(vision.apply({ s: staticRes.view, c: { ...atCtx, suggestions } }), staticRes.resolved)
        : inp.initialView,
    [staticRes, atCtx, suggestions],
  );
  const fullArch = useFullArch(lib, catalog, state.model, loaded);
  const numbersPending =
    vision.pending ||
    (!staticRes && (inp.urlPending || stateToQuery(state, inp.initialState) !== "" || inp.busy !== null));
  const pending = numbersPending || suggPending || inp.runsPending;
  return { ready, view, resolved: staticRes?.resolved ?? null, fullArch, pending, numbersPending };
}
