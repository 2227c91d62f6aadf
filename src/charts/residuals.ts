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
  // reduce, not Math.max(...rows): a run of 60 000 points would overflow the call stack
  const extent = rows.reduce((m, r) => Math.max(m, Math.abs(r.pct) * 1.1), band * 1.5);
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
          { x: rows.reduce((m, r) => Math.min(m, r.ctx), Infinity), lo: -band, hi: band },
          { x: rows.reduce((m, r) => Math.max(m, r.ctx), -Infinity), lo: -band, hi: band },
        ],
        { x: "x", y1: "lo", y2: "hi", fillOpacity: 0.12, fill: "currentColor" },
      ),
      Plot.ruleY([0]),
      Plot.dot(rows, { x: "ctx", y: "pct", stroke: "metric", symbol: "metric", r: 3.5 }),
    ],
  };
}
