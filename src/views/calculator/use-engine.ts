/**
 * Hydration of the calculator island: the engine with the full catalog (one lazy chunk +
 * catalog.json) and the live chart's SVG writer (charts/memory-chart-svg.ts, a small chunk),
 * loaded in parallel after the first paint; then Observable Plot's `plot` with the chart builder
 * (another chunk, see chart-lazy.ts), for the charts the writer leaves to Plot (measured points
 * with their tips, the residual view). Plot comes after the first live chart unless that chart
 * may need it (`plotFirst`: a link to read, the residual view, measured points). `onEngine` runs (with the module) in
 * the same tick the engine and catalog are set, so a linked state is read before the first live
 * computation. The validators (zod: links, custom architectures, run files) are a third chunk:
 * loaded with the engine when the page's link must be read (`linked`), else once the first live
 * answer is on screen (`val`; the island is `data-ready` only with them).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type * as PlotModule from "@observablehq/plot";
import type * as ChartLazy from "./chart-lazy.ts";
import type * as ClientModule from "../../lib/calculator/client.ts";
import type * as ValidateModule from "../../lib/calculator/client-validate.ts";
import type { CatalogFile } from "../../lib/calculator/catalog.ts";
import type { memoryVsContext } from "../../charts/memory-vs-context.ts";
import type { memoryChartSvg } from "../../charts/memory-chart-svg.ts";

export type ClientLib = typeof ClientModule;
export type ValidateLib = typeof ValidateModule;

/** Observable Plot's `plot` and the chart builder, once loaded. */
export interface PlotKit {
  Plot: { plot: typeof PlotModule.plot };
  build: typeof memoryVsContext;
}

/** The live chart's writer (null: Plot draws that chart). */
export type ChartWriter = typeof memoryChartSvg;

export interface EngineHook {
  lib: ClientLib | null;
  /** The chart writer: set with `lib`. */
  writer: ChartWriter | null;
  catalogFile: CatalogFile | null;
  plot: PlotKit | null;
  /** The validators, once loaded. */
  val: ValidateLib | null;
  loadError: string | null;
  setLoadError: (e: string | null) => void;
}

/**
 * The lazy chunks, requested once per page as soon as this module runs in a browser: their
 * download and compilation overlap the island's hydration instead of following it. Plot's too
 * when the page's URL holds a link (its chart may be one the writer leaves to Plot); otherwise
 * its evaluation (≈35 ms of main thread at 4× CPU throttling) waits for the first live chart.
 */
let engineChunk: Promise<ClientLib> | null = null;
let writerChunk: Promise<ChartWriter> | null = null;
let plotChunk: Promise<typeof ChartLazy> | null = null;
const loadEngine = () => (engineChunk ??= import("../../lib/calculator/client.ts"));
const loadWriter = () => (writerChunk ??= import("../../charts/memory-chart-svg.ts").then((m) => m.memoryChartSvg));
const loadPlot = () => (plotChunk ??= import("./chart-lazy.ts"));
let validateChunk: Promise<ValidateLib> | null = null;
/** The validators' chunk, requested once per page. */
export const loadValidators = () => (validateChunk ??= import("../../lib/calculator/client-validate.ts"));
if (typeof window !== "undefined") {
  loadEngine().catch(() => undefined);
  loadWriter().catch(() => undefined);
  if (location.search !== "") loadPlot().catch(() => undefined);
}

const plotKit = (chart: typeof ChartLazy): PlotKit => ({ Plot: { plot: chart.plot }, build: chart.memoryVsContext });

export function useEngine(
  catalogUrl: string,
  linked: boolean,
  plotFirst: boolean,
  onEngine: (l: ClientLib, v: ValidateLib | null) => void,
): EngineHook {
  const [lib, setLib] = useState<ClientLib | null>(null);
  const [writer, setWriter] = useState<ChartWriter | null>(null);
  const [catalogFile, setCatalogFile] = useState<CatalogFile | null>(null);
  const [plot, setPlot] = useState<PlotKit | null>(null);
  const [val, setVal] = useState<ValidateLib | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const onEngineRef = useRef(onEngine);
  onEngineRef.current = onEngine;
  useEffect(() => {
    let alive = true;
    const engine = Promise.all([
      loadEngine(),
      loadWriter(),
      fetch(catalogUrl).then((r) => {
        if (!r.ok) throw new Error(`${catalogUrl}: HTTP ${r.status}`);
        return r.json() as Promise<CatalogFile>;
      }),
      linked ? loadValidators() : null,
    ]);
    // Engine and writer (and Plot, where the first chart may need it) are set in one task: the
    // island renders once for all of them, not once each.
    void Promise.allSettled([engine, plotFirst ? loadPlot() : null]).then(([e, chart]) => {
      if (!alive) return;
      try {
        if (e.status === "rejected") throw e.reason;
        const [l, w, c, v] = e.value;
        onEngineRef.current(l, v);
        setCatalogFile(c);
        setWriter(() => w);
        setLib(l);
        if (v) setVal(v);
      } catch (err: unknown) {
        setLoadError(`The calculator could not load its engine: ${String(err)}`);
      }
      if (chart.status === "rejected") setLoadError(`The chart could not load: ${String(chart.reason)}`);
      else if (chart.value) setPlot(plotKit(chart.value));
    });
    return () => {
      alive = false;
    };
  }, []);
  // Otherwise Plot once the first live chart is painted, in a task of its own (not in an input's,
  // whose render would run this effect first).
  useEffect(() => {
    if (plotFirst || !lib) return;
    let alive = true;
    const t = setTimeout(() => {
      loadPlot()
        .then((chart) => alive && setPlot(plotKit(chart)))
        .catch((e: unknown) => alive && setLoadError(`The chart could not load: ${String(e)}`));
    }, 0);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [lib !== null]);
  // After the first live answer (this effect runs once that commit is painted).
  useEffect(() => {
    if (!lib || !plot || val) return;
    let alive = true;
    loadValidators()
      .then((v) => alive && setVal(v))
      .catch((e: unknown) => alive && setLoadError(`The calculator could not load its validators: ${String(e)}`));
    return () => {
      alive = false;
    };
  }, [lib, plot, val]);
  return { lib, writer, catalogFile, plot, val, loadError, setLoadError };
}
