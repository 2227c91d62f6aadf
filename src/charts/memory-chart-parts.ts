/**
 * The parts of the memory-vs-context chart (memory-vs-context.ts) that do not need Observable
 * Plot: margins, context ticks, the total view's y domain and the largest-context marks. Shared
 * with the chart's SVG writer (memory-chart-svg.ts), which must not pull Plot into its chunk.
 */
import { GiB } from "../lib/units.ts";
import type { CurveSeries, MemoryChartData } from "./memory-vs-context.ts";

/** Margins of both views (Plot's defaults for top and bottom: 20, 30). */
export const MARGIN = { top: 20, right: 16, bottom: 30, left: 48 } as const;

/** The context axis' ticks: powers of two within the domain. */
export function ctxTicks([lo, hi]: [number, number]): number[] {
  const out: number[] = [];
  for (let v = 512; v <= hi * 1.0001; v *= 2) if (v >= lo * 0.9999) out.push(v);
  // Keep at most ~8 labels: every other power of two on wide domains.
  return out.length > 9 ? out.filter((_, i) => (out.length - 1 - i) % 2 === 0) : out;
}

/** A largest-context diamond's title. */
export function maxTitle(s: CurveSeries): string {
  return `${s.label}: largest context that fits ${String(s.maxCtx).replace(/\B(?=(\d{3})+(?!\d))/g, ",")} tokens${s.maxLimited ? " or more" : ""}`;
}

/** The series that have a largest context to mark. */
export function maxMarked(data: MemoryChartData): CurveSeries[] {
  return data.series.filter((s) => s.maxCtx !== null && s.maxBytes !== null);
}

/** The total view's y domain (GiB) before Plot's `nice`: up to the lines' height at the chart's end, within 1.8 × the budget. */
export function totalYDomain(data: MemoryChartData): [number, number] {
  const maxVisible = Math.max(
    ...data.series.map((s) => s.points.find((p) => p.ctx >= data.xDomain[1])?.bytes ?? s.points.at(-1)?.bytes ?? 0),
    0,
  );
  const yTop = data.budgetBytes ? Math.min(maxVisible, data.budgetBytes * 1.8) : maxVisible;
  return [0, Math.max(yTop / GiB, 1) * 1.05];
}
