/**
 * Measured ↔ calculated. Each measured metric is compared with the engine component it measures
 * (the table below is the methodology; the site's methodology page renders it), with the engine
 * rules of the run's own build (runtime.profile; when the build date is unknown every revision the
 * log formats allow is tried). |delta| > 15 % is flagged; measured ABOVE calculated by more than
 * 15 % applies the original report's rule: the context ceiling must be lowered (one-sided — a
 * measurement below the calculation never raises it).
 *
 * Pure: no fs. The architecture comes from the caller (catalog preset or the run's inline one).
 */
import type { Architecture } from "../../src/schemas/architecture.ts";
import type { Breakdown } from "../../src/schemas/breakdown.ts";
import { RuntimeConfigSchema, type EngineProfile, type RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import type { MeasuredMetric, Point, Run } from "../../src/schemas/run.ts";
import { computeBreakdown, planMemory } from "../../src/lib/engine/breakdown.ts";
import { LLAMA_CPP_REVISIONS, revisionsFor } from "./build-date.ts";

export const FLAG_PERCENT = 15;

/** Σ weight bytes held in host buffers (mmapped `CPU_Mapped` or `CPU`). */
const hostWeights = (b: Breakdown): number =>
  b.weights.per_device.filter((d) => d.host).reduce((a, d) => a + d.bytes, 0);

export interface CrossCheckRow {
  metric: MeasuredMetric;
  /** Engine component, as a readable path. */
  component: string;
  /** What the comparison means. */
  meaning: string;
  /** True where llama.cpp is deterministic and the engine must match to the printed digit. */
  exact: boolean;
  /** Whether the component counts toward the memory a context needs (so the ceiling rule applies). */
  ceiling: boolean;
  calculated: (b: Breakdown) => number;
}

/** The measured metric ↔ engine component table (issue #5), as data. */
export const CROSSCHECK_TABLE: readonly CrossCheckRow[] = [
  {
    metric: "kv_bytes",
    component: "kv.bytes",
    meaning: "KV cache: Σ of the llama.cpp `size =` lines ↔ Σ K+V bytes of every cache",
    exact: true,
    ceiling: true,
    calculated: (b) => b.kv.bytes,
  },
  {
    metric: "k_bytes",
    component: "kv.k_bytes",
    meaning: "K part of the KV size lines",
    exact: true,
    ceiling: false,
    calculated: (b) => b.kv.k_bytes,
  },
  {
    metric: "v_bytes",
    component: "kv.v_bytes",
    meaning: "V part of the KV size lines",
    exact: true,
    ceiling: false,
    calculated: (b) => b.kv.v_bytes,
  },
  {
    metric: "recurrent_bytes",
    component: "recurrent.bytes",
    meaning: "recurrent state: RS size line ↔ R+S bytes",
    exact: true,
    ceiling: true,
    calculated: (b) => b.recurrent.bytes,
  },
  {
    metric: "output_bytes",
    component: "output.bytes",
    meaning: "output (logits) buffer at init",
    exact: true,
    ceiling: false,
    calculated: (b) => b.output.bytes,
  },
  {
    metric: "compute_bytes",
    component: "compute.bytes",
    meaning: "compute buffers summed over backends (CUDA0 + CUDA_Host, MTL0 + CPU …) ↔ the estimate per backend",
    exact: false,
    ceiling: true,
    calculated: (b) => b.compute.bytes,
  },
  {
    metric: "model_bytes",
    component: "weights.per_device (Σ)",
    meaning: "model buffers (device + CPU_Mapped) ↔ weights per runtime buffer",
    exact: false,
    ceiling: false,
    calculated: (b) => b.weights.per_device.reduce((a, d) => a + d.bytes, 0),
  },
  {
    metric: "gpu_used_bytes",
    component: "total.device_bytes",
    meaning: "GPU memory used (peak − recorded idle baseline, nvidia-smi) ↔ device total incl. runtime overhead",
    exact: false,
    ceiling: true,
    calculated: (b) => b.total.device_bytes,
  },
  {
    metric: "peak_rss_bytes",
    component: "total.host_bytes − host weights + weights.bytes",
    meaning:
      "peak RSS ↔ host total with every weight byte mapped (a default mmap load reads the whole file through the mapping)",
    exact: false,
    ceiling: false,
    calculated: (b) => b.total.host_bytes - hostWeights(b) + b.weights.bytes,
  },
  {
    metric: "peak_footprint_bytes",
    component: "total.bytes − weights.bytes",
    meaning:
      "macOS phys_footprint ↔ dirty non-file-backed memory: everything except the weights, which a default mmap load keeps as clean file-backed pages (CPU_Mapped, MTL0_Mapped); unverified until a Metal run calibrates it (memory-rules.md §15)",
    exact: false,
    ceiling: true,
    calculated: (b) => b.total.bytes - b.weights.bytes,
  },
  {
    metric: "dirty_bytes",
    component: "total.bytes − weights.bytes",
    meaning: "dirty memory (footprint/vmmap TOTAL dirty) ↔ dirty non-file-backed memory (as phys_footprint)",
    exact: false,
    ceiling: true,
    calculated: (b) => b.total.bytes - b.weights.bytes,
  },
];

export interface Comparison {
  metric: MeasuredMetric;
  component: string;
  measured: number;
  calculated: number;
  /** (measured − calculated) / calculated × 100; null when calculated is 0. */
  delta_percent: number | null;
  delta_bytes: number;
  /** |delta| within the measurement's printed resolution. */
  exact_match: boolean;
  /** Expected to match exactly (deterministic component) but did not. */
  exact_expected: boolean;
  flagged: boolean;
  /** measured > calculated × 1.15 on a component that counts toward the budget. */
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
  error?: string;
}

export interface RunCheck {
  run: string;
  /** Profiles tried (one unless the build date is unknown). */
  profiles: EngineProfile[];
  points: PointCheck[];
  /** The original report's rule: any measured > calculated by > 15 % lowers the ceiling. */
  ceiling: { lower: boolean; reasons: string[]; worst_factor: number };
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
  const known: Record<string, unknown> = { ...p.config };
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

function compare(row: CrossCheckRow, p: Point, b: Breakdown): Comparison | undefined {
  const m = p.measured[row.metric];
  if (!m) return undefined;
  const calculated = row.calculated(b);
  const delta = m.bytes - calculated;
  const res = m.resolution_bytes ?? 0;
  const pct = calculated === 0 ? null : (delta / calculated) * 100;
  const exactMatch = Math.abs(delta) <= res;
  const flagged = pct === null ? m.bytes > res : Math.abs(pct) > FLAG_PERCENT;
  return {
    metric: row.metric,
    component: row.component,
    measured: m.bytes,
    calculated,
    delta_percent: pct === null ? null : Math.round(pct * 100) / 100,
    delta_bytes: delta,
    exact_match: exactMatch,
    exact_expected: row.exact,
    flagged,
    lowers_ceiling: row.ceiling && !exactMatch && (pct === null ? m.bytes > res : pct > FLAG_PERCENT),
    resolution_bytes: res,
  };
}

export type ArchitectureOf = (run: Run) => Architecture | { error: string };

/** Compare every point of a run with the engine. */
export function crossCheck(run: Run, archOf: ArchitectureOf): RunCheck {
  const profiles = profilesFor(run);
  const out: RunCheck = { run: run.id, profiles, points: [], ceiling: { lower: false, reasons: [], worst_factor: 1 } };
  const arch = archOf(run);
  if ("error" in arch) {
    out.error = arch.error;
    return out;
  }
  for (const profile of profiles) {
    for (const p of run.points) {
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
          rows = CROSSCHECK_TABLE.filter((r) =>
            ["kv_bytes", "k_bytes", "v_bytes", "recurrent_bytes"].includes(r.metric),
          );
          pc.partial = (e as Error).message;
        }
        for (const row of rows) {
          const c = compare(row, p, b);
          if (c) pc.comparisons.push(c);
        }
      } catch (e) {
        pc.error = (e as Error).message;
      }
      out.points.push(pc);
      for (const c of pc.comparisons)
        if (c.lowers_ceiling) {
          out.ceiling.lower = true;
          const factor = c.measured / Math.max(1, c.calculated);
          out.ceiling.worst_factor = Math.max(out.ceiling.worst_factor, factor);
          out.ceiling.reasons.push(
            `${p.id}: ${c.metric} measured ${c.measured} B is ${c.delta_percent}% above the calculated ${c.calculated} B (${profile.name} ${profile.revision})`,
          );
        }
    }
  }
  return out;
}
