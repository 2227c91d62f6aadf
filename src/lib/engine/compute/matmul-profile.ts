import type { Architecture } from "../../../schemas/architecture.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import { ggmlTypeByName } from "../../gguf/ggml-types.ts";

/**
 * What the CUDA backend's matrix multiplications need beside llama.cpp's buffers
 * (docs/memory-model.md#cuda-runtime-overhead): which weights go through cuBLAS, and the widest
 * temporaries its memory pool holds for one micro-batch. Read from the tensor table.
 */
export interface MatmulProfile {
  /** Some matrix weight is F16/BF16/F32: batches of more than 16 rows go through cuBLAS. */
  readonly float_matrices: boolean;
  /** Widest input row (ne0) of a quantized dense matrix: MMQ's q8_1 copy of the activations. */
  readonly quant_in: number;
  /** Largest ne0 + ne1 of an F16/BF16 dense matrix: cuBLAS's f16 copies of input and output. */
  readonly half_in_out: number;
  /** Widest input row of quantized expert matrices (MMQ with expert ids). */
  readonly exp_quant_in: number;
  /** Largest 2·ne0 + 6·ne1 of a float expert matrix (sorted input f16, output f32 + f16 temp). */
  readonly exp_float_span: number;
}

/** Tensors that are no matrix-multiplication weight (embeddings, norms, convolutions, scans). */
const NOT_MATMUL = /^(token_embd|output|per_layer_token_embd|pos_embd|rope_)|norm|conv1d|\.ssm_a|\.ssm_d|sinks/;

function isMatmulWeight(name: string, dims: readonly number[]): boolean {
  return name.endsWith(".weight") && dims.length >= 2 && dims[1] > 1 && !NOT_MATMUL.test(name);
}

const cache = new WeakMap<TensorTable, MatmulProfile>();

/** The profile of a tensor table (cached per table). */
export function matmulProfile(tensors: TensorTable): MatmulProfile {
  const hit = cache.get(tensors);
  if (hit) return hit;
  let float_matrices = false;
  let quant_in = 0;
  let half_in_out = 0;
  let exp_quant_in = 0;
  let exp_float_span = 0;
  for (const t of tensors) {
    if (!isMatmulWeight(t.name, t.dims)) continue;
    const quantized = ggmlTypeByName(t.type).blck > 1;
    const experts = t.dims.length >= 3 && t.name.includes("_exps");
    const [ne0, ne1] = t.dims;
    if (quantized) {
      if (experts) exp_quant_in = Math.max(exp_quant_in, ne0);
      else quant_in = Math.max(quant_in, ne0);
      continue;
    }
    float_matrices = true;
    if (experts) exp_float_span = Math.max(exp_float_span, 2 * ne0 + 6 * ne1);
    else if (t.type !== "f32") half_in_out = Math.max(half_in_out, ne0 + ne1);
  }
  const p = { float_matrices, quant_in, half_in_out, exp_quant_in, exp_float_span };
  cache.set(tensors, p);
  return p;
}

const FLOAT_FTYPES = new Set(["F32", "F16", "BF16", "ALL_F32", "MOSTLY_F16", "MOSTLY_BF16"]);

/**
 * Without a tensor table (params × bpw fallback): the matrices are float for F16/BF16/F32 files,
 * quantized otherwise, as wide as n_embd and the FFN; MoE routers are F32 in converted files.
 */
export function matmulProfileFromArch(arch: Architecture, ftype: string | null): MatmulProfile {
  const n = arch.n_embd ?? 0;
  const ffRaw = arch.feed_forward_length;
  const ff = typeof ffRaw === "number" ? ffRaw : Array.isArray(ffRaw) ? Math.max(0, ...ffRaw) : 0;
  const moe = (arch.expert_count ?? 0) > 1;
  const ffExp = arch.expert_feed_forward_length ?? ff;
  const float = ftype !== null && FLOAT_FTYPES.has(ftype.toUpperCase());
  const widest = Math.max(n, ff);
  return {
    float_matrices: float || moe,
    quant_in: float ? 0 : widest,
    half_in_out: float && ftype?.toUpperCase() !== "F32" ? n + Math.max(ff, n) : 0,
    exp_quant_in: moe && !float ? Math.max(n, ffExp) : 0,
    exp_float_span: moe && float ? 2 * Math.max(n, ffExp) + 6 * Math.max(n, ffExp) : 0,
  };
}
