import { MiB } from "../../units.ts";
import type { ComputeInput } from "../compute.ts";
import type { MatmulProfile } from "./matmul-profile.ts";

/**
 * CUDA memory a GPU holds outside llama.cpp's buffers, per GPU that runs part of the graph
 * (docs/memory-model.md#cuda-runtime-overhead), after a prompt of at least one full micro-batch and
 * some decoding — the state a server reaches. Four parts:
 * - the CUDA context (driver + runtime, before any kernel): measured with cudaFree(0);
 * - ggml-cuda's kernels, loaded on first use (CUDA lazy module loading, the default since CUDA 12.2);
 * - cuBLAS, only when the graph runs a cuBLAS GEMM: `cublasCreate` and llama.cpp's workspace
 *   (32 MiB on Hopper, `ggml_backend_cuda_context::cublas_handle`, common.cuh) and its kernels;
 * - the VMM pool (`ggml_cuda_pool_vmm`, ggml-cuda.cu): it grows by whole granules to the largest
 *   set of temporaries one op holds at once and never shrinks.
 * CUDA graphs add nothing measurable (GGML_CUDA_DISABLE_GRAPHS=1 gave the same totals).
 * Calibrated on one H100 80GB HBM3, driver 580.159.04, CUDA 13.0, cuBLAS 13.1 (tests/fixtures/placement/h100-overhead-runs.json).
 */

/** cudaMemGetInfo used after cudaFree(0) on an idle H100 (probe in h100-overhead-runs.json). */
export const CUDA_CONTEXT_BYTES = 552_402_944;
/** ggml-cuda kernels loaded by a prompt batch and decoding (quantized runs: measured − context − pool). */
export const CUDA_KERNELS_BYTES = 77 * MiB;
/** cublasCreate on the H100 (probe: 69 206 016 B) plus cuBLAS kernels loaded by llama.cpp's GEMMs (~22 MiB). */
export const CUBLAS_BYTES = 69_206_016 + 22 * MiB;
/** cuMemGetAllocationGranularity(RECOMMENDED) of the H100: the pool grows in these steps. */
export const CUDA_POOL_GRANULE = 2 * MiB;

/** ne0 padding of MMQ's activations (MATRIX_ROW_PADDING, common.cuh) and its q8_1 block: 144 B per 128 values. */
const ROW_PAD = 512;
const Q8_1_MMQ = 144 / 128;
/** MMQ's tail of block_q8_1_mmq rows (mmq_x max 256 × 144 B, mmq.cu). */
const MMQ_TAIL = 256 * 144;

const pad = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Largest set of pool temporaries one op of the micro-batch holds at once, per kind of op. */
export function cudaPoolPeak(c: ComputeInput, mm: MatmulProfile): { bytes: number; op: string } {
  const t = c.n_tok;
  const used = Math.max(1, c.r.arch.expert_used_count ?? 1);
  const cands: { bytes: number; op: string }[] = [
    // mmq.cu: q8_1 copy of the activations for a quantized weight
    { bytes: mm.quant_in ? t * pad(mm.quant_in, ROW_PAD) * Q8_1_MMQ + MMQ_TAIL : 0, op: "MMQ q8_1 activations" },
    // ggml_cuda_mul_mat_cublas_impl: f16 copy of the input and f16 output before conversion
    { bytes: t * 2 * mm.half_in_out, op: "cuBLAS f16 input + output" },
    // mmq.cu with ids: the rows of every used expert, plus the id maps
    {
      bytes: mm.exp_quant_in ? t * used * (pad(mm.exp_quant_in, ROW_PAD) * Q8_1_MMQ + 8) + MMQ_TAIL : 0,
      op: "MMQ experts q8_1 activations",
    },
    // ggml_cuda_mul_mat_id fallback: sorted input (f16), sorted output (f32) and cuBLAS's f16 output
    { bytes: mm.exp_float_span ? t * used * (mm.exp_float_span + 8) : 0, op: "cuBLAS experts sorted rows" },
    { bytes: noFaAttention(c), op: "cuBLAS KQ/KQV without flash attention" },
  ];
  return cands.reduce((a, b) => (b.bytes > a.bytes ? b : a));
}

/**
 * Without flash attention KQ runs at F32 precision (llama-graph.cpp: ggml_prec_set_acc(kq, F32)),
 * so cuBLAS takes an f32 copy of K; KQV takes an f16 copy of softmax(KQ) and an f16 output.
 */
function noFaAttention(c: ComputeInput): number {
  if (c.fa) return 0;
  let headK = 0;
  let headV = 0;
  let nHeadKv = 0;
  for (const l of c.r.layers)
    if (l.kv) {
      headK = Math.max(headK, l.head_k);
      headV = Math.max(headV, l.head_v);
      nHeadKv = Math.max(nHeadKv, l.n_head_kv);
    }
  const nHead = c.n_head ?? 0;
  if (headK === 0 || nHead === 0) return 0;
  const kqv = c.n_kv * c.n_tok * nHead * 2 + headV * c.n_tok * nHead * 2;
  const kq = c.n_kv * headK * nHeadKv * 4;
  return Math.max(kqv, kq);
}

/** Whether the graph runs a cuBLAS GEMM: float weights in a batch, or attention without FA. */
export function usesCublas(c: ComputeInput, mm: MatmulProfile): boolean {
  return mm.float_matrices || (!c.fa && c.r.layers.some((l) => l.kv));
}

export interface CudaOverheadPart {
  readonly name: string;
  readonly bytes: number;
}

/** The parts of one GPU's overhead (see the module comment). */
export function cudaOverheadParts(c: ComputeInput, mm: MatmulProfile): CudaOverheadPart[] {
  const pool = cudaPoolPeak(c, mm);
  const parts: CudaOverheadPart[] = [
    { name: "CUDA context", bytes: CUDA_CONTEXT_BYTES },
    { name: "ggml-cuda kernels (loaded on first use)", bytes: CUDA_KERNELS_BYTES },
  ];
  if (usesCublas(c, mm)) parts.push({ name: "cuBLAS handle, workspace and kernels", bytes: CUBLAS_BYTES });
  if (pool.bytes > 0) parts.push({ name: `VMM pool: ${pool.op}`, bytes: pad(pool.bytes, CUDA_POOL_GRANULE) });
  return parts;
}
