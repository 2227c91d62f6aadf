/**
 * Hydration of the calculator island: the engine with the full catalog (one lazy chunk +
 * catalog.json) and Observable Plot's `plot` with the chart builder (another chunk, see
 * chart-lazy.ts), loaded in parallel after the first paint. `onEngine` runs (with the module) in
 * the same tick the engine and catalog are set, so a linked state is read before the first live
 * computation.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type * as PlotModule from "@observablehq/plot";
import type * as ChartLazy from "./chart-lazy.ts";
import type * as ClientModule from "../../lib/calculator/client.ts";
import type { CatalogFile } from "../../lib/calculator/catalog.ts";
import type { memoryVsContext } from "../../charts/memory-vs-context.ts";

export type ClientLib = typeof ClientModule;

/** Observable Plot's `plot` and the chart builder, once loaded. */
export interface PlotKit {
  Plot: { plot: typeof PlotModule.plot };
  build: typeof memoryVsContext;
}

export interface EngineHook {
  lib: ClientLib | null;
  catalogFile: CatalogFile | null;
  plot: PlotKit | null;
  loadError: string | null;
  setLoadError: (e: string | null) => void;
}

/**
 * The lazy chunks, requested once per page as soon as this module runs in a browser: their
 * download and compilation overlap the island's hydration instead of following it.
 */
let engineChunk: Promise<ClientLib> | null = null;
let plotChunk: Promise<typeof ChartLazy> | null = null;
const loadEngine = () => (engineChunk ??= import("../../lib/calculator/client.ts"));
const loadPlot = () => (plotChunk ??= import("./chart-lazy.ts"));
if (typeof window !== "undefined") {
  loadEngine().catch(() => undefined);
  loadPlot().catch(() => undefined);
}

export function useEngine(catalogUrl: string, onEngine: (l: ClientLib) => void): EngineHook {
  const [lib, setLib] = useState<ClientLib | null>(null);
  const [catalogFile, setCatalogFile] = useState<CatalogFile | null>(null);
  const [plot, setPlot] = useState<PlotKit | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const onEngineRef = useRef(onEngine);
  onEngineRef.current = onEngine;
  useEffect(() => {
    let alive = true;
    Promise.all([
      loadEngine(),
      fetch(catalogUrl).then((r) => {
        if (!r.ok) throw new Error(`${catalogUrl}: HTTP ${r.status}`);
        return r.json() as Promise<CatalogFile>;
      }),
    ])
      .then(([l, c]) => {
        if (!alive) return;
        onEngineRef.current(l);
        setCatalogFile(c);
        setLib(l);
      })
      .catch((e: unknown) => alive && setLoadError(`The calculator could not load its engine: ${String(e)}`));
    loadPlot()
      .then((chart) => alive && setPlot({ Plot: { plot: chart.plot }, build: chart.memoryVsContext }))
      .catch((e: unknown) => alive && setLoadError(`The chart could not load: ${String(e)}`));
    return () => {
      alive = false;
    };
  }, []);
  return { lib, catalogFile, plot, loadError, setLoadError };
}
