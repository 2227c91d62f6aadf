/**
 * Measured ↔ calculated. Each measured metric is compared with the engine component it measures
 * (the table below is the methodology; the site's methodology page renders it), with the engine
 * rules of the run's own build (runtime.profile; when the build date is unknown every revision the
 * log formats allow is tried). |delta| > 15 % is flagged; measured ABOVE calculated by more than
 * 15 % applies the original report's rule: the context ceiling must be lowered (one-sided — a
 * measurement below the calculation never raises it).
 *
 * The rule is about memory the engine calculates being exceeded, so it only applies where the
 * calculation can be trusted that far: exact components and estimates calibrated on a measured
 * run of the same backend (CPU compute: on llama.cpp's own CPU graphs). A comparison with an
 * UNCALIBRATED estimate (compute buffers on Metal and on CPU for architectures without compute
 * fixtures, runtime memory on CPU and Metal, macOS footprint/dirty memory) is flagged and reported as
 * calibration evidence, never as a reason to lower the ceiling.
 *
 * Pure: no fs, no DOM. Shared by `npm run ingest` and the site. The architecture comes from the
 * caller (catalog preset or the run's inline one).
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import { RuntimeConfigSchema, type EngineProfile, type RuntimeConfig } from "../../schemas/runtime-config.ts";
import type { MeasuredMetric, MeasuredValue, Point, Run } from "../../schemas/run.ts";
import { CROSSCHECK_TABLE } from "./crosscheck-table.ts";
import type { Basis, CrossCheckRow } from "./crosscheck-table.ts";
import { computeBreakdown, planMemory } from "../engine/breakdown.ts";
import { FLAG_PERCENT } from "./flag.ts";
import { LLAMA_CPP_REVISIONS, revisionsFor } from "./revisions.ts";
import { pointPlacementReason, runtimeFields } from "./point-placement.ts";

export { FLAG_PERCENT };
export { CROSSCHECK_TABLE, ceilingRuleText } from "./crosscheck-table.ts";
export type { Basis, CrossCheckRow } from "./crosscheck-table.ts";

/**
 * The value a metric is compared with: what the tool printed, less the process's pre-load
 * baseline where one was recorded (peak RSS), with the resolution of both readings.
 */
export function comparedValue(m: MeasuredValue): { bytes: number; baseline?: number; resolution: number } {
  const res = m.resolution_bytes ?? 0;
  if (!m.baseline || m.baseline.bytes > m.bytes) return { bytes: m.bytes, resolution: res };
  return {
    bytes: m.bytes - m.baseline.bytes,
    baseline: m.baseline.bytes,
    resolution: res + (m.baseline.resolution_bytes ?? 0),
  };
}

export interface Comparison {
  metric: MeasuredMetric;
  component: string;
  /** The measured value compared: the tool's figure less `baseline_bytes` where one was recorded. */
  measured: number;
  /** The process's pre-load share subtracted from the tool's figure (peak RSS), when recorded. */
  baseline_bytes?: number;
  calculated: number;
  /** How far the calculated side can be trusted (and whether the ceiling rule may apply). */
  basis: Basis;
  /** (measured − calculated) / calculated × 100; null when calculated is 0. */
  delta_percent: number | null;
  delta_bytes: number;
  /** |delta| within the measurement's printed resolution. */
  exact_match: boolean;
  /** Expected to match exactly (deterministic component) but did not. */
  exact_expected: boolean;
  flagged: boolean;
  /** measured > calculated × 1.15 on a component that counts toward the budget, not an uncalibrated estimate. */
  lowers_ceiling: boolean;
  resolution_bytes: number;
}

export interface PointCheck {
  point: string;
  profile: EngineProfile;
  /** Config fields the engine had to assume (engine defaults), because the point does not state them. */
  assumed: string[];
  comparisons: Comparison[];
  /** Set when only the deterministic KV/RS part could be computed (e.g. weights unknown). */
  partial?: string;
  /** Metrics measured but not compared: their whole-run total depends on a placement the point states. */
  not_applicable?: Array<{ metric: MeasuredMetric; reason: string }>;
  error?: string;
}

export interface RunCheck {
  run: string;
  /** Profiles tried (one unless the build date is unknown). */
  profiles: EngineProfile[];
  points: PointCheck[];
  /**
   * The original report's rule: any measured > calculated by > 15 % lowers the ceiling.
   * `not_applied`: measurements > 15 % above an uncalibrated estimate (calibration evidence).
   */
  ceiling: { lower: boolean; reasons: string[]; worst_factor: number; not_applied: string[] };
  error?: string;
}

/** Profiles a run is compared with: its own, or every revision its log formats allow. */
export function profilesFor(run: Run): EngineProfile[] {
  if (run.runtime.profile) return [run.runtime.profile];
  if (run.runtime.engine === "turboquant")
    return [
      { name: "turboquant", revision: "2026-05" },
      { name: "turboquant", revision: "2026-03" },
    ];
  if (run.runtime.engine === "ollama") return [{ name: "ollama", revision: "2026-05" }];
  const range = run.runtime.llama_cpp?.format_date_range;
  const revs = range ? revisionsFor(range) : LLAMA_CPP_REVISIONS.map((r) => r.revision);
  return revs.map((revision) => ({ name: "llama.cpp", revision }));
}

/** The engine config of a point: its known fields, the run's backend/profile/ftype, defaults for the rest. */
export function engineConfig(run: Run, p: Point, profile: EngineProfile): { config: RuntimeConfig; assumed: string[] } {
  const known: Record<string, unknown> = { ...runtimeFields(p.config) };
  const assumed: string[] = [];
  if (known.n_ctx === undefined && p.n_ctx_allocated !== undefined) known.n_ctx = p.n_ctx_allocated;
  known.engine = profile;
  if (known.backend === undefined && run.runtime.backend) known.backend = run.runtime.backend;
  if (known.weights_ftype === undefined && run.model.ftype) known.weights_ftype = run.model.ftype;
  const config = RuntimeConfigSchema.parse(known);
  for (const k of [
    "n_ctx",
    "type_k",
    "type_v",
    "n_seq",
    "kv_unified",
    "flash_attn",
    "n_ubatch",
    "n_batch",
    "n_gpu_layers",
    "backend",
  ])
    if (known[k] === undefined) assumed.push(k);
  return { config, assumed };
}

/** Compare one measured metric of a point with its engine component. */
export function compare(row: CrossCheckRow, p: Point, b: Breakdown, config: RuntimeConfig): Comparison | undefined {
  const m = p.measured[row.metric];
  if (!m) return undefined;
  const v = comparedValue(m);
  const calculated = row.calculated(b);
  const basis = row.basis(b, config);
  const delta = v.bytes - calculated;
  const res = v.resolution;
  const pct = calculated === 0 ? null : (delta / calculated) * 100;
  const exactMatch = Math.abs(delta) <= res;
  const flagged = pct === null ? v.bytes > res : Math.abs(pct) > FLAG_PERCENT;
  const over = !exactMatch && (pct === null ? v.bytes > res : pct > FLAG_PERCENT);
  const c: Comparison = {
    metric: row.metric,
    component: row.component,
    measured: v.bytes,
    calculated,
    basis,
    delta_percent: pct === null ? null : Math.round(pct * 100) / 100,
    delta_bytes: delta,
    exact_match: exactMatch,
    exact_expected: row.exact,
    flagged,
    lowers_ceiling: row.ceiling && basis !== "uncalibrated estimate" && over,
    resolution_bytes: res,
  };
  if (v.baseline !== undefined) c.baseline_bytes = v.baseline;
  return c;
}

export type ArchitectureOf = (run: Run) => Architecture | { error: string };

const DETERMINISTIC: readonly MeasuredMetric[] = ["kv_bytes", "k_bytes", "v_bytes", "recurrent_bytes"];

/** Totals whose split over devices — and so whose sum over buffers — follows the placement. */
const PLACEMENT_DEPENDENT: readonly MeasuredMetric[] = [
  "compute_bytes",
  "model_bytes",
  "gpu_used_bytes",
  "peak_rss_bytes",
];

/**
 * Why a point's placement-dependent totals are not compared with the one-device breakdown: layers
 * left on the CPU (`-ngl` below every layer) or the KV cache kept in host memory move weights, KV
 * and compute between buffers, which only the per-device placement engine models
 * (docs/memory-model.md#offload). Null when the whole model sits on one device.
 */
export function placementReason(config: RuntimeConfig, arch: Architecture): string | null {
  const ngl = config.n_gpu_layers;
  if (config.backend !== "cpu" && ngl >= 0 && ngl <= arch.block_count)
    return `partial offload (-ngl ${ngl} of ${arch.block_count + 1} layers): compared per device by the placement engine, not as a one-device total`;
  if (config.no_kv_offload)
    return "--no-kv-offload: compared per device by the placement engine, not as a one-device total";
  return null;
}

/** Compare every finished point of a run with the engine. */
export function crossCheck(run: Run, archOf: ArchitectureOf): RunCheck {
  const profiles = profilesFor(run);
  const out: RunCheck = {
    run: run.id,
    profiles,
    points: [],
    ceiling: { lower: false, reasons: [], worst_factor: 1, not_applied: [] },
  };
  const arch = archOf(run);
  if ("error" in arch) {
    out.error = arch.error;
    return out;
  }
  for (const profile of profiles) {
    for (const p of run.points) {
      // did-not-fit is a result and failed is no measurement: neither is compared
      if (p.status !== "ok") continue;
      const pc: PointCheck = { point: p.id, profile, assumed: [], comparisons: [] };
      try {
        const { config, assumed } = engineConfig(run, p, profile);
        pc.assumed = assumed;
        let b: Breakdown;
        let rows = CROSSCHECK_TABLE;
        try {
          b = computeBreakdown(arch, config);
        } catch (e) {
          // the deterministic caches do not need weights or compute: compare those alone
          const m = planMemory(arch, config);
          const k = m.caches.reduce((a, c) => a + c.k_bytes, 0);
          const v = m.caches.reduce((a, c) => a + c.v_bytes, 0);
          b = { kv: { k_bytes: k, v_bytes: v, bytes: k + v }, recurrent: m.recurrent } as unknown as Breakdown;
          rows = CROSSCHECK_TABLE.filter((r) => DETERMINISTIC.includes(r.metric));
          pc.partial = (e as Error).message;
        }
        const placed = placementReason(config, arch) ?? pointPlacementReason(p.config);
        for (const row of rows) {
          if (placed && PLACEMENT_DEPENDENT.includes(row.metric)) {
            if (p.measured[row.metric]) (pc.not_applicable ??= []).push({ metric: row.metric, reason: placed });
            continue;
          }
          const c = compare(row, p, b, config);
          if (c) pc.comparisons.push(c);
        }
      } catch (e) {
        pc.error = (e as Error).message;
      }
      out.points.push(pc);
      const where = `(${profile.name} ${profile.revision})`;
      for (const c of pc.comparisons) {
        const text = `${p.id}: ${c.metric} measured ${c.measured} B is ${c.delta_percent}% above the calculated ${c.calculated} B`;
        if (c.lowers_ceiling) {
          out.ceiling.lower = true;
          const factor = c.measured / Math.max(1, c.calculated);
          out.ceiling.worst_factor = Math.max(out.ceiling.worst_factor, factor);
          out.ceiling.reasons.push(`${text} ${where}`);
        } else if (c.basis === "uncalibrated estimate" && c.flagged && c.delta_bytes > 0 && !c.exact_match) {
          const row = CROSSCHECK_TABLE.find((r) => r.metric === c.metric)!;
          if (row.ceiling) out.ceiling.not_applied.push(`${text}, an uncalibrated estimate ${where}`);
        }
      }
    }
  }
  return out;
}
