import type { BufferBytes } from "../../schemas/breakdown.ts";
import { isQuantizedKvType, isTurboType } from "../kv-types.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { Backend, EngineProfile } from "../../schemas/runtime-config.ts";
import type { ResolvedArchitecture } from "./layers.ts";
import { MiB } from "../units.ts";

/**
 * Compute-buffer and runtime-overhead ESTIMATES (docs/memory-model.md#compute-buffers, #runtime-overhead).
 *
 * llama.cpp measures compute buffers by reserving worst-case graphs; there is no formula. This
 * model keeps the dominant terms ({D}#compute-calibration) and is calibrated on the 23 H100 runs of
 * the project's measurement, data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda/ (llama.cpp de3ff81, CUDA, Qwen3-14B Q4_K_M), where it
 * reproduces every CUDA0 and CUDA_Host compute buffer to the byte:
 *
 * device = max(logits, attention, ffn)
 *   logits     = (n_vocab + n_embd) · n_out · 4                 (result_norm + logits, f32)
 *   attention  FA on : mask f16 n_kv·n_tok·2 + f16 dequant of quantized K/V (all cells × width × 2)
 *                      + 4 · n_embd · n_tok · 4 + 12 KiB + Hadamard rotation matrices
 *              FA off: KQ n_kv·n_tok·n_head·4 + mask f32 n_kv·n_tok·4 + 4 · n_embd · n_tok · 4
 *                      + 2 · k_width · n_tok · 4 + 8 KiB
 *   ffn        = n_tok · 4 · (2 · n_embd + 2 · ffn width)   (not binding on the calibration set)
 * host   = 2 · n_embd · n_tok · 4 + mask (f16 with FA, f32 without) + small inputs
 *          (+ 2 · k_width · n_tok · 4 without FA) + rotation matrices
 *
 * Runtime overhead (CUDA): 614.5 MiB with FA (CUDA context + ggml init 526.8 MiB, buffer
 * rounding, VMM pool / cuBLAS / graphs during decoding), plus without FA the pool's f16 copy of KQ
 * (n_kv · n_tok · n_head · 2) and 67 MiB. Metal and CPU: uncalibrated (0), labelled.
 */

export const CUDA_OVERHEAD_FA_BYTES = Math.round(614.5 * MiB);
export const CUDA_OVERHEAD_NOFA_EXTRA_BYTES = 67 * MiB;

export interface ComputeInput {
  readonly r: ResolvedArchitecture;
  readonly n_vocab: number;
  readonly n_embd: number;
  /** n_tokens of the reserve graph = min(n_ctx, n_ubatch). */
  readonly n_tok: number;
  /** KV cells per stream seen by the attention (largest cache). */
  readonly n_kv: number;
  /** All cells of that cache (× streams): the f16 dequant scratch is sized by the allocation. */
  readonly cells_total: number;
  readonly fa: boolean;
  readonly type_k: KvType;
  readonly type_v: KvType;
  /** Effective query heads for the KQ matrix (null when there is no attention). */
  readonly n_head: number | null;
  readonly backend: Backend;
  /** "all" layers + output on the device, "none", or "partial". */
  readonly offload: "all" | "none" | "partial";
  readonly profile: EngineProfile;
}

export interface ComputeResult {
  readonly per_backend: BufferBytes[];
  readonly bytes: number;
  /** d(bytes)/d(total cell) at this point (for bytes_per_token). */
  readonly slope_per_cell: number;
  readonly label: string;
}

export interface OverheadResult {
  readonly parts: { name: string; host: boolean; bytes: number }[];
  readonly device_bytes: number;
  readonly host_bytes: number;
  readonly slope_per_cell: number;
  readonly label: string;
  readonly calibrated: boolean;
}

/** Upstream Hadamard KV rotation matrices (#21038): n² f32 for n = 64 … max head dim (powers of 2). */
export function rotationMatrixBytes(
  r: ResolvedArchitecture,
  typeK: KvType,
  typeV: KvType,
  profile: EngineProfile,
): number {
  if (profile.name === "turboquant") return 0; // off by default in the fork (docs/memory-model.md#turboquant-rotation-buffers)
  if (profile.name === "llama.cpp" && profile.revision !== "current") return 0;
  const quant = (isQuantizedKvType(typeK) && !isTurboType(typeK)) || (isQuantizedKvType(typeV) && !isTurboType(typeV));
  if (!quant) return 0;
  let head = 0;
  for (const l of r.layers) if (l.kv && l.head_k > head) head = l.head_k;
  if (head === 0 || head % 64 !== 0) return 0;
  let s = 0;
  for (let n = 64; n <= head; n *= 2) s += n * n * 4;
  return s;
}

function ffnWidth(r: ResolvedArchitecture): number {
  const a = r.arch;
  if ((a.expert_count ?? 0) > 1 && a.expert_used_count && a.expert_feed_forward_length) {
    return (
      a.expert_used_count * a.expert_feed_forward_length +
      (a.expert_shared_feed_forward_length ?? 0) * Math.max(1, a.expert_shared_count ?? 0)
    );
  }
  const ff = a.feed_forward_length;
  if (ff === null) return 0;
  return typeof ff === "number" ? ff : Math.max(0, ...ff);
}

export function estimateCompute(c: ComputeInput): ComputeResult {
  const { r, n_tok: nTok, n_kv: nKv, fa } = c;
  const hasAttn = r.layers.some((l) => l.kv) && nKv > 0;
  const rot = rotationMatrixBytes(r, c.type_k, c.type_v, c.profile);
  const logits = (c.n_vocab + c.n_embd) * nTok * 4;
  let attn = 0;
  let attnSlope = 0;
  let host = 2 * c.n_embd * nTok * 4;
  let hostSlope = 0;
  if (hasAttn) {
    const kW = r.k_width_max;
    const vW = r.is_mla ? 0 : r.v_width_max;
    if (fa) {
      const deqPerCell = (isQuantizedKvType(c.type_k) ? kW * 2 : 0) + (isQuantizedKvType(c.type_v) ? vW * 2 : 0);
      const perKv = nTok * 2;
      attn = nKv * perKv + c.cells_total * deqPerCell + 4 * c.n_embd * nTok * 4 + 12288 + rot;
      attnSlope = perKv * (nKv / c.cells_total) + deqPerCell;
      host += nKv * nTok * 2 + 14336;
      hostSlope = nTok * 2 * (nKv / c.cells_total);
    } else {
      const nHead = c.n_head ?? 0;
      const perKv = nTok * nHead * 4 + nTok * 4;
      attn = nKv * perKv + 4 * c.n_embd * nTok * 4 + 2 * kW * nTok * 4 + 8192;
      attnSlope = perKv * (nKv / c.cells_total);
      host += nKv * nTok * 4 + 10240 + 2 * kW * nTok * 4;
      hostSlope = nTok * 4 * (nKv / c.cells_total);
    }
  }
  host += rot;
  const ffn = nTok * 4 * (2 * c.n_embd + 2 * ffnWidth(r));
  const main = Math.max(logits, attn, ffn);
  const mainSlope = attn >= logits && attn >= ffn ? attnSlope : 0;
  const label =
    "estimate: max(logits, attention, FFN) + host inputs; calibrated on llama.cpp de3ff81 CUDA H100 Qwen3-14B (23 runs)";
  let per: BufferBytes[];
  let slope: number;
  if (c.backend === "cpu" || c.offload === "none") {
    per = [{ name: "CPU", host: true, bytes: main + host }];
    slope = mainSlope + hostSlope;
  } else {
    const dev = c.backend === "cuda" ? "CUDA0" : "MTL0";
    const hostName = c.backend === "cuda" ? "CUDA_Host" : "CPU";
    if (c.offload === "all") {
      per = [
        { name: dev, host: false, bytes: main },
        { name: hostName, host: true, bytes: host },
      ];
    } else {
      // Partial offload: the device still reserves the full graph; CPU layers add their own.
      per = [
        { name: dev, host: false, bytes: main },
        { name: hostName, host: true, bytes: host + Math.max(attn, ffn) },
      ];
    }
    slope = mainSlope + hostSlope + (c.offload === "partial" ? attnSlope : 0);
  }
  const bytes = per.reduce((s, b) => s + b.bytes, 0);
  return { per_backend: per, bytes, slope_per_cell: slope, label };
}

export function estimateOverhead(c: ComputeInput): OverheadResult {
  if (c.backend === "cuda" && c.offload !== "none") {
    const parts = [
      { name: "CUDA context, ggml init, VMM pool, cuBLAS, graphs", host: false, bytes: CUDA_OVERHEAD_FA_BYTES },
    ];
    let slope = 0;
    const hasAttn = c.r.layers.some((l) => l.kv);
    if (!c.fa && hasAttn) {
      const perKv = c.n_tok * (c.n_head ?? 0) * 2;
      parts.push({
        name: "CUDA pool: f16 copy of KQ without flash attention",
        host: false,
        bytes: c.n_kv * perKv + CUDA_OVERHEAD_NOFA_EXTRA_BYTES,
      });
      slope = perKv * (c.n_kv / c.cells_total);
    }
    const dev = parts.reduce((s, p) => s + p.bytes, 0);
    return {
      parts,
      device_bytes: dev,
      host_bytes: 0,
      slope_per_cell: slope,
      label:
        "estimate: CUDA runtime outside llama.cpp buffers, calibrated on H100 (driver 580, CUDA 13.0, llama.cpp de3ff81)",
      calibrated: true,
    };
  }
  return {
    parts: [],
    device_bytes: 0,
    host_bytes: 0,
    slope_per_cell: 0,
    label:
      c.backend === "metal"
        ? "Metal runtime overhead: uncalibrated (no measured Metal run yet), counted as 0"
        : "CPU runtime overhead: uncalibrated, counted as 0",
    calibrated: false,
  };
}
