import type { BufferBytes } from "../../schemas/breakdown.ts";
import { isQuantizedKvType, isTurboType } from "../kv-types.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { Backend, EngineProfile } from "../../schemas/runtime-config.ts";
import type { ResolvedArchitecture } from "./layers.ts";
import { cpuCompute } from "./compute/cpu.ts";
import { cudaCompute } from "./compute/cuda.ts";
import { metalCompute } from "./compute/metal.ts";
import { cudaOverheadParts, cudaPoolPeak } from "./compute/cuda-overhead.ts";
import { matmulProfileFromArch } from "./compute/matmul-profile.ts";
import type { MatmulProfile } from "./compute/matmul-profile.ts";

/**
 * Compute-buffer and runtime-overhead ESTIMATES per backend (docs/memory-model.md#compute-buffers,
 * #runtime-overhead). llama.cpp sizes a compute buffer by reserving worst-case graphs in ggml-alloc; there is
 * no closed formula, so each backend keeps the dominant terms of its graphs:
 * - CUDA (compute/cuda.ts): calibrated on the measured H100 runs, to the byte;
 * - CPU (compute/cpu.ts): fitted to llama.cpp's own no-allocation reservations of real catalog
 *   geometries (tests/fixtures/compute/);
 * - Metal (compute/metal.ts): the CPU graph terms plus the scratch the Metal backend adds to its
 *   flash-attention and MoE ops (read from ggml-metal's source); no Metal measurement yet.
 *
 * Runtime overhead (CUDA): compute/cuda-overhead.ts — CUDA context, kernels loaded on first use,
 * cuBLAS when a GEMM runs, and the VMM pool's peak (docs/memory-model.md#cuda-runtime-overhead).
 * Metal and CPU: uncalibrated (0), labelled.
 */

export interface ComputeInput {
  readonly r: ResolvedArchitecture;
  readonly n_vocab: number;
  readonly n_embd: number;
  /** n_tokens of the reserve graph = min(n_ctx, n_ubatch). */
  readonly n_tok: number;
  /** Outputs (logits rows) of the reserve graph: min(n_tok, n_outputs_max); default n_tok. */
  readonly n_out?: number;
  /** KV cells per stream seen by the attention (largest cache). */
  readonly n_kv: number;
  /** All cells of that cache (× streams): the f16 dequant scratch is sized by the allocation. */
  readonly cells_total: number;
  /** KV cells per stream of the sliding-window cache (0 without one): its own mask and views. */
  readonly n_kv_swa?: number;
  /** KV streams (n_seq when not unified, else 1). */
  readonly n_stream?: number;
  readonly fa: boolean;
  readonly type_k: KvType;
  readonly type_v: KvType;
  /** Effective query heads for the KQ matrix (null when there is no attention). */
  readonly n_head: number | null;
  readonly backend: Backend;
  /** "all" layers + output on the device, "none", or "partial". */
  readonly offload: "all" | "none" | "partial";
  readonly profile: EngineProfile;
  /** Which weights run through cuBLAS and the widest pool temporaries (from the tensor table). */
  readonly matmul?: MatmulProfile;
  /**
   * false when the device holding the output runs only part of the graph (layers or tensors on
   * another backend cut it into splits); default: one split (docs/memory-model.md#compute-cuda-kept-hidden).
   */
  readonly one_split?: boolean;
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

/**
 * Architectures whose graph builder keeps the last layer's whole hidden state as a graph output
 * (`res->t_h_nextn` before the output rows are picked, src/models/openai-moe.cpp; marked by
 * `llm_graph_result::set_outputs`, src/llama-graph.cpp) and whose compute buffer the CUDA and CPU
 * rules were checked on (docs/memory-model.md#compute-cuda-kept-hidden, #compute-cpu-few-outputs).
 */
export const KEEPS_FINAL_HIDDEN: ReadonlySet<string> = new Set(["gpt-oss"]);

/** FFN width of the widest layer (dense) or of the routed + shared experts (MoE). */
export function ffnWidth(r: ResolvedArchitecture): number {
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
  if (c.backend === "cpu") return cpuCompute(c);
  if (c.backend === "metal") return metalCompute(c);
  return cudaCompute(c);
}

export function estimateOverhead(c: ComputeInput): OverheadResult {
  if (c.backend === "cuda" && c.offload !== "none") {
    const mm = c.matmul ?? matmulProfileFromArch(c.r.arch, null);
    const parts = cudaOverheadParts(c, mm).map((p) => ({ ...p, host: false }));
    const pool = cudaPoolPeak(c, mm);
    // the pool grows with the cache only when the KQ copy without flash attention is its peak
    const kqPeak = pool.op.startsWith("cuBLAS KQ") && c.n_kv > 0;
    const slope = kqPeak ? c.n_tok * (c.n_head ?? 0) * 2 * (c.n_kv / c.cells_total) : 0;
    return {
      parts,
      device_bytes: parts.reduce((s, p) => s + p.bytes, 0),
      host_bytes: 0,
      slope_per_cell: slope,
      label:
        "estimate: CUDA context, kernels, cuBLAS and VMM pool outside llama.cpp buffers, calibrated on H100 (driver 580, CUDA 13.0, llama.cpp de3ff81)",
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
