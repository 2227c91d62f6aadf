/**
 * The calculator's live memory-vs-context chart written straight to markup: what Observable Plot
 * draws in the browser from `memoryVsContext(data, { view: "total", width, height, tips: true })`,
 * element for element and attribute for attribute, without Plot (its chunk's evaluation and its
 * drawing were ≈180 ms of main thread at 4× CPU throttling before the first live chart; bench:
 * /calculator/ time to interactive). The scales, ticks, lines and symbols come from the same d3
 * modules Plot uses, so every number is computed the same way.
 *
 * Only the total view without measured points (their pointer tips are Plot's) is written; the
 * residual view, measured points or anything unusual (a value that is not finite, a repeated
 * series key) answers null and the island draws that chart with Plot.
 * tests/unit/charts/memory-chart-svg.test.ts compares both over every catalog model and many states.
 *
 * `offset` is Plot's half-pixel nudge (0.5 where the screen's devicePixelRatio is 1, else 0), read
 * once by Plot when it loads; `clipId` is the id Plot would number `plot-clip-<n>`.
 */
import { scaleLinear, scaleLog } from "d3-scale";
import { line as shapeLine, symbolDiamond } from "d3-shape";
import { pathRound } from "d3-path";
import { formatTokensTick } from "../lib/format.ts";
import { GiB } from "../lib/units.ts";
import { ctxTicks, MARGIN, maxMarked, maxTitle, totalYDomain } from "./memory-chart-parts.ts";
import type { CurvePoint, MemoryChartData } from "./memory-vs-context.ts";
import { attr, CLS, SVG_STYLE, text } from "./plot-markup.ts";

export interface WrittenChart {
  svg: string;
  /** The chart's scales, as Plot's `scale("x").apply` and `scale("y").apply`. */
  x: (ctx: number) => number;
  y: (gib: number) => number;
  /** The y scale's range (px, bottom first). */
  yRange: [number, number];
}

export interface WriteOptions {
  width: number;
  height: number;
  offset: number;
  clipId: string;
}

/** Plot's tick spacing on y (px per tick). */
const Y_SPACING = 35;
const ARIA = "Total memory against context, one line per KV cache configuration";
const SVG_INLINE_STYLE = "background: transparent; font-size: 12px; overflow: visible;";

/** ` transform="translate(x,y)"`, or nothing when both are 0 (as Plot leaves it out). */
function tr(x: number, y: number): string {
  return x || y ? ` transform="translate(${x},${y})"` : "";
}

function finite(...v: number[]): boolean {
  return v.every(Number.isFinite);
}

type Scale = (v: number) => number;

interface Frame {
  w: number;
  h: number;
  o: number;
  x: Scale;
  y: Scale & { ticks: (n: number) => number[]; tickFormat: (n: number) => (v: number) => string };
  xTicks: number[];
}

/** The svg element's start, the y grid and both axes: everything before the marks. */
function frameMarkup({ w, h, o, x, y, xTicks }: Frame): string {
  const { top, right, bottom, left } = MARGIN;
  const yb = h - bottom;
  const xr = w - right;
  const count = (yb - top) / Y_SPACING;
  const yTicks = y.ticks(count);
  const yFormat = y.tickFormat(count);
  let s =
    `<svg class="${CLS}" fill="currentColor" font-family="system-ui, sans-serif" font-size="10" text-anchor="middle" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" aria-label="${ARIA}" style="${SVG_INLINE_STYLE}"><style>${SVG_STYLE}</style>` +
    `<g aria-label="y-grid" aria-hidden="true" stroke="currentColor" stroke-opacity="0.1"${tr(0, o)}>`;
  for (const t of yTicks) s += `<line x1="${left}" x2="${xr}" y1="${y(t)}" y2="${y(t)}"></line>`;
  s += `</g><g aria-label="y-axis tick" aria-hidden="true" fill="none" stroke="currentColor"${tr(0, o)}>`;
  for (const t of yTicks) s += `<path transform="translate(${left},${y(t)})" d="M0,0L-6,0"></path>`;
  s += `</g><g aria-label="y-axis tick label" text-anchor="end" font-variant="tabular-nums"${tr(-9 + o, o)}>`;
  for (const t of yTicks) s += `<text y="0.32em" transform="translate(${left},${y(t)})">${text(yFormat(t))}</text>`;
  s +=
    `</g><g aria-label="y-axis label" text-anchor="start"${tr(3 - left + o, 3 - top + o)}><text y="0.71em" transform="translate(${left},${top})">↑ memory (GiB, binary)</text></g>` +
    `<g aria-label="x-axis tick" aria-hidden="true" fill="none" stroke="currentColor"${tr(o, 0)}>`;
  for (const t of xTicks) s += `<path transform="translate(${x(t)},${yb})" d="M0,0L0,6"></path>`;
  s += `</g><g aria-label="x-axis tick label" font-variant="tabular-nums"${tr(o, 9 + o)}>`;
  for (const t of xTicks)
    s += `<text y="0.71em" transform="translate(${x(t)},${yb})">${text(formatTokensTick(t))}</text>`;
  return (
    s +
    `</g><g aria-label="x-axis label" text-anchor="end"${tr(right - 3 + o, bottom - 3 + o)}><text transform="translate(${xr},${yb})">context (tokens, log scale) →</text></g>`
  );
}

/** One mark: Plot's outer group (its kind, the shared clip) around the group of its elements. */
function mark(kind: string, clip: string, attrs: string, inner: string): string {
  return `<g aria-label="${kind}" clip-path="url(#${clip})"><g${attrs}>${inner}</g></g>`;
}

/** A horizontal rule across the frame at `v` GiB; a vertical one at context `v`. */
function ruleY(f: Frame, clip: string, v: number, attrs: string): string {
  const y = f.y(v);
  return mark(
    "rule",
    clip,
    `${attrs}${tr(0, f.o)}`,
    `<line x1="${MARGIN.left}" x2="${f.w - MARGIN.right}" y1="${y}" y2="${y}"></line>`,
  );
}

/** The budget's and the device limits' rules, each with its label above it at the left edge. */
function budgetMarkup(f: Frame, clip: string, data: MemoryChartData): string {
  const rules: { gib: number; attrs: string; label: string }[] = [];
  if (data.budgetBytes)
    rules.push({
      gib: data.budgetBytes / GiB,
      attrs: ` stroke="currentColor" stroke-width="1.5" stroke-dasharray="6,3"`,
      label: data.budgetLabel,
    });
  for (const l of data.limits ?? [])
    rules.push({
      gib: l.bytes / GiB,
      // a stroke width of 1 is Plot's implied one: not written
      attrs: ` stroke="currentColor"${l.binding ? ` stroke-width="2.5"` : ""} stroke-dasharray="2,2"`,
      label: l.label,
    });
  let s = "";
  for (const r of rules) {
    s += ruleY(f, clip, r.gib, r.attrs);
    const at = `<text y="0.32em" transform="translate(${MARGIN.left},${f.y(r.gib)})">${text(r.label)}</text>`;
    s += mark("text", clip, ` text-anchor="start"${tr(4 + f.o, -7 + f.o)}`, at);
  }
  return s;
}

/** The "model max" rule and label at the training context, when inside the domain. */
function trainCtxMarkup(f: Frame, clip: string, data: MemoryChartData): string {
  const t = data.trainCtx;
  if (!t || t <= data.xDomain[0] || t >= data.xDomain[1]) return "";
  const x = f.x(t);
  const { top, bottom } = MARGIN;
  return (
    mark(
      "rule",
      clip,
      ` stroke="currentColor" stroke-opacity="0.35" stroke-dasharray="2,3"${tr(f.o, 0)}`,
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${f.h - bottom}"></line>`,
    ) +
    mark(
      "text",
      clip,
      ` fill-opacity="0.75" text-anchor="end"${tr(-3 + f.o, 2 + f.o)}`,
      `<text y="0.71em" transform="translate(${x},${top})">model max</text>`,
    )
  );
}

let diamond: string | null = null;
/** The largest-context diamond (r = 5) as Plot's dot mark draws it (3 decimals). */
function diamondPath(): string {
  if (diamond === null) {
    const p = pathRound();
    symbolDiamond.draw(p, 5 * 5 * Math.PI);
    diamond = String(p);
  }
  return diamond;
}

/** One line per series, then the largest-context diamonds; null if a value is not finite. */
function seriesMarkup(f: Frame, clip: string, data: MemoryChartData): string | null {
  const line = shapeLine<CurvePoint>()
    .x((p) => f.x(p.ctx))
    .y((p) => f.y(p.bytes / GiB));
  let s = "";
  for (const sr of data.series) {
    if (!sr.points.every((p) => p.ctx > 0 && finite(p.ctx, p.bytes))) return null;
    const cls = `calc-line${sr.selected ? " calc-line--selected" : ""}`;
    const dash = sr.dash ? ` stroke-dasharray="${attr(sr.dash)}"` : "";
    const attrs = ` class="${cls}" fill="none" stroke="${attr(sr.colour)}" stroke-width="${sr.selected ? 3 : 1.6}" stroke-linejoin="round" stroke-linecap="round"${dash}${tr(f.o, f.o)}`;
    const path = sr.points.length ? `<path d="${line(sr.points)}"><title>${text(sr.label)}</title></path>` : "";
    s += mark("line", clip, attrs, path);
  }
  let dots = "";
  for (const sr of maxMarked(data)) {
    const x = f.x(sr.maxCtx as number);
    const y = f.y((sr.maxBytes as number) / GiB);
    if (!finite(x, y)) return null;
    dots += `<path transform="translate(${x},${y})" d="${diamondPath()}" aria-label="max context" fill="${attr(sr.colour)}"><title>${text(maxTitle(sr))}</title></path>`;
  }
  // Plot draws no group for a mark without data
  if (dots === "") return s;
  return s + mark("dot", clip, ` class="calc-max" stroke="currentColor" stroke-width="0.8"${tr(f.o, f.o)}`, dots);
}

/** The chart's markup and scales, or null where Plot must draw it (see the module comment). */
export function memoryChartSvg(
  data: Omit<MemoryChartData, "current">,
  view: "total" | "residual",
  o: WriteOptions,
): WrittenChart | null {
  const d = { ...data, current: null };
  if (view !== "total" || d.measured.length > 0) return null;
  if (new Set(d.series.map((s) => s.key)).size !== d.series.length) return null;
  const [lo, hi] = d.xDomain;
  if (!(lo > 0 && hi > lo && finite(lo, hi))) return null;
  const { top, right, bottom, left } = MARGIN;
  // a frame a few pixels wide (a box not laid out yet): Plot's
  if (o.width - left - right < 100 || o.height - top - bottom < 100) return null;
  const x = scaleLog()
    .base(2)
    .domain([lo, hi])
    .range([left, o.width - right]);
  const y = scaleLinear()
    .domain(totalYDomain(d))
    .nice()
    .range([o.height - bottom, top]);
  if (!finite(...y.domain())) return null;
  const f: Frame = { w: o.width, h: o.height, o: o.offset, x, y, xTicks: ctxTicks(d.xDomain) };
  const clip = o.clipId;
  const series = seriesMarkup(f, clip, d);
  if (series === null) return null;
  const svg =
    frameMarkup(f) +
    `<clipPath id="${clip}"><rect x="${left}" y="${top}" width="${o.width - left - right}" height="${o.height - top - bottom}"></rect></clipPath>` +
    ruleY(f, clip, 0, ` stroke="currentColor" stroke-opacity="0.3"`) +
    trainCtxMarkup(f, clip, d) +
    budgetMarkup(f, clip, d) +
    series +
    "</svg>";
  return { svg, x, y, yRange: [o.height - bottom, top] };
}
