/**
 * The live chart's writer (src/charts/memory-chart-svg.ts) against Observable Plot itself: for
 * every catalog model and hundreds of generated calculator states (K/V types, weights, engines,
 * backends, budgets, devices, total memory; chart widths from a phone's to the 960 px cap), the
 * writer's markup is byte for byte what Plot draws from `memoryVsContext(…, { tips: true })` in a
 * browser, and its scales are Plot's; or it declines (null) and the island draws with Plot.
 *
 * Plot runs here on the virtual DOM with a `window` whose devicePixelRatio is 1, so it nudges
 * its marks by half a pixel as Chromium's Plot does on such a screen. Two things the virtual DOM
 * serialises differently from Chromium are normalised on Plot's side: the svg's xmlns attribute
 * (the HTML parser gives <svg> its namespace without one) and the inline style Plot sets through
 * `style` properties (Chromium writes it back as the attribute below). The live chart drawn in
 * Chromium was compared once with this serialisation, byte for byte.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CalcCatalog } from "../../../src/lib/calculator/catalog.ts";
import type { CalcState } from "../../../src/lib/calculator/state.ts";
import type { MemoryChartData } from "../../../src/charts/memory-vs-context.ts";
import { loadCatalog } from "../calculator/load-catalog.ts";
import { rng } from "../../helpers/rng.ts";

// Before Plot loads: it reads devicePixelRatio once, at module evaluation.
(globalThis as { window?: unknown }).window = { devicePixelRatio: 1 };
const Plot = await import("@observablehq/plot");
const { VDocument } = await import("../../../src/charts/virtual-dom.ts");
const { memoryVsContext } = await import("../../../src/charts/memory-vs-context.ts");
const { memoryChartSvg } = await import("../../../src/charts/memory-chart-svg.ts");
const { computeView } = await import("../../../src/lib/calculator/view.ts");
const { DEFAULT_STATE, CALC_BACKENDS } = await import("../../../src/lib/calculator/state.ts");
const { normalizeState } = await import("../../../src/lib/calculator/normalize.ts");

const STYLE = ' style="background: transparent; font-size: 12px; overflow: visible;"';
type Chart = Omit<MemoryChartData, "current">;
type PlotSvg = { serialize: () => string; scale: (n: string) => { apply: (v: number) => number; range: number[] } };

function plotChart(chart: Chart, view: "total" | "residual", width: number, height: number) {
  const options = memoryVsContext({ ...chart, current: null }, { view, width, height, tips: true });
  const el = Plot.plot({ ...options, document: new VDocument() as unknown as Document }) as unknown as PlotSvg;
  const svg = el
    .serialize()
    .replace(' xmlns="http://www.w3.org/2000/svg"', "")
    .replace(/^(<svg [^>]*)>/, `$1${STYLE}>`);
  return { svg, clipId: /plot-clip-\d+/.exec(svg)?.[0] ?? "plot-clip-0", x: el.scale("x"), y: el.scale("y") };
}

const catalog: CalcCatalog = loadCatalog();
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** A calculator state: the model, then anything else drawn at random and made valid as the island does. */
function randomState(r: () => number, model: string): CalcState {
  const kv = catalog.kvTypes.map((k) => k.name);
  const state: CalcState = {
    ...DEFAULT_STATE,
    model,
    engine: r() < 0.5 ? "llama.cpp" : "turboquant",
    backend: pick(r, CALC_BACKENDS),
    typeK: pick(r, kv),
    typeV: pick(r, kv),
    ftype: pick(r, catalog.ftypes).id,
    budget: r() < 0.8 ? pick(r, catalog.budgets).id : "",
    hardware: r() < 0.3 ? pick(r, catalog.hardware).id : "",
    totalBytes: r() < 0.2 ? Math.round(2 ** (33 + r() * 5)) : null,
    flashAttn: pick(r, ["on", "off", "auto"] as const),
    nSeq: pick(r, [1, 2, 4]),
  };
  return normalizeState(state, catalog.kvTypes).state;
}

function chartOf(state: CalcState): Chart | null {
  try {
    const v = computeView({ state, catalog, loaded: null, extraRuns: [] });
    return v.s.model ? v.s.chart : null;
  } catch {
    return null;
  }
}

const WIDTHS = [752, 960, 320, 479, 480, 613.5, 164];

test("the writer's live chart is Plot's, markup and scales, for every model and many states", () => {
  const r = rng(2026);
  let written = 0;
  let limits = 0;
  let noBudget = 0;
  for (const m of catalog.models) {
    for (let k = 0; k < 4; k++) {
      const state = k === 0 ? { ...DEFAULT_STATE, model: m.id } : randomState(r, m.id);
      const full = chartOf(state);
      if (!full) continue;
      const chart = { ...full, measured: [] };
      const width = k === 0 ? 752 : pick(r, WIDTHS);
      const height = width < 480 ? 300 : 380;
      const plot = plotChart(chart, "total", width, height);
      const mine = memoryChartSvg(chart, "total", { width, height, offset: 0.5, clipId: plot.clipId });
      const at = `${m.id} ${JSON.stringify(state)} width ${width}`;
      assert.ok(mine, `written: ${at}`);
      const i = [...mine.svg].findIndex((ch, j) => ch !== plot.svg[j]);
      assert.equal(mine.svg, plot.svg, `${at} at ${i}: ${plot.svg.slice(i - 200, i + 100)}`);
      assert.deepEqual(mine.yRange, plot.y.range, at);
      for (const c of [chart.xDomain[0], 4096, 32768, chart.xDomain[1], 1e7])
        assert.equal(mine.x(c), plot.x.apply(c), `x(${c}) ${at}`);
      for (const g of [0, 0.5, 7.25, 31, 200]) assert.equal(mine.y(g), plot.y.apply(g), `y(${g}) ${at}`);
      written++;
      if ((chart.limits ?? []).length > 0) limits++;
      if (!chart.budgetBytes) noBudget++;
    }
  }
  assert.ok(written >= catalog.models.length * 3, `${written} charts compared`);
  assert.ok(limits > 0 && noBudget > 0, `device limits drawn (${limits}) and charts without a budget (${noBudget})`);
});

test("Plot draws what the writer declines: the residual view, measured points, a repeated key", () => {
  const chart = chartOf(DEFAULT_STATE)!;
  const o = { width: 752, height: 380, offset: 0.5, clipId: "plot-clip-1" };
  assert.ok(memoryChartSvg(chart, "total", o));
  assert.equal(memoryChartSvg(chart, "residual", o), null);
  assert.equal(memoryChartSvg(chart, "total", { ...o, width: 163 }), null, "a frame under 100 px wide");
  const mark = { ctx: 4096, bytes: 2 ** 34, calcBytes: 2 ** 34, deltaPct: 1, title: "run", colour: "#000" };
  assert.equal(memoryChartSvg({ ...chart, measured: [mark] }, "total", o), null);
  assert.equal(memoryChartSvg({ ...chart, series: [chart.series[0], chart.series[0]] }, "total", o), null);
  const bad = { ...chart.series[0], points: [{ ctx: 512, bytes: NaN }] };
  assert.equal(memoryChartSvg({ ...chart, series: [bad] }, "total", o), null);
});

test("markup characters in labels are escaped as Plot escapes them", () => {
  const chart = chartOf(DEFAULT_STATE)!;
  const odd = {
    ...chart,
    budgetLabel: 'budget <b> & "quoted"',
    series: chart.series.map((s, i) => (i === 0 ? { ...s, label: 'K <f16> & V "f16"' } : s)),
  };
  const plot = plotChart(odd, "total", 700, 380);
  assert.equal(
    memoryChartSvg(odd, "total", { width: 700, height: 380, offset: 0.5, clipId: plot.clipId })?.svg,
    plot.svg,
  );
});
