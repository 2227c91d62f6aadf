/**
 * A run view's charts as markup: one chart per metric measured at two or more contexts
 * (measured dots over the engine's lines) and the residual chart of every comparison with the
 * ±15 % band — the same static SVG figures PlotFigure draws, built here as one string. No cache:
 * run-chart-svg.ts draws a chart in less time than a cache file took to write or read back.
 */
import type { PlotOptions } from "@observablehq/plot";
import { measuredVsCalculatedChart, type MeasuredCalculatedRow } from "./measured-vs-calculated.ts";
import { residualChart, type ResidualRow } from "./residuals.ts";
import { measuredVsCalculatedSvg, residualSvg } from "./run-chart-svg.ts";
import type { MeasuredMetric } from "../schemas/run.ts";
import { FLAG_PERCENT, METRIC_LABEL, type RunView } from "../lib/runs/run-view.ts";

export interface RunChartInputs {
  title: string;
  metrics: Array<{ metric: MeasuredMetric; rows: MeasuredCalculatedRow[] }>;
  residuals: ResidualRow[];
}

/** Everything the charts of a view depend on (and nothing else: the cache key is its hash). */
export function runChartInputs(view: RunView, title: string): RunChartInputs {
  const metrics = view.metrics
    .map((metric) => {
      const rows = view.points
        .filter((p) => p.ctx !== null)
        .map((p) => {
          const c = p.cells.find((x) => x.metric === metric)!;
          return { ctx: p.ctx as number, series: p.series, calculated: c.calculated, measured: c.measured };
        });
      return { metric, rows };
    })
    .filter((c) => new Set(c.rows.filter((r) => r.measured !== null).map((r) => r.ctx)).size >= 2);
  const residuals = view.points.flatMap((p) =>
    p.ctx === null
      ? []
      : p.cells
          .filter((c) => c.deltaPct !== null)
          .map((c) => ({
            ctx: p.ctx as number,
            metric: METRIC_LABEL[c.metric],
            series: p.series,
            pct: c.deltaPct as number,
          })),
  );
  return { title, metrics, residuals };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** PlotFigure's markup: the chart (with its accessible label) and an optional caption. */
function figure(svg: string, caption?: string): string {
  const cap = caption ? `<figcaption class="muted">${escapeHtml(caption)}</figcaption>` : "";
  return `<figure class="plot-figure"><div class="plot-figure__chart">${svg}</div>${cap}</figure>`;
}

/**
 * The charts section of a run view. Each chart is written by run-chart-svg.ts (Plot's markup
 * without Plot, ~10× cheaper); a chart it does not cover goes to `render`, which turns Plot
 * options into static SVG markup.
 */
export function runChartsMarkup(input: RunChartInputs, render: (options: PlotOptions) => string): string {
  const out: string[] = [];
  for (const c of input.metrics) {
    const label = METRIC_LABEL[c.metric];
    const yLabel = `${label} (MiB)`;
    const ariaLabel = `${input.title}: ${label} measured and calculated against context`;
    const svg =
      measuredVsCalculatedSvg(c.rows, yLabel, ariaLabel) ??
      render({ ...measuredVsCalculatedChart(c.rows, { yLabel }), ariaLabel });
    out.push(
      `<section class="run-chart"><h3 id="chart-${c.metric}">${escapeHtml(label)}: measured (dots) and calculated (lines)</h3>${figure(svg)}</section>`,
    );
  }
  if (input.residuals.length > 0) {
    const ariaLabel = `${input.title}: residual of every measurement against the engine, with the ±${FLAG_PERCENT} % band`;
    const svg =
      residualSvg(input.residuals, ariaLabel, FLAG_PERCENT) ??
      render({ ...residualChart(input.residuals, { band: FLAG_PERCENT }), ariaLabel });
    out.push(
      `<section class="run-chart"><h3 id="chart-residuals">Residuals: measured − calculated</h3>${figure(
        svg,
        `Shaded: ±${FLAG_PERCENT} %, the flag threshold. Points above it on a component that counts toward the budget lower the context ceiling.`,
      )}</section>`,
    );
  }
  return out.join("");
}
