/**
 * The run-chart writer (src/charts/run-chart-svg.ts) against Plot itself: for thousands of
 * generated inputs — contexts on and off powers of two, one context or many, 1 to 12 series,
 * missing values, sizes from bytes to hundreds of GiB, residuals from tiny to huge, labels with
 * markup characters — the writer's markup is byte for byte what Plot draws from the builders'
 * options, or it declines (null) and the run page draws that chart with Plot.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderPlotToString } from "../../../src/charts/render.ts";
import { measuredVsCalculatedChart, type MeasuredCalculatedRow } from "../../../src/charts/measured-vs-calculated.ts";
import { residualChart, type ResidualRow } from "../../../src/charts/residuals.ts";
import { measuredVsCalculatedSvg, residualSvg } from "../../../src/charts/run-chart-svg.ts";
import { runChartsMarkup, type RunChartInputs } from "../../../src/charts/run-charts.ts";
import { FLAG_PERCENT } from "../../../src/lib/runs/flag.ts";
import { rng } from "../../helpers/rng.ts";

const NAMES = ["f16/f16 FA on", "q8_0/q8_0 FA on", "q4_0/q4_0 FA off", 'a "quoted" <b> & c', "turbo3/turbo4", "b"];
const METRICS = ["KV cache", "compute buffer", "GPU used vs device total", "weights", "K & V <cells>"];

function contexts(r: () => number): number[] {
  const n = 1 + Math.floor(r() * 9);
  const pow2 = r() < 0.6;
  const lo = 6 + Math.floor(r() * 10);
  const ctx = Array.from({ length: n }, (_, i) =>
    pow2 ? 2 ** (lo + i * (1 + Math.floor(r() * 2))) : Math.round(200 + r() * 2 ** (8 + Math.floor(r() * 12))),
  );
  return r() < 0.1 ? ctx.map(() => ctx[0]) : ctx;
}

function seriesNames(r: () => number, pool: readonly string[]): string[] {
  const n = r() < 0.1 ? 11 + Math.floor(r() * 2) : 1 + Math.floor(r() * 4);
  return Array.from({ length: n }, (_, i) => (i < pool.length ? pool[i] : `series ${i}`));
}

function measuredRows(r: () => number): MeasuredCalculatedRow[] {
  const scale = 2 ** (10 + Math.floor(r() * 28));
  return seriesNames(r, NAMES).flatMap((series) =>
    contexts(r).map((ctx) => ({
      ctx,
      series,
      calculated: r() < 0.15 ? null : Math.round(scale * (0.2 + r())),
      measured: r() < 0.3 ? null : Math.round(scale * (0.2 + r()) * (r() < 0.05 ? 0 : 1)),
    })),
  );
}

function residualRows(r: () => number): ResidualRow[] {
  const spread = [0.5, 5, 20, 300][Math.floor(r() * 4)];
  const ctx = contexts(r);
  return seriesNames(r, METRICS).flatMap((metric) =>
    ctx.map((c) => ({ ctx: c, metric, series: "s", pct: (r() - 0.5) * 2 * spread })),
  );
}

test("measured-vs-calculated: the writer's markup is Plot's, or it declines", () => {
  const r = rng(14);
  let written = 0;
  for (let i = 0; i < 600; i++) {
    const rows = measuredRows(r);
    const ariaLabel = `run ${i} <&> "x": KV cache measured and calculated against context`;
    const svg = measuredVsCalculatedSvg(rows, "KV cache (MiB)", ariaLabel);
    if (svg === null) continue;
    written++;
    const plot = renderPlotToString({ ...measuredVsCalculatedChart(rows, { yLabel: "KV cache (MiB)" }), ariaLabel });
    assert.equal(svg, plot, `case ${i}: ${JSON.stringify(rows)}`);
  }
  assert.ok(written >= 400, `the writer drew ${written} of 600 charts`);
});

test("residuals: the writer's markup is Plot's, or it declines", () => {
  const r = rng(15);
  let written = 0;
  for (let i = 0; i < 600; i++) {
    const rows = residualRows(r);
    const svg = residualSvg(rows, `residuals ${i}`, FLAG_PERCENT);
    if (svg === null) continue;
    written++;
    const plot = renderPlotToString({ ...residualChart(rows, { band: FLAG_PERCENT }), ariaLabel: `residuals ${i}` });
    assert.equal(svg, plot, `case ${i}: ${JSON.stringify(rows)}`);
  }
  assert.ok(written >= 500, `the writer drew ${written} of 600 charts`);
});

test("the writer declines what it does not draw; the run page draws it with Plot", () => {
  const many = Array.from({ length: 11 }, (_, i) => ({ ctx: 1024 * 2 ** (i % 3), series: `s${i}`, pct: i }));
  assert.equal(
    residualSvg(
      many.map(({ ctx, series, pct }) => ({ ctx, metric: series, series, pct })),
      "r",
    ),
    null,
  );
  const allZero = [1024, 2048].map((ctx) => ({ ctx, series: "a", calculated: 0, measured: 0 }));
  assert.equal(measuredVsCalculatedSvg(allZero, "y", "a"), null);
  assert.equal(
    measuredVsCalculatedSvg([{ ctx: 0, series: "a", calculated: 1, measured: 1 }], "y", "a"),
    null,
    "a context a log scale cannot place",
  );
  const input: RunChartInputs = {
    title: "t",
    metrics: [{ metric: "kv_bytes", rows: allZero }],
    residuals: many.map(({ ctx, series, pct }) => ({ ctx, metric: series, series, pct })),
  };
  let plotted = 0;
  const markup = runChartsMarkup(input, (options) => {
    plotted++;
    return renderPlotToString(options);
  });
  assert.equal(plotted, 2, "both charts fell back to Plot");
  assert.equal((markup.match(/<svg /g) ?? []).length - (markup.match(/width="15"/g) ?? []).length, 2);
});

test("runChartsMarkup: the writer's charts are the markup Plot alone gives", () => {
  const rows = measuredRows(rng(16)).filter((row) => row.series === NAMES[0]);
  const input: RunChartInputs = {
    title: "A run & its <charts>",
    metrics: [{ metric: "kv_bytes", rows }],
    residuals: residualRows(rng(17)),
  };
  let plotted = 0;
  const fast = runChartsMarkup(input, (options) => {
    plotted++;
    return renderPlotToString(options);
  });
  const chartsOnly = (markup: string) =>
    markup.match(/<figure><div class="plot-d6a7b5-swatches[\s\S]*?<\/svg><\/figure>/g);
  const fromPlot = [
    renderPlotToString({
      ...measuredVsCalculatedChart(rows, { yLabel: "KV cache (MiB)" }),
      ariaLabel: "A run & its <charts>: KV cache measured and calculated against context",
    }),
    renderPlotToString({
      ...residualChart(input.residuals, { band: FLAG_PERCENT }),
      ariaLabel: `A run & its <charts>: residual of every measurement against the engine, with the ±${FLAG_PERCENT} % band`,
    }),
  ];
  assert.equal(plotted, 0, "the writer drew both");
  assert.deepEqual(chartsOnly(fast), fromPlot);
});
