import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown, BufferBytes, KvCache, Note } from "../../schemas/breakdown.ts";
import { isQuantizedKvType } from "../kv-types.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { estimateCompute, estimateOverhead } from "./compute.ts";
import type { ComputeInput } from "./compute.ts";
import { missingField } from "./errors.ts";
import { kvTypeTraits } from "./ggml-types.ts";
import { planMemory } from "./memory-plan.ts";
import type { MemoryPlan } from "./memory-plan.ts";
import { computeWeights } from "./runtime-weights.ts";
import type { BreakdownOptions } from "./runtime-weights.ts";

/**
 * The memory engine's entry point: one Breakdown for (architecture, runtime config). The parts
 * live beside it: memory-plan.ts (KV caches, recurrent state), runtime-weights.ts (weights per
 * buffer), compute.ts (compute buffers and overhead, estimates).
 */

export { planMemory } from "./memory-plan.ts";
export type { MemoryPlan } from "./memory-plan.ts";
export type { BreakdownOptions } from "./runtime-weights.ts";

function addTo(map: Map<string, BufferBytes>, name: string, host: boolean, bytes: number): void {
  const e = map.get(name);
  if (e) e.bytes += bytes;
  else map.set(name, { name, host, bytes });
}

/**
 * Full breakdown: KV, recurrent state, weights, output, compute (estimate), overhead (estimate),
 * totals per pool, bytes per token. Throws EngineError when the model cannot be sized.
 */
export function computeBreakdown(arch: Architecture, config: RuntimeConfig, opts: BreakdownOptions = {}): Breakdown {
  const m = planMemory(arch, config);
  return assemble(arch, config, opts, m);
}

/** How one layer's K and V tensors are laid out in their buffer: alignment and CUDA row padding. */
export interface KvRowTensors {
  readonly host: boolean;
  readonly align: number;
  readonly pad_k: number;
  /** null: no V tensor (MLA without V). */
  readonly pad_v: number | null;
}

export function kvRowTensors(row: KvCache["rows"][number], config: RuntimeConfig): KvRowTensors {
  const host = row.device === "CPU";
  const cuda = config.backend === "cuda" && !host;
  // CUDA quantized-row padding (docs/memory-model.md#kv-buffer-alignment): + row(type, 512 − ne0 % 512) per quantized tensor.
  const padK = cuda ? cudaRowPad(row.type_k, row.k_width, config) : 0;
  const padV = row.type_v ? (cuda ? cudaRowPad(row.type_v, row.v_width, config) : 0) : null;
  return { host, align: cuda ? 128 : 32, pad_k: padK, pad_v: padV };
}

/** Bytes a layer's K and V tensors of kb and vb bytes take in their buffer. */
export function alignedKvBytes(t: KvRowTensors, kb: number, vb: number): number {
  const a = t.align;
  return Math.ceil((kb + t.pad_k) / a) * a + (t.pad_v === null ? 0 : Math.ceil((vb + t.pad_v) / a) * a);
}

interface KvPerDevice {
  readonly per: BufferBytes[];
  readonly k: number;
  readonly v: number;
  readonly extra: number;
}

/** KV per device (aligned tensor sizes + rotation buffers in the first turbo layer's buffer). */
function kvPerDevice(caches: readonly KvCache[], config: RuntimeConfig): KvPerDevice {
  const kvPer = new Map<string, BufferBytes>();
  let kB = 0;
  let vB = 0;
  let extra = 0;
  for (const c of caches) {
    kB += c.k_bytes;
    vB += c.v_bytes;
    extra += c.extra_bytes;
    for (const row of c.rows) {
      const t = kvRowTensors(row, config);
      addTo(kvPer, row.device, t.host, alignedKvBytes(t, row.k_bytes, row.v_bytes));
    }
    if (c.extra_bytes > 0 && c.rows.length > 0) {
      const d = c.rows[0].device;
      addTo(kvPer, d, d === "CPU", c.extra_bytes);
    }
  }
  return { per: [...kvPer.values()], k: kB, v: vB, extra };
}

/** Weights per buffer, plus the vision encoder when asked for (an estimate). */
function weightsWithVision(
  arch: Architecture,
  config: RuntimeConfig,
  opts: BreakdownOptions,
  m: MemoryPlan,
  notes: Note[],
): Breakdown["weights"] {
  const w0 = computeWeights(arch, config, opts);
  notes.push(...w0.notes);
  const weights = w0.w;
  if (!config.vision_weights) return weights;
  if (arch.n_params_vision === null) throw missingField("n_params_vision", "because vision_weights is on");
  const vb = arch.n_params_vision * 2;
  const onDev = m.offload !== "none";
  notes.push({
    code: "vision-weights-estimate",
    level: "warning",
    message: `vision encoder counted as n_params_vision × 2 B (F16 mmproj) = ${vb} B; not in weights.bytes`,
  });
  return {
    ...weights,
    estimate: true,
    per_device: [...weights.per_device, { name: onDev ? m.devName : "CPU", host: !onDev, bytes: vb }],
  };
}

/** What the compute-buffer and overhead estimates read (docs/memory-model.md#compute-calibration). */
export function computeInput(arch: Architecture, config: RuntimeConfig, m: MemoryPlan): ComputeInput {
  const { r, plan, caches } = m;
  const full = caches.find((c) => c.kind === "full" && c.layers > 0) ?? caches.find((c) => c.kind === "swa");
  const swa = caches.find((c) => c.kind === "swa" && c.layers > 0 && c !== full);
  if (!m.fa && full && r.n_head_max === null)
    throw missingField("n_head", "for the compute buffer without flash attention (KQ matrix)");
  return {
    r,
    n_vocab: arch.vocab_size!,
    n_embd: arch.n_embd!,
    n_tok: plan.n_ubatch,
    // a context reserved for fewer outputs than tokens (a draft's): docs/memory-model.md#draft-outputs
    ...(config.n_outputs_max !== undefined ? { n_out: Math.min(plan.n_ubatch, config.n_outputs_max) } : {}),
    n_kv: full ? full.cells : 0,
    cells_total: full ? full.cells * full.n_stream : 1,
    n_kv_swa: swa ? swa.cells : 0,
    n_stream: full ? full.n_stream : 1,
    fa: m.fa,
    type_k: m.types.type_k,
    type_v: m.types.type_v,
    n_head: r.n_head_max,
    backend: config.backend,
    offload: m.offload,
    profile: config.engine,
    // attention on the host cuts the graph into splits (docs/memory-model.md#compute-cuda-kept-hidden)
    one_split: !config.no_kv_offload,
  };
}

function assemble(arch: Architecture, config: RuntimeConfig, opts: BreakdownOptions, m: MemoryPlan): Breakdown {
  const { r, plan, caches } = m;
  const notes = [...m.notes];
  if (arch.vocab_size === null) throw missingField("vocab_size", "for the output and compute buffers");
  if (arch.n_embd === null) throw missingField("n_embd", "for the compute buffer");
  const kv = kvPerDevice(caches, config);
  const weights = weightsWithVision(arch, config, opts, m, notes);

  // Output buffer: n_vocab × n_seq × 4 at init (docs/memory-model.md#output-buffer).
  const outName = config.backend === "cuda" && m.offload !== "none" ? "CUDA_Host" : "CPU";
  const outBytes = arch.vocab_size * config.n_seq * 4;

  // Compute + overhead estimates.
  const ci = computeInput(arch, config, m);
  const comp = estimateCompute(ci);
  const over = estimateOverhead({ ...ci, matmul: computeWeights(arch, config, opts).matmul });
  if (config.backend === "metal") notes.push({ code: "compute-estimate", level: "warning", message: comp.label });
  if (!over.calibrated) notes.push({ code: "overhead-uncalibrated", level: "warning", message: over.label });

  // Totals.
  let device = 0;
  let host = 0;
  for (const list of [kv.per, m.recurrent.per_device, weights.per_device, comp.per_backend])
    for (const b of list) {
      if (b.host) host += b.bytes;
      else device += b.bytes;
    }
  host += outBytes;
  device += over.device_bytes;
  host += over.host_bytes;
  const total = device + host;

  // Linear model around this point.
  const slope = m.kv_slope + comp.slope_per_cell + over.slope_per_cell;
  const bpt = Math.round(slope * 1000) / 1000;

  return {
    engine: config.engine,
    model: { arch: arch.arch, name: arch.name },
    context: {
      requested: m.requested,
      n_ctx_total_requested: m.n_ctx_total_requested,
      allocated_cells: plan.n_ctx,
      n_ctx_seq: plan.n_ctx_seq,
      n_stream: plan.n_stream,
      n_seq: config.n_seq,
      kv_unified: config.kv_unified,
      n_ctx_train: arch.context_length,
    },
    effective: {
      type_k: m.types.type_k,
      type_v: m.types.type_v,
      flash_attn: m.fa,
      n_ubatch: plan.n_ubatch,
      n_batch: plan.n_batch,
    },
    layer_kinds: r.layers.map((l) => l.kind),
    kv: { k_bytes: kv.k, v_bytes: kv.v, bytes: kv.k + kv.v, extra_bytes: kv.extra, caches, per_device: kv.per },
    recurrent: m.recurrent,
    weights,
    output: { bytes: outBytes, name: outName },
    compute: { bytes: comp.bytes, per_backend: comp.per_backend, estimate: true, label: comp.label },
    overhead: {
      bytes: over.device_bytes + over.host_bytes,
      device_bytes: over.device_bytes,
      host_bytes: over.host_bytes,
      parts: over.parts,
      estimate: true,
      label: over.label,
      calibrated: over.calibrated,
    },
    total: { device_bytes: device, host_bytes: host, bytes: total },
    bytes_per_token: bpt,
    fixed_bytes: Math.round(total - slope * plan.n_ctx),
    notes,
  };
}

function cudaRowPad(type: KvType, width: number, config: RuntimeConfig): number {
  if (width % 512 === 0 || !isQuantizedKvType(type)) return 0;
  // Quantized: one row chunk of (512 − ne0 % 512) values.
  const tr = kvTypeTraits(type, config.engine);
  return Math.ceil((512 - (width % 512)) / tr.blck) * tr.bytes;
}
