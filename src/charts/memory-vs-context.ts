/**
 * Total memory against context (log x), one line per KV cache configuration, the budget, the
 * largest context that fits on each line, the current position and measured points; or the
 * residual view (measured − calculated, %) with the ±15 % band of the original report's rule.
 *
 * Pure: `(data, options) => Plot options`. The same builder draws the build-time SVG (through
 * src/charts/render.ts) and the live chart in the calculator island. Colours come with the data;
 * every line also has its own dash pattern and its marks carry <title> text, so colour is never
 * the only carrier.
 */
import * as Plot from "@observablehq/plot";
import { formatTokensTick } from "../lib/format.ts";
import { FLAG_PERCENT } from "../lib/runs/flag.ts";
import { GiB } from "../lib/units.ts";
import { ctxTicks, MARGIN, maxMarked, maxTitle, totalYDomain } from "./memory-chart-parts.ts";

export interface CurvePoint {
  ctx: number;
  bytes: number;
}

export interface CurveSeries {
  /** Stable key: `<typeK>/<typeV>` as requested. */
  key: string;
  /** What is really allocated, e.g. "K q8_0 · V turbo4" (effective types). */
  label: string;
  points: CurvePoint[];
  /** Largest context that fits the budget on this line (null = none fits or no budget). */
  maxCtx: number | null;
  /** True when maxCtx is the end of the range drawn (it fits even there). */
  maxLimited?: boolean;
  /** Why maxCtx is not given (the largest context is withheld), instead of "no context fits". */
  maxNote?: string;
  /** Memory at maxCtx. */
  maxBytes: number | null;
  /** The user's own pick. */
  selected: boolean;
  colour: string;
  /** SVG stroke-dasharray ("" = solid). */
  dash: string;
}

export interface MeasuredMark {
  ctx: number;
  /** Measured value placed on the total scale (see src/lib/calculator/measured.ts). */
  bytes: number;
  /** Calculated value of the same quantity at the run's own configuration. */
  calcBytes: number;
  /** (measured − calculated) / calculated × 100. */
  deltaPct: number;
  /** Tooltip text: run, tool, build, quantity, delta. */
  title: string;
  colour: string;
}

export interface MemoryChartData {
  series: CurveSeries[];
  budgetBytes: number | null;
  budgetLabel: string;
  /** Other limits that can bind (the Apple GPU working-set limit), the binding one drawn heavier. */
  limits?: { bytes: number; label: string; binding: boolean }[];
  /** Current slider position on the selected line. */
  current: CurvePoint | null;
  /** Model's training context (a rule marks it). */
  trainCtx: number | null;
  measured: MeasuredMark[];
  xDomain: [number, number];
}

export interface MemoryChartOptions {
  view: "total" | "residual";
  width?: number;
  height?: number;
  /** Draw the current-position marker (the live island draws its own overlay instead). */
  currentMarker?: boolean;
  /** Pointer tips (needs a real DOM: client only). */
  tips?: boolean;
}

/** Size, margins, style and the log-2 context axis that both views share. */
function frame(data: MemoryChartData, o: MemoryChartOptions): Plot.PlotOptions {
  return {
    width: o.width ?? 640,
    height: o.height ?? 360,
    marginLeft: MARGIN.left,
    marginRight: MARGIN.right,
    style: { background: "transparent", fontSize: "12px", overflow: "visible" },
    x: {
      type: "log",
      // Base 2: d3's log tick formatter then keeps every power-of-two label we ask for.
      base: 2,
      domain: data.xDomain,
      ticks: ctxTicks(data.xDomain),
      tickFormat: formatTokensTick,
      label: "context (tokens, log scale) →",
    },
  };
}

/** A label just above a horizontal rule at `y`, at the left edge. */
function ruleLabel(y: number, label: string): Plot.Markish {
  return Plot.text([y], {
    y: (d: number) => d,
    frameAnchor: "left",
    dy: -7,
    dx: 4,
    textAnchor: "start",
    text: () => label,
    fill: "currentColor",
  });
}

/** Measured points (×, each in its run's colour) and, on the client, their pointer tips. */
function measuredMarks(
  measured: MeasuredMark[],
  y: "deltaPct" | ((d: MeasuredMark) => number),
  tips: boolean | undefined,
): Plot.Markish[] {
  const marks: Plot.Markish[] = [
    Plot.dot(measured, {
      x: "ctx",
      y,
      symbol: "times",
      r: 6,
      strokeWidth: 2.5,
      stroke: (d: MeasuredMark) => d.colour,
      title: "title",
      ariaLabel: () => "measured point",
      className: "calc-measured",
    }),
  ];
  if (tips) marks.push(Plot.tip(measured, Plot.pointer({ x: "ctx", y, title: "title" })));
  return marks;
}

/** The dashed "model max" line at the training context, when it falls inside the x domain. */
function trainCtxMarks(data: MemoryChartData): Plot.Markish[] {
  if (!data.trainCtx || data.trainCtx <= data.xDomain[0] || data.trainCtx >= data.xDomain[1]) return [];
  return [
    Plot.ruleX([data.trainCtx], { stroke: "currentColor", strokeOpacity: 0.35, strokeDasharray: "2,3" }),
    Plot.text([data.trainCtx], {
      x: (d: number) => d,
      frameAnchor: "top",
      dy: 2,
      dx: -3,
      textAnchor: "end",
      text: () => "model max",
      fill: "currentColor",
      fillOpacity: 0.75,
    }),
  ];
}

/** The budget line and the per-device limit lines, each with its label. */
function budgetMarks(data: MemoryChartData): Plot.Markish[] {
  const marks: Plot.Markish[] = [];
  if (data.budgetBytes) {
    marks.push(
      Plot.ruleY([data.budgetBytes / GiB], { stroke: "currentColor", strokeWidth: 1.5, strokeDasharray: "6,3" }),
      ruleLabel(data.budgetBytes / GiB, data.budgetLabel),
    );
  }
  for (const l of data.limits ?? [])
    marks.push(
      Plot.ruleY([l.bytes / GiB], { stroke: "currentColor", strokeWidth: l.binding ? 2.5 : 1, strokeDasharray: "2,2" }),
      ruleLabel(l.bytes / GiB, l.label),
    );
  return marks;
}

/** One line per KV configuration, then a diamond at each one's largest context that fits. */
function seriesMarks(data: MemoryChartData): Plot.Markish[] {
  const marks: Plot.Markish[] = data.series.map((s) =>
    Plot.line(s.points, {
      x: "ctx",
      y: (d: CurvePoint) => d.bytes / GiB,
      stroke: s.colour,
      strokeWidth: s.selected ? 3 : 1.6,
      strokeDasharray: s.dash || undefined,
      title: () => s.label,
      className: `calc-line${s.selected ? " calc-line--selected" : ""}`,
    }),
  );
  const maxMarks = maxMarked(data);
  marks.push(
    Plot.dot(maxMarks, {
      x: "maxCtx",
      y: (s: CurveSeries) => (s.maxBytes as number) / GiB,
      symbol: "diamond",
      r: 5,
      fill: "key",
      stroke: "currentColor",
      strokeWidth: 0.8,
      title: maxTitle,
      ariaLabel: () => "max context",
      className: "calc-max",
    }),
  );
  return marks;
}

/** The asked context: a vertical rule and a ring on the selected line. */
function currentMarks(data: MemoryChartData, o: MemoryChartOptions): Plot.Markish[] {
  if (!o.currentMarker || !data.current) return [];
  return [
    Plot.ruleX([data.current.ctx], { stroke: "currentColor", strokeOpacity: 0.6, className: "calc-current" }),
    Plot.dot([data.current], {
      x: "ctx",
      y: (d: CurvePoint) => d.bytes / GiB,
      r: 6,
      stroke: "currentColor",
      strokeWidth: 2,
      fill: "none",
      className: "calc-current",
    }),
  ];
}

function totalView(data: MemoryChartData, o: MemoryChartOptions): Plot.PlotOptions {
  const colour = { domain: data.series.map((s) => s.key), range: data.series.map((s) => s.colour) };
  const marks: Plot.Markish[] = [
    Plot.ruleY([0], { stroke: "currentColor", strokeOpacity: 0.3 }),
    ...trainCtxMarks(data),
    ...budgetMarks(data),
    ...seriesMarks(data),
    ...currentMarks(data, o),
  ];
  if (data.measured.length) marks.push(...measuredMarks(data.measured, (d) => d.bytes / GiB, o.tips));
  return {
    ...frame(data, o),
    y: { domain: totalYDomain(data), label: "↑ memory (GiB, binary)", grid: true, nice: true },
    color: colour,
    clip: true,
    ariaLabel: "Total memory against context, one line per KV cache configuration",
    marks,
  };
}

function residualView(data: MemoryChartData, o: MemoryChartOptions): Plot.PlotOptions {
  const extent = Math.max(20, ...data.measured.map((d) => Math.abs(d.deltaPct) * 1.15));
  const marks: Plot.Markish[] = [
    Plot.rect([{ x1: data.xDomain[0], x2: data.xDomain[1], y1: -15, y2: 15 }], {
      x1: "x1",
      x2: "x2",
      y1: "y1",
      y2: "y2",
      fill: "currentColor",
      fillOpacity: 0.08,
    }),
    Plot.ruleY([-FLAG_PERCENT, FLAG_PERCENT], { stroke: "currentColor", strokeOpacity: 0.5, strokeDasharray: "4,3" }),
    Plot.ruleY([0], { stroke: "currentColor" }),
    ruleLabel(FLAG_PERCENT, `+${FLAG_PERCENT} %`),
  ];
  if (data.measured.length) {
    marks.push(...measuredMarks(data.measured, "deltaPct", o.tips));
  } else {
    marks.push(
      Plot.text(["No measured runs match this model yet."], {
        frameAnchor: "middle",
        text: (d: string) => d,
        fill: "currentColor",
      }),
    );
  }
  return {
    ...frame(data, o),
    y: { domain: [-extent, extent], label: "↑ measured − calculated (%)", grid: true },
    clip: true,
    ariaLabel: `Measured minus calculated memory in percent, with the ±${FLAG_PERCENT} % band`,
    marks,
  };
}

export function memoryVsContext(data: MemoryChartData, options: MemoryChartOptions): Plot.PlotOptions {
  return options.view === "residual" ? residualView(data, options) : totalView(data, options);
}
