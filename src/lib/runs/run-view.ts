/**
 * A run page's numbers as pure data: per point and metric the measured bytes, the engine's
 * figure (ingest's cross-check table decides which engine component a metric is compared with),
 * the delta and the flag. Cells of metrics a point did not measure say so; the engine's figure is
 * still shown there, so a reader sees what the measurement would be compared with.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { EngineProfile } from "../../schemas/runtime-config.ts";
import type { MeasuredMetric, Point, Run } from "../../schemas/run.ts";
import { computeBreakdown } from "../engine/index.ts";
import { CROSSCHECK_TABLE, FLAG_PERCENT, engineConfig } from "./crosscheck.ts";
import type { Basis, Comparison, RunCheck } from "./crosscheck.ts";
import { kvPair } from "./run-summary.ts";

export const METRIC_LABEL: Record<MeasuredMetric, string> = {
  kv_bytes: "KV cache",
  k_bytes: "K cache",
  v_bytes: "V cache",
  recurrent_bytes: "Recurrent state",
  compute_bytes: "Compute buffers",
  model_bytes: "Model buffers",
  output_bytes: "Output buffer",
  peak_rss_bytes: "Peak RSS",
  peak_footprint_bytes: "Peak footprint",
  dirty_bytes: "Dirty memory",
  gpu_used_bytes: "GPU memory used",
};

/**
 * - `exact`: within the printed resolution
 * - `within`: |delta| ≤ 15 %
 * - `over`: measured more than 15 % above: lowers the context ceiling where the component counts
 * - `under`: measured more than 15 % below (never raises the ceiling)
 * - `not-measured`: the point has no such measurement
 * - `unchecked`: measured, but not compared (the point did not complete, or the engine refused)
 */
export type Flag = "exact" | "within" | "over" | "under" | "not-measured" | "unchecked" | "not-applicable";

export interface CellView {
  metric: MeasuredMetric;
  measured: number | null;
  calculated: number | null;
  deltaPct: number | null;
  flag: Flag;
  lowersCeiling: boolean;
  /** The engine component compared with. */
  component: string;
  exactExpected: boolean;
  /** How far the calculated side can be trusted (null when not compared). */
  basis: Basis | null;
  /** The process's pre-load share already subtracted from `measured` (peak RSS), when recorded. */
  baselineBytes: number | null;
  /** Why a measured metric is not compared (flag `not-applicable`), else null. */
  reason: string | null;
}

export interface PointView {
  id: string;
  status: Point["status"];
  /** Requested context, if the point states it. */
  ctx: number | null;
  allocated: number | null;
  kv: string;
  fa: string;
  /** Chart series: K/V pair, flash attention, parallel sequences. */
  series: string;
  cells: CellView[];
  /** Config fields the engine assumed because the point does not state them. */
  assumed: string[];
  error: string | null;
}

export interface RunView {
  profile: EngineProfile | null;
  /** Metrics measured by at least one point, in the cross-check table's order. */
  metrics: MeasuredMetric[];
  points: PointView[];
  error: string | null;
}

export function flagOf(c: Comparison): Flag {
  if (c.exact_match) return "exact";
  if (!c.flagged) return "within";
  return c.delta_bytes > 0 ? "over" : "under";
}

export function pointSeries(p: Point): string {
  const fa = p.config.flash_attn === "off" ? "FA off" : p.config.flash_attn === "on" ? "FA on" : "FA ?";
  const seq = p.config.n_seq && p.config.n_seq > 1 ? `, ${p.config.n_seq} seq` : "";
  return `${kvPair(p.config)} ${fa}${seq}`;
}

/** One view per profile the run was compared with (one, unless its build date is unknown). */
export function runViews(run: Run, check: RunCheck, arch: Architecture | { error: string }): RunView[] {
  const metrics = CROSSCHECK_TABLE.map((r) => r.metric).filter((m) => run.points.some((p) => p.measured[m]));
  const profiles: Array<EngineProfile | null> = check.profiles.length ? check.profiles : [null];
  return profiles.map((profile) => {
    const points = run.points.map((p): PointView => {
      const pc = check.points.find(
        (x) =>
          x.point === p.id &&
          profile !== null &&
          x.profile.name === profile.name &&
          x.profile.revision === profile.revision,
      );
      let calc: ((m: MeasuredMetric) => number) | null = null;
      let error: string | null = pc?.error ?? null;
      if (profile && !("error" in arch) && !error) {
        try {
          const b = computeBreakdown(arch, engineConfig(run, p, profile).config);
          calc = (m) => CROSSCHECK_TABLE.find((r) => r.metric === m)!.calculated(b);
        } catch (e) {
          error = (e as Error).message;
        }
      }
      const cells = metrics.map((metric): CellView => {
        const row = CROSSCHECK_TABLE.find((r) => r.metric === metric)!;
        const c = pc?.comparisons.find((x) => x.metric === metric);
        const measured = p.measured[metric]?.bytes ?? null;
        if (c)
          return {
            metric,
            measured: c.measured,
            calculated: c.calculated,
            deltaPct: c.delta_percent,
            flag: flagOf(c),
            lowersCeiling: c.lowers_ceiling,
            component: row.component,
            exactExpected: row.exact,
            basis: c.basis,
            baselineBytes: c.baseline_bytes ?? null,
            reason: null,
          };
        const na = pc?.not_applicable?.find((x) => x.metric === metric);
        return {
          metric,
          measured,
          calculated: calc ? calc(metric) : null,
          deltaPct: null,
          flag: measured === null ? "not-measured" : na ? "not-applicable" : "unchecked",
          lowersCeiling: false,
          component: row.component,
          exactExpected: row.exact,
          basis: null,
          baselineBytes: null,
          reason: na?.reason ?? null,
        };
      });
      return {
        id: p.id,
        status: p.status,
        ctx: typeof p.config.n_ctx === "number" ? p.config.n_ctx : null,
        allocated: p.n_ctx_allocated ?? null,
        kv: kvPair(p.config),
        fa: p.config.flash_attn ?? "?",
        series: pointSeries(p),
        cells,
        assumed: pc?.assumed ?? [],
        error: "error" in arch ? arch.error : error,
      };
    });
    points.sort((a, b) => a.series.localeCompare(b.series) || (a.ctx ?? 0) - (b.ctx ?? 0));
    return { profile, metrics, points, error: check.error ?? null };
  });
}

export { FLAG_PERCENT };
