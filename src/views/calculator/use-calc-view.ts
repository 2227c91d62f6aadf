/**
 * The view on screen: the build's `initialView` until the engine, the catalog and the model are
 * ready, then the engine's — the context-independent half recomputed only when a field other than
 * the context or the chart mode changes (its `staticKey`), the half at the context on every input,
 * with the vision projector and the draft model applied. `pending` is the island's `data-pending`.
 */
import { useMemo } from "preact/hooks";
import type { CalcCatalog, MeasuredRunOption } from "../../lib/calculator/catalog.ts";
import { isLoadedModelId, stateToQuery, type CalcState } from "../../lib/calculator/state.ts";
import type { CalcView, LoadedModel, Resolved } from "../../lib/calculator/view.ts";
import type { ClientLib } from "./use-engine.ts";
import type { useDraft } from "./use-draft.ts";
import type { useVision } from "./use-vision.ts";

export interface CalcViewInput {
  lib: ClientLib | null;
  catalog: CalcCatalog | null;
  state: CalcState;
  /** The state `initialView` was computed for. */
  initialState: CalcState;
  initialView: CalcView;
  modelReady: boolean;
  loaded: LoadedModel | null;
  extraRuns: MeasuredRunOption[];
  vision: ReturnType<typeof useVision>;
  draft: ReturnType<typeof useDraft>;
  /** A linked state waits for the engine. */
  urlPending: boolean;
  busy: string | null;
}

export interface CalcViewHook {
  ready: boolean;
  view: CalcView;
  /** The resolved model of the live view (null until computed). */
  resolved: Resolved | null;
  /** Full architecture of the current model (all fields), once the engine has loaded. */
  fullArch: Record<string, unknown> | null;
  pending: boolean;
}

export function useCalcView(inp: CalcViewInput): CalcViewHook {
  const { lib, catalog, state, modelReady, loaded, extraRuns, vision, draft } = inp;
  const ready = lib !== null && catalog !== null;
  const staticRes = useMemo(
    () =>
      ready && modelReady
        ? lib!.computeStatic({ state, catalog: catalog!, loaded, extraRuns, reserve: vision.reserve })
        : null,
    // staticKey covers every field but ctx and view (deps are deliberate).
    [ready, modelReady, lib && lib.staticKey(state), loaded, extraRuns, catalog, vision.reserve],
  );
  const view: CalcView = useMemo(
    () =>
      staticRes
        ? draft.apply(
            vision.apply({ s: staticRes.view, c: lib!.computeAtCtx(staticRes.view, staticRes.resolved, state) }),
          )
        : inp.initialView,
    [staticRes, state],
  );
  const fullArch = useMemo(() => {
    if (!lib || !catalog) return null;
    if (isLoadedModelId(state.model) && loaded) return loaded.architecture as unknown as Record<string, unknown>;
    const m = catalog.models.find((x) => x.id === state.model);
    const r = m ? lib.parseArchitecture(m.architecture) : null;
    return r && r.ok ? (r.arch as unknown as Record<string, unknown>) : null;
  }, [lib, catalog, state.model, loaded]);
  const pending =
    vision.pending ||
    (!staticRes && (inp.urlPending || stateToQuery(state, inp.initialState) !== "" || inp.busy !== null));
  return { ready, view, resolved: staticRes?.resolved ?? null, fullArch, pending };
}
