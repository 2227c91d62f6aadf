import type { Architecture } from "../../schemas/architecture.ts";
import type { GgmlTypeName } from "../../schemas/ggml-type.ts";
import type { TensorInfo, TensorTable } from "../../schemas/tensor-table.ts";
import { EngineError, missingField } from "./errors.ts";
import { FTYPE_BASE_TYPE, normaliseFtype } from "./ftypes.ts";
import { GGML_TYPE_TRAITS, isQuantizedGgml } from "./ggml-types.ts";

/**
 * Model weights (docs/memory-model.md#weights): exact bytes from a tensor table, a tensor-table builder
 * that applies llama-quantize's ftype mixing rules (src/llama-quant.cpp `llama_tensor_get_type`)
 * to the tensors llama.cpp's loader creates for an architecture, and a labelled params × bpw
 * fallback.
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
// ftype mixing rules
// ---------------------------------------------------------------------------------------------

/** llama-quantize ftypes the builder reproduces exactly (others use the bpw fallback). */
export const BUILDER_FTYPES = [
  "F32",
  "F16",
  "BF16",
  "Q8_0",
  "Q4_0",
  "Q4_1",
  "Q5_0",
  "Q5_1",
  "Q2_K",
  "Q3_K_S",
  "Q3_K_M",
  "Q3_K_L",
  "Q4_K_S",
  "Q4_K_M",
  "Q5_K_S",
  "Q5_K_M",
  "Q6_K",
] as const;
export type BuilderFtype = (typeof BUILDER_FTYPES)[number];

/** Re-exported for callers that import the ftype id table from here. */
export { FTYPE_BY_ID, normaliseFtype } from "./ftypes.ts";

interface QuantState {
  readonly ftype: BuilderFtype;
  readonly arch: string;
  readonly nExpert: number;
  readonly nGqa: number;
  readonly hasOutput: boolean;
  readonly nAttentionWv: number;
  readonly nLayer: number;
  readonly is70B: boolean;
  iAttentionWv: number;
  iFfnDown: number;
}

const useMoreBits = (i: number, n: number): boolean =>
  i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;

/** `llama_tensor_get_type` for the K-quant and legacy ftypes. */
function tensorType(qs: QuantState, t: TensorInfo, def: GgmlTypeName): GgmlTypeName {
  const name = t.name;
  const f = qs.ftype;
  let nt = def;
  const isOutput = name === "output.weight" || (!qs.hasOutput && name === "token_embd.weight");
  if (isOutput) {
    const qk = GGML_TYPE_TRAITS[nt].blck;
    if (qs.arch === "falcon" || t.dims[0] % qk !== 0) nt = "q8_0";
    else if (nt !== "q8_0") nt = "q6_K";
  } else if (name === "token_embd.weight" || name === "per_layer_token_embd.weight") {
    // K-quant/legacy ftypes keep the default type for the token embedding.
  } else if (name.includes("attn_v.weight")) {
    const i = qs.iAttentionWv;
    if (f === "Q2_K") nt = qs.nGqa >= 4 ? "q4_K" : "q3_K";
    else if (f === "Q3_K_M") nt = i < 2 ? "q5_K" : "q4_K";
    else if (f === "Q3_K_L") nt = "q5_K";
    else if ((f === "Q4_K_M" || f === "Q5_K_M") && useMoreBits(i, qs.nAttentionWv)) nt = "q6_K";
    else if (f === "Q4_K_S" && i < 4) nt = "q5_K";
    if (qs.is70B && (nt === "q3_K" || nt === "q4_K")) nt = "q5_K";
    if (qs.nExpert === 8) nt = "q8_0";
    qs.iAttentionWv++;
  } else if (name.includes("attn_k.weight")) {
    if (qs.nExpert === 8) nt = "q8_0";
  } else if (name.includes("ffn_down")) {
    let iLayer = qs.iFfnDown;
    const n = qs.nLayer;
    if (qs.nExpert > 1) {
      const l = tensorLayer(name);
      if (l === null) throw new EngineError("invalid-field", `expert tensor ${name} has no layer`);
      iLayer = l;
    }
    const falcon = qs.arch === "falcon";
    if (f === "Q2_K") nt = "q3_K";
    else if (f === "Q3_K_M")
      nt = iLayer < Math.floor(n / 16) ? "q5_K" : !falcon || useMoreBits(iLayer, n) ? "q4_K" : "q3_K";
    else if (f === "Q3_K_L") nt = falcon ? "q4_K" : "q5_K";
    else if (f === "Q4_K_M") {
      if (falcon) nt = iLayer < Math.floor(n / 16) ? "q6_K" : useMoreBits(iLayer, n) ? "q5_K" : "q4_K";
      else if (useMoreBits(iLayer, n)) nt = "q6_K";
    } else if (f === "Q5_K_M" && useMoreBits(iLayer, n)) nt = "q6_K";
    else if (f === "Q4_K_S" && !falcon && iLayer < Math.floor(n / 8)) nt = "q5_K";
    qs.iFfnDown++;
  } else if (name.includes("attn_output.weight")) {
    if (qs.arch !== "falcon") {
      if (qs.nExpert === 8) {
        if (f === "Q2_K" || f === "Q3_K_S" || f === "Q3_K_M" || f === "Q4_K_S" || f === "Q4_K_M") nt = "q5_K";
      } else {
        if (f === "Q2_K") nt = "q3_K";
        else if (f === "Q3_K_M") nt = "q4_K";
        else if (f === "Q3_K_L") nt = "q5_K";
      }
    } else if (f === "Q3_K_L") nt = "q4_K";
  } else if (name.includes("attn_qkv.weight")) {
    if (f === "Q3_K_M" || f === "Q3_K_L") nt = "q4_K";
    else if (f === "Q4_K_M") nt = "q5_K";
    else if (f === "Q5_K_M") nt = "q6_K";
  }
  // convert_incompatible_tensor: rows not a multiple of the block size fall back.
  if (t.dims[0] % GGML_TYPE_TRAITS[nt].blck !== 0) {
    const fb: Partial<Record<GgmlTypeName, GgmlTypeName>> = {
      q2_K: "iq4_nl",
      q3_K: "iq4_nl",
      q4_K: "q5_0",
      q5_K: "q5_1",
      q6_K: "q8_0",
    };
    nt = fb[nt] ?? "f16";
  }
  return nt;
}

/** Tensors llama-quantize never quantizes (they keep their source type, F32 here). */
function isQuantizable(t: TensorInfo): boolean {
  const n = t.name;
  if (!n.endsWith("weight") || t.dims.length < 2) return false;
  if (n.includes("_norm.weight") || n.includes("ffn_gate_inp.weight")) return false;
  if (n.includes("ssm_conv1d.weight") || n.includes("shortconv.conv.weight")) return false;
  if (n.includes("time_mix_")) return false;
  if (n.includes("altup") || n.includes("laurel") || n.includes("per_layer_model_proj")) return false;
  return true;
}

/** Apply an ftype's mixing rules to an unquantized tensor list (types are overwritten). */
export function quantizeTensorTable(
  arch: Architecture,
  tensors: readonly { name: string; dims: number[] }[],
  ftype: BuilderFtype,
): TensorTable {
  const def = FTYPE_BASE_TYPE[ftype];
  const quantizedDefault = isQuantizedGgml(def);
  const nHead = arch.n_head === null ? null : typeof arch.n_head === "number" ? arch.n_head : arch.n_head[0];
  const nHeadKv =
    arch.n_head_kv === null
      ? null
      : typeof arch.n_head_kv === "number"
        ? arch.n_head_kv
        : (arch.n_head_kv.find((x) => x > 0) ?? 0);
  const qs: QuantState = {
    ftype,
    arch: arch.arch,
    nExpert: Math.max(1, arch.expert_count ?? 0),
    nGqa: nHead !== null && nHeadKv ? Math.floor(nHead / nHeadKv) : 1,
    hasOutput: tensors.some((t) => t.name === "output.weight"),
    nAttentionWv: tensors.filter(
      (t) =>
        t.name.includes("attn_v.weight") || t.name.includes("attn_qkv.weight") || t.name.includes("attn_kv_b.weight"),
    ).length,
    nLayer: arch.block_count,
    is70B: (arch.arch === "llama" || arch.arch === "qwen2") && arch.block_count === 80,
    iAttentionWv: 0,
    iFfnDown: 0,
  };
  return tensors.map((t) => {
    const base: TensorInfo = { name: t.name, dims: t.dims, type: "f32" };
    if (!isQuantizable(base)) return base;
    const type = quantizedDefault ? tensorType(qs, base, def) : def;
    return { ...base, type };
  });
}

// ---------------------------------------------------------------------------------------------
// Tensor lists per architecture (shapes of llama.cpp's loaders, ne0 first)
// ---------------------------------------------------------------------------------------------

/** Archs whose loader tensor list the builder knows. */
export const BUILDER_ARCHS = ["llama", "qwen2", "qwen3", "qwen3moe", "mistral3", "gemma2", "gemma3"] as const;

function need<T>(v: T | null, field: string): T {
  if (v === null) throw missingField(field, "to build the tensor table");
  return v;
}

/** The unquantized tensor list llama.cpp's loader expects for an architecture. */
export function loaderTensors(arch: Architecture): { name: string; dims: number[] }[] {
  const a = arch;
  if (!(BUILDER_ARCHS as readonly string[]).includes(a.arch))
    throw new EngineError(
      "unsupported-config",
      `no tensor-table builder for architecture "${a.arch}" (supported: ${BUILDER_ARCHS.join(", ")})`,
      "arch",
    );
  if (a.mla || a.recurrent)
    throw new EngineError("unsupported-config", `tensor-table builder: MLA/recurrent not supported`, "arch");
  const nEmbd = need(a.n_embd, "n_embd");
  const vocab = need(a.vocab_size, "vocab_size");
  const tied = need(a.tied_embeddings, "tied_embeddings");
  const out: { name: string; dims: number[] }[] = [];
  out.push({ name: "token_embd.weight", dims: [nEmbd, vocab] });
  const moe = (a.expert_count ?? 0) > 1;
  const gemma = a.arch === "gemma2" || a.arch === "gemma3";
  for (let il = 0; il < a.block_count; il++) {
    const p = `blk.${il}.`;
    const nHead = typeof a.n_head === "number" ? a.n_head : need(a.n_head, "n_head")[il];
    const nKv = typeof a.n_head_kv === "number" ? a.n_head_kv : need(a.n_head_kv, "n_head_kv")[il];
    const hk = a.key_length ?? nEmbd / nHead;
    const hv = a.value_length ?? nEmbd / nHead;
    out.push({ name: p + "attn_norm.weight", dims: [nEmbd] });
    out.push({ name: p + "attn_q.weight", dims: [nEmbd, nHead * hk] });
    out.push({ name: p + "attn_k.weight", dims: [nEmbd, nKv * hk] });
    out.push({ name: p + "attn_v.weight", dims: [nEmbd, nKv * hv] });
    out.push({ name: p + "attn_output.weight", dims: [nHead * hv, nEmbd] });
    if (a.arch === "qwen2") {
      out.push({ name: p + "attn_q.bias", dims: [nHead * hk] });
      out.push({ name: p + "attn_k.bias", dims: [nKv * hk] });
      out.push({ name: p + "attn_v.bias", dims: [nKv * hv] });
    }
    if (a.arch === "qwen3" || a.arch === "qwen3moe" || a.arch === "gemma3") {
      out.push({ name: p + "attn_q_norm.weight", dims: [hk] });
      out.push({ name: p + "attn_k_norm.weight", dims: [hk] });
    }
    if (gemma) out.push({ name: p + "post_attention_norm.weight", dims: [nEmbd] });
    out.push({ name: p + "ffn_norm.weight", dims: [nEmbd] });
    if (moe) {
      const nExp = need(a.expert_count, "expert_count");
      const ffe = need(a.expert_feed_forward_length, "expert_feed_forward_length");
      out.push({ name: p + "ffn_gate_inp.weight", dims: [nEmbd, nExp] });
      out.push({ name: p + "ffn_gate_exps.weight", dims: [nEmbd, ffe, nExp] });
      out.push({ name: p + "ffn_down_exps.weight", dims: [ffe, nEmbd, nExp] });
      out.push({ name: p + "ffn_up_exps.weight", dims: [nEmbd, ffe, nExp] });
    } else {
      const ff = need(a.feed_forward_length, "feed_forward_length");
      const nFf = typeof ff === "number" ? ff : ff[il];
      out.push({ name: p + "ffn_gate.weight", dims: [nEmbd, nFf] });
      out.push({ name: p + "ffn_up.weight", dims: [nEmbd, nFf] });
      out.push({ name: p + "ffn_down.weight", dims: [nFf, nEmbd] });
    }
    if (gemma) out.push({ name: p + "post_ffw_norm.weight", dims: [nEmbd] });
  }
  out.push({ name: "output_norm.weight", dims: [nEmbd] });
  if (!tied) out.push({ name: "output.weight", dims: [nEmbd, vocab] });
  return out;
}

const builtCache = new WeakMap<Architecture, Map<string, TensorTable>>();

/**
 * Build the exact tensor table of `arch` quantized with `ftype` (llama-quantize's rules from an
 * F16/BF16 source). Throws EngineError for archs/ftypes the builder does not model.
 */
export function buildTensorTable(arch: Architecture, ftype: string): TensorTable {
  const f = normaliseFtype(ftype);
  if (!(BUILDER_FTYPES as readonly string[]).includes(f))
    throw new EngineError(
      "unsupported-config",
      `no tensor-table builder for ftype "${ftype}" (supported: ${BUILDER_FTYPES.join(", ")})`,
      "weights_ftype",
    );
  let m = builtCache.get(arch);
  if (!m) builtCache.set(arch, (m = new Map()));
  const hit = m.get(f);
  if (hit) return hit;
  const table = quantizeTensorTable(arch, loaderTensors(arch), f as BuilderFtype);
  m.set(f, table);
  return table;
}
