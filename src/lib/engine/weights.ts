import type { Architecture } from "../../schemas/architecture.ts";
import type { TensorInfo, TensorTable } from "../../schemas/tensor-table.ts";
import { EngineError } from "./errors.ts";
import { normaliseFtype } from "./ftypes.ts";
import { GGML_TYPE_TRAITS, isQuantizedGgml } from "./ggml-types.ts";
import { DENSE_BUILDERS } from "./weights/dense.ts";
import { HYBRID_BUILDERS } from "./weights/hybrid.ts";
import { MOE_BUILDERS } from "./weights/moe.ts";
import { IMATRIX_REQUIRED_FTYPES, QUANT_FTYPES, quantizeTable } from "./weights/quant-rules.ts";
import type { QuantFtype, QuantModel } from "./weights/quant-rules.ts";
import { sourceType } from "./weights/tensor-list.ts";
import type { SourceTensor } from "./weights/tensor-list.ts";

/**
 * Model weights (docs/memory-model.md#weights): exact bytes from a tensor table, and a tensor-table builder
 * that applies llama-quantize's per-tensor type rules (weights/quant-rules.ts) to the tensors
 * llama.cpp's loader creates for an architecture (weights/dense.ts, moe.ts, hybrid.ts). The
 * breakdown falls back to a labelled params × bpw estimate where no builder applies.
 */

/** `ggml_nbytes` of a contiguous tensor. */
export function tensorBytes(t: TensorInfo): number {
  const tr = GGML_TYPE_TRAITS[t.type];
  const ne0 = t.dims[0];
  if (ne0 % tr.blck !== 0)
    throw new EngineError(
      "block-size",
      `tensor ${t.name}: ne0 ${ne0} is not a multiple of ${t.type}'s block size ${tr.blck}`,
    );
  let rows = 1;
  for (let i = 1; i < t.dims.length; i++) rows *= t.dims[i];
  return (ne0 / tr.blck) * tr.bytes * rows;
}

/** Σ tensor bytes (llama.cpp's `ml.n_bytes`, the `file size` of print_info). */
export function tensorTableBytes(tensors: TensorTable): number {
  let s = 0;
  for (const t of tensors) s += tensorBytes(t);
  return s;
}

/** Σ elements (llama.cpp's n_elements / model params). */
export function tensorTableParams(tensors: TensorTable): number {
  let s = 0;
  for (const t of tensors) s += t.dims.reduce((a, b) => a * b, 1);
  return s;
}

const MATRIX_ROW_PADDING = 512;

/**
 * Bytes a tensor takes inside a backend buffer: CUDA pads quantized rows
 * (`ggml_backend_cuda_buffer_type_get_alloc_size`) and aligns to 128 B; CPU/Metal align to 32 B.
 */
export function allocBytes(t: TensorInfo, device: "cuda" | "host" | "metal"): number {
  let b = tensorBytes(t);
  if (device === "cuda") {
    const ne0 = t.dims[0];
    if (isQuantizedGgml(t.type) && ne0 % MATRIX_ROW_PADDING !== 0) {
      const tr = GGML_TYPE_TRAITS[t.type];
      b += ((MATRIX_ROW_PADDING - (ne0 % MATRIX_ROW_PADDING)) / tr.blck) * tr.bytes;
    }
    return Math.ceil(b / 128) * 128;
  }
  return Math.ceil(b / 32) * 32;
}

/** Layer index of a `blk.N.` tensor, or null for non-repeating tensors. */
export function tensorLayer(name: string): number | null {
  if (!name.startsWith("blk.")) return null;
  const dot = name.indexOf(".", 4);
  const n = Number(name.slice(4, dot));
  return Number.isInteger(n) ? n : null;
}

/** Input-layer tensors llama.cpp always keeps on the CPU (docs/memory-model.md#weights-runtime). */
export function isInputTensor(name: string): boolean {
  return name.startsWith("token_embd.") || name.startsWith("per_layer_token_embd.");
}

// ---------------------------------------------------------------------------------------------
// Tensor-table builder
// ---------------------------------------------------------------------------------------------

/** llama-quantize ftypes the builder reproduces (every ftype llama-quantize accepts). */
export const BUILDER_FTYPES = QUANT_FTYPES;
export type BuilderFtype = QuantFtype;

export { IMATRIX_DEPENDENT_FTYPES, IMATRIX_REQUIRED_FTYPES } from "./weights/quant-rules.ts";

/** Re-exported for callers that import the ftype id table from here. */
export { FTYPE_BY_ID, normaliseFtype } from "./ftypes.ts";

const BUILDERS: Readonly<Record<string, (a: Architecture) => SourceTensor[]>> = {
  ...DENSE_BUILDERS,
  ...MOE_BUILDERS,
  ...HYBRID_BUILDERS,
};

/** Archs whose loader tensor list the builder knows. */
export const BUILDER_ARCHS: readonly string[] = Object.keys(BUILDERS).sort();

/** The unquantized tensor list llama.cpp's loader expects for an architecture (loader order). */
export function loaderTensors(arch: Architecture): SourceTensor[] {
  const b = BUILDERS[arch.arch];
  if (!b)
    throw new EngineError(
      "unsupported-config",
      `no tensor-table builder for architecture "${arch.arch}" (supported: ${BUILDER_ARCHS.join(", ")})`,
      "arch",
    );
  if (arch.arch === "deepseek2" && !arch.mla)
    throw new EngineError("unsupported-config", "tensor-table builder: deepseek2 without MLA is not modelled", "arch");
  return b(arch);
}

const first = (v: number | readonly number[] | null): number | null =>
  v === null ? null : typeof v === "number" ? v : (v[0] ?? null);

/** What llama-quantize reads from the model (`qs.model`): arch, n_layer_all, n_expert, n_gqa(0), 70B. */
export function quantModel(arch: Architecture): QuantModel {
  const nHead = first(arch.n_head);
  const nKv = first(arch.n_head_kv) ?? nHead;
  const l80 = arch.block_count === 80;
  return {
    arch: arch.arch,
    nLayerAll: arch.block_count,
    nExpert: arch.expert_count ?? 0,
    nGqa: nHead !== null && nKv ? Math.floor(nHead / nKv) : 0,
    // llm_type 70B: llama with GQA at 80 layers (src/models/llama.cpp), qwen2 at 80 (qwen2.cpp).
    is70B: (arch.arch === "llama" && l80 && nHead !== nKv) || (arch.arch === "qwen2" && l80),
  };
}

export interface BuildOptions {
  /** Quantized with an importance matrix (default: only where llama-quantize requires one). */
  readonly imatrix?: boolean;
}

/** Apply an ftype's rules to a source tensor list (types from an F16/BF16 conversion). */
export function quantizeTensorTable(
  arch: Architecture,
  tensors: readonly SourceTensor[],
  ftype: BuilderFtype,
  o: BuildOptions = {},
): TensorTable {
  const float = ftype === "BF16" ? "bf16" : ftype === "F32" ? "f32" : "f16";
  const source: TensorTable = tensors.map((t) => ({ name: t.name, dims: t.dims, type: sourceType(t, float) }));
  return quantizeTable(quantModel(arch), source, ftype, { imatrix: o.imatrix ?? IMATRIX_REQUIRED_FTYPES.has(ftype) });
}

const builtCache = new WeakMap<Architecture, Map<string, TensorTable>>();

/**
 * Build the exact tensor table of `arch` quantized with `ftype` (llama-quantize's rules from an
 * F16/BF16 source). Throws EngineError for archs/ftypes the builder does not model.
 */
export function buildTensorTable(arch: Architecture, ftype: string, o: BuildOptions = {}): TensorTable {
  const f = normaliseFtype(ftype);
  if (!(BUILDER_FTYPES as readonly string[]).includes(f))
    throw new EngineError(
      "unsupported-config",
      `no tensor-table builder for ftype "${ftype}" (supported: ${BUILDER_FTYPES.join(", ")})`,
      "weights_ftype",
    );
  const key = `${f}|${o.imatrix ?? ""}`;
  let m = builtCache.get(arch);
  if (!m) builtCache.set(arch, (m = new Map()));
  const hit = m.get(key);
  if (hit) return hit;
  const table = quantizeTensorTable(arch, loaderTensors(arch), f as BuilderFtype, o);
  m.set(key, table);
  return table;
}
