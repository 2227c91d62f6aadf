/**
 * Bytes against context for several configurations (KV cache per K/V type, or a total), with an
 * optional budget line. Pure builder; lines only, every value computed by the caller's engine.
 */
import * as Plot from "@observablehq/plot";
import type { PlotOptions } from "@observablehq/plot";
import { GB } from "../lib/units.ts";
import { formatTokens } from "../lib/format.ts";

export interface SeriesPoint {
  ctx: number;
  series: string;
  bytes: number;
}

export interface BytesByContextOptions {
  yLabel?: string;
  /** A horizontal rule at this many bytes (a budget), labelled `budgetLabel`. */
  budgetBytes?: number;
  budgetLabel?: string;
  width?: number;
  height?: number;
}

/** Y in decimal GB, as the original report and Apple state memory. */
export function bytesByContextChart(
  points: readonly SeriesPoint[],
  {
    yLabel = "GB (10⁹ bytes)",
    budgetBytes,
    budgetLabel = "budget",
    width = 640,
    height = 320,
  }: BytesByContextOptions = {},
): PlotOptions {
  const rows = points.map((p) => ({ ctx: p.ctx, series: p.series, gb: p.bytes / GB })).sort((a, b) => a.ctx - b.ctx);
  const marks: Plot.Markish[] = [
    Plot.line(rows, { x: "ctx", y: "gb", z: "series", stroke: "series", strokeWidth: 1.5 }),
    Plot.dot(rows, { x: "ctx", y: "gb", fill: "series", r: 2.5 }),
  ];
  if (budgetBytes !== undefined) {
    marks.push(Plot.ruleY([budgetBytes / GB], { strokeDasharray: "4,3" }));
    marks.push(
      Plot.text([{ y: budgetBytes / GB, label: budgetLabel }], {
        y: "y",
        text: "label",
        frameAnchor: "left",
        dy: -6,
        dx: 4,
      }),
    );
  }
  return {
    width,
    height,
    marginLeft: 50,
    x: { type: "log", base: 2, label: "context (tokens, log scale)", tickFormat: (n: number) => formatTokens(n) },
    y: { label: yLabel, grid: true, zero: true },
    color: { legend: true, label: "configuration" },
    marks,
  };
}
