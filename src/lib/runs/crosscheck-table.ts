import type { Breakdown } from "../../schemas/breakdown.ts";
import { cpuComputeCalibrated } from "../engine/compute/cpu-calibrated.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import type { MeasuredMetric } from "../../schemas/run.ts";

/**
 * The methodology of the cross-check as data: which engine component each measured metric is
 * compared with, how far that component can be trusted, and whether the ceiling rule applies
 * (crosscheck.ts runs the comparison; the site's methodology page renders this table).
 */

/**
 * How far the calculated side can be trusted for one comparison:
 * - `exact`: llama.cpp is deterministic; the engine must match to the printed digit;
 * - `estimate`: an estimate calibrated on a measured run of this backend (CUDA: the H100 run) or,
 *   for CPU compute buffers, on llama.cpp's own CPU graphs of the architecture;
 * - `uncalibrated estimate`: nothing of this backend backs it (Metal; CPU architectures without
 *   compute fixtures), or the measure itself is not yet calibrated (macOS footprint); the ceiling
 *   rule does not apply.
 */
export type Basis = "exact" | "estimate" | "uncalibrated estimate";

export interface CrossCheckRow {
  metric: MeasuredMetric;
  /** Engine component, as a readable path. */
  component: string;
  /** What the comparison means (the methodology text). */
  meaning: string;
  /** True where llama.cpp is deterministic and the engine must match to the printed digit. */
  exact: boolean;
  /** Whether the component counts toward the memory a context needs (so the ceiling rule may apply). */
  ceiling: boolean;
  /** The basis of the calculated side for a given breakdown and config. */
  basis: (b: Breakdown, config: RuntimeConfig) => Basis;
  /** The same in words, for the methodology table. */
  basis_text: string;
  calculated: (b: Breakdown) => number;
}

/** Σ weight bytes held in host buffers (mmapped `CPU_Mapped` or `CPU`). */
const hostWeights = (b: Breakdown): number =>
  b.weights.per_device.filter((d) => d.host).reduce((a, d) => a + d.bytes, 0);

/**
 * The compute-buffer model is calibrated on measured runs on CUDA with the layers on the GPU
 * (compute/cuda.ts), and on CPU on llama.cpp's own graph reservations for the architectures the
 * fixtures cover (compute/cpu-calibrated.ts). The Metal model is derived from its source (its
 * `compute-estimate` note says so) and counts as uncalibrated against a measurement.
 */
const computeCalibrated = (b: Breakdown, c: RuntimeConfig): boolean =>
  (c.backend === "cuda" && b.compute.per_backend.some((d) => !d.host)) ||
  (c.backend === "cpu" && cpuComputeCalibrated(b.model.arch));

const EXACT = (): Basis => "exact";
const computeBasis = (b: Breakdown, c: RuntimeConfig): Basis =>
  computeCalibrated(b, c) ? "estimate" : "uncalibrated estimate";
/** Totals include compute buffers and runtime memory: calibrated only where both are. */
const totalBasis = (b: Breakdown, c: RuntimeConfig): Basis =>
  computeCalibrated(b, c) && b.overhead.calibrated ? "estimate" : "uncalibrated estimate";

const BY_BACKEND =
  "estimate; calibrated on CUDA (the H100 run); on CPU calibrated on llama.cpp's own CPU graphs (the architectures its compute fixtures cover); an uncalibrated estimate on Metal";

/** The measured metric ↔ engine component table (issue #5), as data. */
export const CROSSCHECK_TABLE: readonly CrossCheckRow[] = [
  {
    metric: "kv_bytes",
    component: "kv.bytes",
    meaning: "KV cache: Σ of the llama.cpp `size =` lines ↔ Σ K+V bytes of every cache",
    exact: true,
    ceiling: true,
    basis: EXACT,
    basis_text: "exact (deterministic)",
    calculated: (b) => b.kv.bytes,
  },
  {
    metric: "k_bytes",
    component: "kv.k_bytes",
    meaning: "K part of the KV size lines",
    exact: true,
    ceiling: false,
    basis: EXACT,
    basis_text: "exact (deterministic)",
    calculated: (b) => b.kv.k_bytes,
  },
  {
    metric: "v_bytes",
    component: "kv.v_bytes",
    meaning: "V part of the KV size lines",
    exact: true,
    ceiling: false,
    basis: EXACT,
    basis_text: "exact (deterministic)",
    calculated: (b) => b.kv.v_bytes,
  },
  {
    metric: "recurrent_bytes",
    component: "recurrent.bytes",
    meaning: "recurrent state: RS size line ↔ R+S bytes",
    exact: true,
    ceiling: true,
    basis: EXACT,
    basis_text: "exact (deterministic)",
    calculated: (b) => b.recurrent.bytes,
  },
  {
    metric: "output_bytes",
    component: "output.bytes",
    meaning: "output (logits) buffer at init",
    exact: true,
    ceiling: false,
    basis: EXACT,
    basis_text: "exact (deterministic)",
    calculated: (b) => b.output.bytes,
  },
  {
    metric: "compute_bytes",
    component: "compute.bytes",
    meaning:
      "compute buffers summed over backends (CUDA0 + CUDA_Host, MTL0 + CPU …) ↔ the estimate per backend. On CPU (fitted to llama.cpp's reservations) and Metal (derived from its source) no measured run calibrates the model yet: a deviation there is evidence for calibration, not a reason to lower the ceiling",
    exact: false,
    ceiling: true,
    basis: computeBasis,
    basis_text: BY_BACKEND,
    calculated: (b) => b.compute.bytes,
  },
  {
    metric: "model_bytes",
    component: "weights.per_device (Σ)",
    meaning: "model buffers (device + CPU_Mapped) ↔ weights per runtime buffer",
    exact: false,
    ceiling: false,
    basis: () => "estimate",
    basis_text: "estimate (exact when the tensor table is known)",
    calculated: (b) => b.weights.per_device.reduce((a, d) => a + d.bytes, 0),
  },
  {
    metric: "gpu_used_bytes",
    component: "total.device_bytes",
    meaning: "GPU memory used (peak − recorded idle baseline, nvidia-smi) ↔ device total incl. runtime overhead",
    exact: false,
    ceiling: true,
    basis: totalBasis,
    basis_text: BY_BACKEND,
    calculated: (b) => b.total.device_bytes,
  },
  {
    metric: "peak_rss_bytes",
    component: "total.host_bytes − host weights + weights.bytes",
    meaning:
      "peak RSS − the process's RSS before the model load (the runtime itself: interpreter, libraries, CUDA context; PROC line `start` of memprobe and `npm run profile --server`, `before_model_load` of the embedded profiler) ↔ host total with every weight byte mapped (a default mmap load reads the whole file through the mapping). Without a recorded pre-load RSS the raw peak is compared",
    exact: false,
    ceiling: false,
    basis: totalBasis,
    basis_text: BY_BACKEND,
    calculated: (b) => b.total.host_bytes - hostWeights(b) + b.weights.bytes,
  },
  {
    metric: "peak_footprint_bytes",
    component: "total.bytes − weights.bytes",
    meaning:
      "macOS phys_footprint ↔ dirty non-file-backed memory: everything except the weights, which a default mmap load keeps as clean file-backed pages (CPU_Mapped, MTL0_Mapped); unverified until a Metal run calibrates it",
    exact: false,
    ceiling: true,
    basis: () => "uncalibrated estimate",
    basis_text: "uncalibrated estimate (until a Metal run calibrates it)",
    calculated: (b) => b.total.bytes - b.weights.bytes,
  },
  {
    metric: "dirty_bytes",
    component: "total.bytes − weights.bytes",
    meaning: "dirty memory (footprint/vmmap TOTAL dirty) ↔ dirty non-file-backed memory (as phys_footprint)",
    exact: false,
    ceiling: true,
    basis: () => "uncalibrated estimate",
    basis_text: "uncalibrated estimate (until a Metal run calibrates it)",
    calculated: (b) => b.total.bytes - b.weights.bytes,
  },
];

/** What the ceiling column of the methodology table says for a row. */
export function ceilingRuleText(row: CrossCheckRow): string {
  if (!row.ceiling) return "no (not part of the budget a context needs)";
  if (row.exact) return "yes";
  if (row.basis_text.startsWith("uncalibrated")) return "no while uncalibrated (flagged as calibration evidence)";
  return "yes where calibrated (CUDA; CPU on llama.cpp's own CPU graphs); no for uncalibrated estimates (Metal, other CPU architectures), which are flagged only";
}
