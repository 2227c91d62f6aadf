/**
 * Residuals of measurements against the engine: (measured − calculated) / calculated in %, per
 * point and metric, with the ±15 % band of the original report's rule. Pure builder.
 */
import * as Plot from "@observablehq/plot";
import type { PlotOptions } from "@observablehq/plot";
import { formatTokens } from "../lib/format.ts";
import { FLAG_PERCENT } from "../lib/runs/flag.ts";

export interface ResidualRow {
  ctx: number;
  /** What was compared, e.g. "GPU used vs device total". */
  metric: string;
  /** Series label, e.g. "q8_0/q8_0 FA on". */
  series: string;
  /** (measured − calculated) / calculated × 100. */
  pct: number;
}

export interface ResidualOptions {
  /** Half-width of the tolerance band in % (the flag threshold). */
  band?: number;
  width?: number;
  height?: number;
}

export function residualChart(
  rows: readonly ResidualRow[],
  { band = FLAG_PERCENT, width = 640, height = 300 }: ResidualOptions = {},
): PlotOptions {
  const extent = Math.max(band * 1.5, ...rows.map((r) => Math.abs(r.pct) * 1.1));
  return {
    width,
    height,
    marginLeft: 50,
    x: { type: "log", base: 2, label: "context (tokens, log scale)", tickFormat: (n: number) => formatTokens(n) },
    y: { label: "measured − calculated (%)", domain: [-extent, extent], grid: true },
    color: { legend: true, label: "metric" },
    marks: [
      Plot.areaY(
        [
          { x: Math.min(...rows.map((r) => r.ctx)), lo: -band, hi: band },
          { x: Math.max(...rows.map((r) => r.ctx)), lo: -band, hi: band },
        ],
        { x: "x", y1: "lo", y2: "hi", fillOpacity: 0.12, fill: "currentColor" },
      ),
      Plot.ruleY([0]),
      Plot.dot(rows, { x: "ctx", y: "pct", stroke: "metric", symbol: "metric", r: 3.5 }),
    ],
  };
}
