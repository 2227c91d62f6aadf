/**
 * The memory-vs-context chart. Until the engine has loaded it shows the build's static SVG (the
 * island's children); then it draws the live chart at the container's width: written as markup by
 * the chart writer (charts/memory-chart-svg.ts: Plot's markup without Plot, a small chunk loaded
 * with the engine) or, for what the writer leaves to it (measured points with their tips, the
 * residual view), by Observable Plot (a lazy chunk). Dragging the slider does not redraw the
 * chart: the current-position marker is an overlay moved through the chart's own scales, so a
 * slider step costs two attribute writes.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { MemoryChartData } from "../../charts/memory-vs-context.ts";
import type { ChartWriter, PlotKit } from "../../views/calculator/use-engine.ts";
import { formatTokens } from "../../lib/format.ts";
import { FLAG_PERCENT } from "../../lib/runs/flag.ts";
import { GiB } from "../../lib/units.ts";

export type { PlotKit };

interface Props {
  idPrefix: string;
  chart: Omit<MemoryChartData, "current">;
  current: { ctx: number; bytes: number } | null;
  mode: "total" | "residual";
  plot: PlotKit | null;
  writer: ChartWriter | null;
  pending: boolean;
  poolLabel: string;
  setMode: (m: "total" | "residual") => void;
  children?: ComponentChildren;
}

const SVGNS = "http://www.w3.org/2000/svg";
/** Drawn charts kept for reuse (each is one SVG of a few hundred nodes). */
const DRAWN_KEPT = 12;

interface Live {
  svg: SVGSVGElement;
  x: { apply: (v: number) => number };
  y: { apply: (v: number) => number } | null;
  rule: SVGLineElement;
  dot: SVGCircleElement;
  top: number;
  bottom: number;
}

interface Drawn {
  el: Element;
  live: Live;
}

/**
 * Plot's half-pixel nudge of its marks (0.5 on a screen whose devicePixelRatio is 1), which Plot
 * reads once when it loads; the writer is given the same. Clip ids are numbered as Plot numbers its own.
 */
const OFFSET = typeof window !== "undefined" && window.devicePixelRatio > 1 ? 0 : 0.5;
let clips = 0;

type Scale = { apply: (v: number) => number };

/** The live chart (Observable Plot) with an empty current-position overlay drawn through its scales. */
function drawChart(
  kit: PlotKit,
  chart: Omit<MemoryChartData, "current">,
  mode: "total" | "residual",
  width: number,
): Drawn {
  const { Plot, build } = kit;
  const el = Plot.plot(
    build({ ...chart, current: null }, { view: mode, width: Math.min(width, 960), height: height(width), tips: true }),
  ) as unknown as (SVGSVGElement | HTMLElement) & { scale: (n: string) => Scale | undefined };
  const svg = (el.tagName.toLowerCase() === "svg" ? el : el.querySelector("svg")) as SVGSVGElement;
  const y = el.scale("y") ?? null;
  const yr = (y as unknown as { range?: number[] })?.range ?? [0, 0];
  return withOverlay(el, svg, el.scale("x")!, mode === "total" ? y : null, yr);
}

function height(width: number): number {
  return width < 480 ? 300 : 380;
}

/** The writer's chart (the markup Plot would draw), or null where Plot must draw it. */
function writeChart(
  writer: ChartWriter,
  chart: Omit<MemoryChartData, "current">,
  mode: "total" | "residual",
  width: number,
): Drawn | null {
  const w = writer(chart, mode, {
    width: Math.min(width, 960),
    height: height(width),
    offset: OFFSET,
    clipId: `plot-clip-${clips + 1}`,
  });
  if (!w) return null;
  clips++;
  const t = document.createElement("template");
  t.innerHTML = w.svg;
  const svg = t.content.firstElementChild as SVGSVGElement;
  return withOverlay(svg, svg, { apply: w.x }, mode === "total" ? { apply: w.y } : null, w.yRange);
}

/** The chart element with the current-position overlay (a rule and a dot) appended to its svg. */
function withOverlay(el: Element, svg: SVGSVGElement, x: Scale, y: Scale | null, yr: number[]): Drawn {
  const g = document.createElementNS(SVGNS, "g");
  g.setAttribute("class", "calc-current");
  g.setAttribute("aria-hidden", "true");
  const rule = document.createElementNS(SVGNS, "line");
  const dot = document.createElementNS(SVGNS, "circle");
  dot.setAttribute("r", "6");
  g.append(rule, dot);
  svg.append(g);
  return { el, live: { svg, x, y, rule, dot, top: Math.min(...yr), bottom: Math.max(...yr) } };
}

/** Width of an element, rounded, following resizes (height-only changes ignored). */
function useWidth(ref: { current: HTMLElement | null }): number {
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setW(Math.round(el.getBoundingClientRect().width));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

export function ChartPanel(p: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const live = useRef<Live | null>(null);
  const width = useWidth(wrap);

  // A chart drawn before with the same data (a configuration gone back to, a recomputation that
  // changed nothing on it) is put back, not redrawn. Else the writer's, if it writes this one.
  const drawn = useRef(new Map<string, Drawn>());
  const key = useMemo(() => `${p.mode}|${width}|${JSON.stringify(p.chart)}`, [p.mode, width, p.chart]);
  const written = useMemo(
    () => (p.writer && width > 0 && !drawn.current.has(key) ? writeChart(p.writer, p.chart, p.mode, width) : null),
    [p.writer, key],
  );
  const drawable = drawn.current.has(key) || written !== null || p.plot !== null;
  const isLive = drawable && width > 0 && !p.pending;
  useLayoutEffect(() => {
    if (!isLive || !box.current) return;
    let d = drawn.current.get(key);
    if (d) drawn.current.delete(key);
    else d = written ?? drawChart(p.plot!, p.chart, p.mode, width);
    drawn.current.set(key, d);
    if (drawn.current.size > DRAWN_KEPT) drawn.current.delete(drawn.current.keys().next().value!);
    box.current.replaceChildren(d.el);
    live.current = d.live;
  }, [isLive, key, written, p.plot]);

  useLayoutEffect(() => {
    const l = live.current;
    if (!isLive || !l) return;
    const c = p.current;
    const show = c !== null && c.ctx >= p.chart.xDomain[0] && c.ctx <= p.chart.xDomain[1];
    l.rule.style.display = show ? "" : "none";
    l.dot.style.display = show && l.y ? "" : "none";
    if (!show) return;
    const x = String(l.x.apply(c!.ctx));
    l.rule.setAttribute("x1", x);
    l.rule.setAttribute("x2", x);
    l.rule.setAttribute("y1", String(l.top));
    l.rule.setAttribute("y2", String(l.bottom));
    if (l.y) {
      l.dot.setAttribute("cx", x);
      l.dot.setAttribute("cy", String(Math.max(l.top, Math.min(l.bottom, l.y.apply(c!.bytes / GiB)))));
    }
  });

  return (
    <figure class="calc-chart" aria-labelledby={`${p.idPrefix}-chart-cap`}>
      <ChartHead {...p} />
      <div ref={wrap} class="calc-chart__wrap">
        {!isLive && <div class={`calc-chart__static${p.pending ? " is-stale" : ""}`}>{p.children}</div>}
        <div ref={box} class="calc-chart__live" hidden={!isLive} data-testid="calc-chart-live" />
      </div>
      <ChartLegend chart={p.chart} />
    </figure>
  );
}

/** The caption and the total / residual switch. */
function ChartHead(p: Props) {
  return (
    <div class="calc-chart__head">
      <h3 id={`${p.idPrefix}-chart-cap`}>
        {p.mode === "total" ? `Memory against context (${p.poolLabel})` : "Measured − calculated (%)"}
      </h3>
      <div role="radiogroup" aria-label="Chart view" class="calc-seg">
        {(["total", "residual"] as const).map((m) => (
          <label key={m} class="calc-seg__opt">
            <input
              type="radio"
              name={`${p.idPrefix}-view`}
              value={m}
              checked={p.mode === m}
              onChange={() => p.setMode(m)}
            />
            {m === "total" ? "Total memory" : `Residual (±${FLAG_PERCENT} % band)`}
          </label>
        ))}
      </div>
    </div>
  );
}

/** One line per K/V configuration with its largest context, then the symbols. */
function ChartLegend({ chart }: { chart: Props["chart"] }) {
  const series = chart.series;
  return (
    <figcaption class="calc-legend">
      <ul>
        {series.map((s) => (
          <li key={s.key} class={s.selected ? "is-selected" : ""}>
            <svg width="34" height="10" aria-hidden="true" class="calc-legend__swatch">
              <line
                x1="1"
                y1="5"
                x2="33"
                y2="5"
                stroke={s.colour}
                stroke-width={s.selected ? 3 : 2}
                stroke-dasharray={s.dash || undefined}
              />
            </svg>
            {s.label}
            {s.selected ? " (your pick)" : ""}
            {s.maxCtx === null
              ? (s.maxNote ?? ": no context fits")
              : s.maxLimited
                ? `: fits even at ${formatTokens(s.maxCtx, { group: true })}, the chart's end`
                : `: fits up to ${formatTokens(s.maxCtx, { group: true })}`}
          </li>
        ))}
        <li>
          <span aria-hidden="true" class="calc-legend__sym">
            ◆
          </span>{" "}
          largest context that fits;{" "}
          <span aria-hidden="true" class="calc-legend__sym">
            ✕
          </span>{" "}
          measured point ({chart.measured.length});{" "}
          <span aria-hidden="true" class="calc-legend__sym">
            ╌
          </span>{" "}
          {chart.budgetLabel}
        </li>
      </ul>
    </figcaption>
  );
}
