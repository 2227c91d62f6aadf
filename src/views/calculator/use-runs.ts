/**
 * Measured runs are not in catalog.json: the runs file of each architecture (runs/<key>.json,
 * listed in the catalog's `runKeys`, a few KB each) is fetched once the first live chart is up
 * (in an idle moment, so first load does not wait for them), or when its architecture is shown
 * first if that comes sooner, and cached per key. A model picked afterwards has its runs at once
 * and its view is computed in one pass. While the current key's file is on its way the view is
 * not complete (`runsPending`: the chart's measured points are still to come).
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  runsFileKey,
  type CalcCatalog,
  type CatalogFile,
  type MeasuredRunOption,
} from "../../lib/calculator/catalog.ts";
import { isLoadedModelId, type CalcState } from "../../lib/calculator/state.ts";
import type { LoadedModel } from "../../lib/calculator/view.ts";

const NO_RUNS: MeasuredRunOption[] = [];

export interface RunsInput {
  catalogFile: CatalogFile | null;
  /** URL of the calculator/runs/ folder (with the deploy base and a trailing slash). */
  runsUrl: string;
  model: CalcState["model"];
  modelReady: boolean;
  loaded: LoadedModel | null;
  /** The first live chart is drawn: the other runs files may be fetched. */
  chartReady: boolean;
  setLoadError: (e: string) => void;
}

export interface RunsCatalog {
  /** The catalog for the engine, without runs (the same object whatever the model). */
  catalog: CalcCatalog | null;
  /** The runs of the current model's architecture (empty while pending or when it has none). */
  runs: MeasuredRunOption[];
  runsPending: boolean;
}

type Fetched = { runs: MeasuredRunOption[]; error: string | null };

/** The runs file of the architecture that may hold runs matching the current model (runMatches needs the same arch). */
function currentKey(inp: RunsInput): string | null {
  const { catalogFile, model } = inp;
  if (!catalogFile) return null;
  const arch = isLoadedModelId(model)
    ? inp.modelReady
      ? inp.loaded?.architecture.arch
      : undefined
    : catalogFile.models.find((m) => m.id === model)?.architecture.arch;
  const key = arch ? runsFileKey(arch) : null;
  return key !== null && catalogFile.runKeys.includes(key) ? key : null;
}

export function useRunsCatalog(inp: RunsInput): RunsCatalog {
  const { catalogFile } = inp;
  /** Runs files by key, once fetched (a missing file is no runs); read during render. */
  const got = useRef(new Map<string, Fetched>());
  const fetching = useRef(new Map<string, Promise<Fetched>>());
  /** Bumped when the current key's file arrives (the render reads `got`). */
  const [, setArrived] = useState(0);
  const load = (key: string): Promise<Fetched> => {
    let p = fetching.current.get(key);
    if (!p) {
      const url = `${inp.runsUrl}${encodeURIComponent(key)}.json`;
      p = fetch(url)
        .then((r) => (r.ok ? (r.json() as Promise<MeasuredRunOption[]>) : NO_RUNS))
        .then((runs): Fetched => ({ runs, error: null }))
        .catch((e: unknown): Fetched => ({ runs: NO_RUNS, error: `The measured runs could not load: ${String(e)}` }));
      fetching.current.set(key, p);
    }
    return p;
  };
  const runsKey = useMemo(() => currentKey(inp), [catalogFile, inp.model, inp.modelReady, inp.loaded]);
  useEffect(() => {
    if (runsKey === null || got.current.has(runsKey)) return;
    let live = true;
    void load(runsKey).then((f) => {
      got.current.set(runsKey, f);
      if (f.error) inp.setLoadError(f.error);
      if (live) setArrived((n) => n + 1);
    });
    return () => {
      live = false;
    };
  }, [runsKey]);
  useEffect(() => {
    if (!catalogFile || !inp.chartReady) return;
    const prefetch = () => {
      for (const key of catalogFile.runKeys) {
        // kept only when it came: a file that failed is fetched again (with its error) when shown
        void load(key).then((f) => {
          if (f.error) fetching.current.delete(key);
          else got.current.set(key, f);
        });
      }
    };
    if (typeof requestIdleCallback !== "function") {
      const t = setTimeout(prefetch, 200);
      return () => clearTimeout(t);
    }
    const id = requestIdleCallback(prefetch, { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }, [catalogFile, inp.chartReady]);
  const catalog = useMemo(() => (catalogFile ? { ...catalogFile, runs: NO_RUNS } : null), [catalogFile]);
  const keyRuns = runsKey !== null ? got.current.get(runsKey)?.runs : undefined;
  return { catalog, runs: keyRuns ?? NO_RUNS, runsPending: runsKey !== null && !keyRuns };
}
