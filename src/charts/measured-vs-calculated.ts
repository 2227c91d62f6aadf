/**
 * Measured points over calculated curves, one chart per metric: x = requested context (log₂),
 * y = MiB, one line per series (a K/V configuration) for the engine's figure and one dot per
 * measurement. Pure: `(rows, options) => Plot options`, rendered at build time by PlotFigure.
 */
import * as Plot from "@observablehq/plot";
import type { PlotOptions } from "@observablehq/plot";
import { MiB } from "../lib/units.ts";
import { formatTokens } from "../lib/format.ts";

export interface MeasuredCalculatedRow {
  /** Requested context (tokens). */
  ctx: number;
  /** Series label, e.g. "f16/f16 FA on". */
  series: string;
  /** Engine figure in bytes; null where the engine cannot compute it. */
  calculated: number | null;
  /** Measured bytes; null where the point did not measure this metric. */
  measured: number | null;
}

export interface MeasuredCalculatedOptions {
  /** Y axis label, e.g. "KV cache (MiB)". */
  yLabel: string;
  width?: number;
  height?: number;
}

export function measuredVsCalculatedChart(
  rows: readonly MeasuredCalculatedRow[],
  { yLabel, width = 640, height = 320 }: MeasuredCalculatedOptions,
): PlotOptions {
  const calc = rows
    .filter((r) => r.calculated !== null)
    .map((r) => ({ ctx: r.ctx, series: r.series, mib: (r.calculated as number) / MiB }))
    .sort((a, b) => a.ctx - b.ctx);
  const meas = rows
    .filter((r) => r.measured !== null)
    .map((r) => ({ ctx: r.ctx, series: r.series, mib: (r.measured as number) / MiB }));
  return {
    width,
    height,
    marginLeft: 60,
    x: { type: "log", base: 2, label: "context (tokens, log scale)", tickFormat: (n: number) => formatTokens(n) },
    y: { label: yLabel, grid: true, zero: true },
    color: { legend: true, label: "configuration" },
    symbol: { legend: false },
    marks: [
      Plot.line(calc, { x: "ctx", y: "mib", z: "series", stroke: "series", strokeWidth: 1.5 }),
      Plot.dot(meas, { x: "ctx", y: "mib", stroke: "series", fill: "series", r: 3.5, symbol: "series" }),
    ],
  };
}
