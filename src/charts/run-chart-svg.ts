/**
 * The two run-page charts (measured-vs-calculated.ts, residuals.ts) written straight to markup,
 * byte for byte what Plot draws from the same options, without Plot: a run page's charts were
 * most of a large build's CPU (Plot building marks, scales and a virtual DOM for ~50 000 charts
 * of 10 000 runs; bench: build). The scales, ticks, tick labels, lines, areas and symbols come
 * from the same d3 modules Plot uses, so every number is computed the same way.
 *
 * Only the shapes the run pages draw are written here; anything else (an empty or one-point
 * domain, a value that is not finite, more series than Plot's palette or symbol set holds)
 * answers null and the caller draws it with Plot. tests/unit/charts/run-chart-svg.test.ts
 * compares both over thousands of generated charts.
 */
import { scaleLinear, scaleLog, type ContinuousScale } from "d3-scale";
import { area as shapeArea, line as shapeLine, symbolsFill, symbolsStroke, type SymbolType } from "d3-shape";
import { pathRound } from "d3-path";
import { formatTokens } from "../lib/format.ts";
import { MiB } from "../lib/units.ts";
import { FLAG_PERCENT } from "../lib/runs/flag.ts";
import type { MeasuredCalculatedRow } from "./measured-vs-calculated.ts";
import type { ResidualRow } from "./residuals.ts";
import { attr, CLS, SVG_STYLE, text } from "./plot-markup.ts";

/** Plot's default categorical palette (d3's schemeObservable10), in domain order. */
const PALETTE = [
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
  "#9498a0",
];
/** Plot's default margins other than the left one, which each builder sets. */
const TOP = 20;
const RIGHT = 20;
const BOTTOM = 30;
const WIDTH = 640;
/** The dot radius of both builders, and Plot's tick spacing (px per tick) on x and y. */
const R = 3.5;
const X_SPACING = 80;
const Y_SPACING = 35;

const SWATCHES_STYLE = `:where(.${CLS}-swatches) {
  font-family: system-ui, sans-serif;
  font-size: 10px;
  margin-bottom: 0.5em;
}
:where(.${CLS}-swatch &gt; svg) {
  margin-right: 0.5em;
  overflow: visible;
}
:where(.${CLS}-swatches-wrap) {
  display: flex;
  align-items: center;
  min-height: 33px;
  flex-wrap: wrap;
}
:where(.${CLS}-swatches-wrap .${CLS}-swatch) {
  display: inline-flex;
  align-items: center;
  margin-right: 1em;
}`;

/** Plot's ordinal domain: distinct values, ascending. */
function ordinalDomain(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function legend(domain: readonly string[]): string {
  const items = domain
    .map(
      (d, i) =>
        `<span class="${CLS}-swatch"><svg xmlns="http://www.w3.org/2000/svg" width="15" height="15" fill="${PALETTE[i]}"><rect width="100%" height="100%"></rect></svg>${text(d)}</span>`,
    )
    .join("");
  return `<div class="${CLS}-swatches ${CLS}-swatches-wrap"><style>${SWATCHES_STYLE}</style>${items}</div>`;
}

const symbolPaths = new Map<SymbolType, string>();
/** A symbol's path at the builders' dot size, as Plot's dot mark draws it (3 decimals). */
function symbolPath(s: SymbolType): string {
  let d = symbolPaths.get(s);
  if (d === undefined) {
    const p = pathRound();
    s.draw(p, R * R * Math.PI);
    d = String(p);
    symbolPaths.set(s, d);
  }
  return d;
}

interface Frame {
  height: number;
  marginLeft: number;
  yLabel: string;
  ariaLabel: string;
  x: ContinuousScale;
  y: ContinuousScale;
}

/** Grid, axes and labels: everything of the chart before its marks. */
function frameMarkup(f: Frame): string | null {
  const bottom = f.height - BOTTOM;
  const right = WIDTH - RIGHT;
  const yCount = (bottom - TOP) / Y_SPACING;
  const xCount = (right - f.marginLeft) / X_SPACING;
  const yTicks = f.y.ticks(yCount);
  const xTicks = f.x.ticks(xCount);
  const yFormat = f.y.tickFormat(yCount);
  const xFormat = f.x.tickFormat(xCount, formatTokens);
  const yPos = yTicks.map((t) => f.y(t));
  const xPos = xTicks.map((t) => f.x(t));
  const xLabels = xTicks.map((t) => xFormat(t));
  if (xLabels.some((l) => l === "") || ![...xPos, ...yPos].every(Number.isFinite)) return null;
  const ml = f.marginLeft;
  // Plot's direction arrow: none on a one-context domain (every point at the middle)
  const [d0, d1] = f.x.domain();
  const arrow = d0 < d1 ? " →" : "";
  let s =
    `<svg xmlns="http://www.w3.org/2000/svg" class="${CLS}" fill="currentColor" font-family="system-ui, sans-serif" font-size="10" text-anchor="middle" width="${WIDTH}" height="${f.height}" viewBox="0 0 ${WIDTH} ${f.height}" aria-label="${attr(f.ariaLabel)}"><style>${SVG_STYLE}</style>` +
    `<g aria-label="y-grid" aria-hidden="true" stroke="currentColor" stroke-opacity="0.1">`;
  for (const y of yPos) s += `<line x1="${ml}" x2="${right}" y1="${y}" y2="${y}"></line>`;
  s += `</g><g aria-label="y-axis tick" aria-hidden="true" fill="none" stroke="currentColor">`;
  for (const y of yPos) s += `<path transform="translate(${ml},${y})" d="M0,0L-6,0"></path>`;
  s += `</g><g aria-label="y-axis tick label" text-anchor="end" font-variant="tabular-nums" transform="translate(-9,0)">`;
  yTicks.forEach(
    (t, i) => (s += `<text y="0.32em" transform="translate(${ml},${yPos[i]})">${text(yFormat(t))}</text>`),
  );
  s +=
    `</g><g aria-label="y-axis label" text-anchor="start" transform="translate(${3 - ml},${3 - TOP})"><text y="0.71em" transform="translate(${ml},${TOP})">↑ ${text(f.yLabel)}</text></g>` +
    `<g aria-label="x-axis tick" aria-hidden="true" fill="none" stroke="currentColor">`;
  for (const x of xPos) s += `<path transform="translate(${x},${bottom})" d="M0,0L0,6"></path>`;
  s += `</g><g aria-label="x-axis tick label" font-variant="tabular-nums" transform="translate(0,9)">`;
  xLabels.forEach((l, i) => (s += `<text y="0.71em" transform="translate(${xPos[i]},${bottom})">${text(l)}</text>`));
  s += `</g><g aria-label="x-axis label" text-anchor="end" transform="translate(${RIGHT - 3},${BOTTOM - 3})"><text transform="translate(${right},${bottom})">context (tokens, log scale)${arrow}</text></g>`;
  return s;
}

/** [min, max] of finite positive contexts (equal for one context), or null where a log scale could not place them. */
function ctxExtent(ctxs: readonly number[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of ctxs) {
    if (!(c > 0) || !Number.isFinite(c)) return null;
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  return lo <= hi ? [lo, hi] : null;
}

function xScale(domain: [number, number], marginLeft: number): ContinuousScale {
  return scaleLog()
    .base(2)
    .domain(domain)
    .range([marginLeft, WIDTH - RIGHT]);
}

/** measuredVsCalculatedChart(rows, { yLabel }) with `ariaLabel`, as Plot draws it; null: use Plot. */
export function measuredVsCalculatedSvg(
  rows: readonly MeasuredCalculatedRow[],
  yLabel: string,
  ariaLabel: string,
): string | null {
  const height = 320;
  const marginLeft = 60;
  const calc = rows
    .filter((r) => r.calculated !== null)
    .map((r) => ({ ctx: r.ctx, series: r.series, mib: (r.calculated as number) / MiB }))
    .sort((a, b) => a.ctx - b.ctx);
  const meas = rows
    .filter((r) => r.measured !== null)
    .map((r) => ({ ctx: r.ctx, series: r.series, mib: (r.measured as number) / MiB }));
  const all = [...calc, ...meas];
  const xDomain = ctxExtent(all.map((r) => r.ctx));
  if (calc.length === 0 || meas.length === 0 || !xDomain) return null;
  let yHi = 0;
  for (const r of all) {
    if (!(r.mib >= 0) || !Number.isFinite(r.mib)) return null;
    if (r.mib > yHi) yHi = r.mib;
  }
  const colors = ordinalDomain(all.map((r) => r.series));
  const symbols = ordinalDomain(meas.map((r) => r.series));
  if (yHi === 0 || colors.length > PALETTE.length) return null;
  const x = xScale(xDomain, marginLeft);
  const y = scaleLinear()
    .domain([0, yHi])
    .range([height - BOTTOM, TOP]);
  const frame = frameMarkup({ height, marginLeft, yLabel, ariaLabel, x, y });
  if (frame === null) return null;
  const color = (s: string) => PALETTE[colors.indexOf(s)];
  let s = `<g aria-label="line" fill="none" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round">`;
  const line = shapeLine<(typeof calc)[number]>()
    .x((r) => x(r.ctx))
    .y((r) => y(r.mib));
  for (const series of new Set(calc.map((r) => r.series)))
    s += `<path stroke="${color(series)}" d="${line(calc.filter((r) => r.series === series))}"></path>`;
  s += `</g><g aria-label="dot" stroke-width="1.5">`;
  for (const r of meas) {
    const c = color(r.series);
    const d = symbolPath(symbolsFill[symbols.indexOf(r.series) % symbolsFill.length]);
    s += `<path transform="translate(${x(r.ctx)},${y(r.mib)})" d="${d}" fill="${c}" stroke="${c}"></path>`;
  }
  return `<figure>${legend(colors)}${frame}${s}</g></svg></figure>`;
}

/** residualChart(rows, { band }) with `ariaLabel`, as Plot draws it; null: use Plot. */
export function residualSvg(rows: readonly ResidualRow[], ariaLabel: string, band = FLAG_PERCENT): string | null {
  const height = 300;
  const marginLeft = 50;
  const xDomain = ctxExtent(rows.map((r) => r.ctx));
  if (!xDomain || !rows.every((r) => Number.isFinite(r.pct))) return null;
  const extent = rows.reduce((m, r) => Math.max(m, Math.abs(r.pct) * 1.1), band * 1.5);
  const metrics = ordinalDomain(rows.map((r) => r.metric));
  if (metrics.length > PALETTE.length) return null;
  const x = xScale(xDomain, marginLeft);
  const y = scaleLinear()
    .domain([-extent, extent])
    .range([height - BOTTOM, TOP]);
  const frame = frameMarkup({ height, marginLeft, yLabel: "measured − calculated (%)", ariaLabel, x, y });
  if (frame === null) return null;
  const bandPath = shapeArea<number>()
    .x0((c) => x(c))
    .x1((c) => x(c))
    .y0(() => y(-band))
    .y1(() => y(band));
  let s =
    `<g aria-label="area" fill-opacity="0.12"><path d="${bandPath(xDomain)}"></path></g>` +
    `<g aria-label="rule" stroke="currentColor"><line x1="${marginLeft}" x2="${WIDTH - RIGHT}" y1="${y(0)}" y2="${y(0)}"></line></g>` +
    `<g aria-label="dot" fill="none" stroke-width="1.5">`;
  for (const r of rows) {
    const i = metrics.indexOf(r.metric);
    s += `<path transform="translate(${x(r.ctx)},${y(r.pct)})" d="${symbolPath(symbolsStroke[i % symbolsStroke.length])}" stroke="${PALETTE[i]}"></path>`;
  }
  return `<figure>${legend(metrics)}${frame}${s}</g></svg></figure>`;
}
