/**
 * Measured runs are not in catalog.json: the runs file of the current model's architecture
 * (runs/<key>.json, listed in the catalog's `runKeys`) is fetched when that architecture is first
 * shown, and cached per key. The catalog the engine sees carries the current key's runs; while
 * that file is on its way the view is not complete (`runsPending`: the chart's measured points
 * are still to come).
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
  setLoadError: (e: string) => void;
}

export function useRunsCatalog(inp: RunsInput): { catalog: CalcCatalog | null; runsPending: boolean } {
  const { catalogFile, model, modelReady, loaded } = inp;
  /** Runs files by key, once fetched (a missing file is no runs). */
  const [runsByKey, setRunsByKey] = useState<Record<string, MeasuredRunOption[]>>({});
  const runsFetching = useRef(new Set<string>());
  // The runs file that may hold runs matching the current model (runMatches needs the same arch).
  const runsKey = useMemo(() => {
    if (!catalogFile) return null;
    const arch = isLoadedModelId(model)
      ? modelReady
        ? loaded?.architecture.arch
        : undefined
      : catalogFile.models.find((m) => m.id === model)?.architecture.arch;
    return arch ? runsFileKey(arch) : null;
  }, [catalogFile, model, modelReady, loaded]);
  useEffect(() => {
    if (!catalogFile || runsKey === null || !catalogFile.runKeys.includes(runsKey)) return;
    if (runsKey in runsByKey || runsFetching.current.has(runsKey)) return;
    runsFetching.current.add(runsKey);
    const url = `${inp.runsUrl}${encodeURIComponent(runsKey)}.json`;
    const done = (runs: MeasuredRunOption[]) => {
      runsFetching.current.delete(runsKey);
      setRunsByKey((x) => ({ ...x, [runsKey]: runs }));
    };
    fetch(url)
      .then((r) => (r.ok ? (r.json() as Promise<MeasuredRunOption[]>) : NO_RUNS))
      .then(done)
      .catch((e: unknown) => {
        done(NO_RUNS);
        inp.setLoadError(`The measured runs could not load: ${String(e)}`);
      });
  }, [catalogFile, runsKey, runsByKey]);
  const keyRuns = runsKey !== null ? runsByKey[runsKey] : undefined;
  const catalog = useMemo(
    () => (catalogFile ? { ...catalogFile, runs: keyRuns ?? NO_RUNS } : null),
    [catalogFile, keyRuns],
  );
  const runsPending = catalogFile !== null && runsKey !== null && catalogFile.runKeys.includes(runsKey) && !keyRuns;
  return { catalog, runsPending };
}
