import type { Architecture } from "../../../schemas/architecture.ts";
import { missingField } from "../errors.ts";

/**
 * Shared pieces of the per-architecture tensor lists: the tensors llama.cpp de3ff81's loaders
 * (`src/models/<arch>.cpp`, `load_arch_tensors`) create, with the optional ones the converter
 * (convert_hf_to_gguf.py, `conversion/`) writes for the catalog's models. Shapes are ne0 first.
 */

export interface SourceTensor {
  readonly name: string;
  readonly dims: number[];
}

/** Collects tensors in loader order (llama-quantize re-sorts them by layer, then name). */
export class TensorList {
  readonly list: SourceTensor[] = [];
  add(name: string, ...dims: number[]): void {
    this.list.push({ name, dims });
  }
  blk(il: number, name: string, ...dims: number[]): void {
    this.list.push({ name: `blk.${il}.${name}`, dims });
  }
}

export function need<T>(v: T | null | undefined, field: string): T {
  if (v === null || v === undefined) throw missingField(field, "to build the tensor table");
  return v;
}

/** A scalar-or-per-layer GGUF value at layer il. */
export function at(v: number | readonly number[] | null, il: number, field: string): number {
  const x = need(v, field);
  if (typeof x === "number") return x;
  return need(x[il], `${field}[${il}]`);
}

/** Geometry every builder needs. */
export interface Geometry {
  readonly a: Architecture;
  readonly nEmbd: number;
  readonly nVocab: number;
  /** Trunk layers (block_count − nextn_predict_layers). */
  readonly nLayer: number;
  readonly nLayerAll: number;
}

export function geometry(a: Architecture): Geometry {
  return {
    a,
    nEmbd: need(a.n_embd, "n_embd"),
    nVocab: need(a.vocab_size, "vocab_size"),
    nLayer: a.block_count - a.nextn_predict_layers,
    nLayerAll: a.block_count,
  };
}

/** Head dims of layer il: K and V head sizes (key_length / value_length, else n_embd / n_head). */
export function heads(g: Geometry, il: number): { nHead: number; nKv: number; hk: number; hv: number } {
  // Per-layer arrays may cover only the trunk; a NextN/MTP layer is a full-attention layer.
  const pick = (v: number | readonly number[] | null, f: string) =>
    Array.isArray(v) && il >= v.length && il >= g.nLayer ? Math.max(...v) : at(v, il, f);
  const nHead = pick(g.a.n_head, "n_head");
  const nKv = pick(g.a.n_head_kv, "n_head_kv");
  const hk = g.a.key_length ?? g.nEmbd / nHead;
  const hv = g.a.value_length ?? g.nEmbd / nHead;
  return { nHead, nKv, hk, hv };
}

/** token_embd, output_norm and output (absent with tied embeddings). */
export function embedAndOutput(t: TensorList, g: Geometry, tied?: boolean): void {
  t.add("token_embd.weight", g.nEmbd, g.nVocab);
  t.add("output_norm.weight", g.nEmbd);
  if (!(tied ?? need(g.a.tied_embeddings, "tied_embeddings"))) t.add("output.weight", g.nEmbd, g.nVocab);
}

/** Separate Q/K/V (and biases) as `create_tensor_qkv` loads them, plus attn_output. */
export function attention(
  t: TensorList,
  il: number,
  nEmbd: number,
  q: number,
  k: number,
  v: number,
  o: { bias?: boolean; outIn?: number; outBias?: boolean } = {},
): void {
  t.blk(il, "attn_q.weight", nEmbd, q);
  t.blk(il, "attn_k.weight", nEmbd, k);
  t.blk(il, "attn_v.weight", nEmbd, v);
  if (o.bias) {
    t.blk(il, "attn_q.bias", q);
    t.blk(il, "attn_k.bias", k);
    t.blk(il, "attn_v.bias", v);
  }
  t.blk(il, "attn_output.weight", o.outIn ?? q, nEmbd);
  if (o.outBias) t.blk(il, "attn_output.bias", nEmbd);
}

/** Gated FFN (gate, up, down). */
export function gluFfn(t: TensorList, il: number, nEmbd: number, nFf: number): void {
  t.blk(il, "ffn_gate.weight", nEmbd, nFf);
  t.blk(il, "ffn_down.weight", nFf, nEmbd);
  t.blk(il, "ffn_up.weight", nEmbd, nFf);
}

/** Routed experts (gate_inp router and the stacked gate/up/down expert matrices). */
export function experts(t: TensorList, il: number, nEmbd: number, nFfExp: number, nExpert: number, gate = true): void {
  t.blk(il, "ffn_gate_inp.weight", nEmbd, nExpert);
  if (gate) t.blk(il, "ffn_gate_exps.weight", nEmbd, nFfExp, nExpert);
  t.blk(il, "ffn_down_exps.weight", nFfExp, nEmbd, nExpert);
  t.blk(il, "ffn_up_exps.weight", nEmbd, nFfExp, nExpert);
}

/** Shared expert FFN. */
export function sharedExpert(t: TensorList, il: number, nEmbd: number, nFf: number, gate = true): void {
  if (gate) t.blk(il, "ffn_gate_shexp.weight", nEmbd, nFf);
  t.blk(il, "ffn_down_shexp.weight", nFf, nEmbd);
  t.blk(il, "ffn_up_shexp.weight", nEmbd, nFf);
}

/** NextN/MTP head tensors of a trailing layer (eh_proj, enorm, hnorm, shared_head_norm). */
export function nextnHead(t: TensorList, il: number, nEmbd: number): void {
  t.blk(il, "nextn.eh_proj.weight", 2 * nEmbd, nEmbd);
  t.blk(il, "nextn.enorm.weight", nEmbd);
  t.blk(il, "nextn.hnorm.weight", nEmbd);
  t.blk(il, "nextn.shared_head_norm.weight", nEmbd);
}

/** Tensors the converter always writes as F32 (conversion/base.py, `prepare_tensors`). */
const CONVERTER_F32 = [
  "ffn_gate_inp.weight",
  "ffn_gate_inp_shexp.weight",
  "position_embd.weight",
  "token_types.weight",
  "ssm_conv1d.weight",
  "shortconv.conv.weight",
  "altup_correct_coef.weight",
  "altup_predict_coef.weight",
];

/**
 * The type the converter writes a tensor in, from an F16/BF16 conversion: 1-D tensors, norms,
 * non-`.weight` tensors and the F32 list stay F32; the rest take the output float type.
 */
export function sourceType(t: SourceTensor, float: "f16" | "bf16" | "f32"): "f16" | "bf16" | "f32" {
  if (t.dims.length <= 1 || t.name.endsWith("_norm.weight") || !t.name.endsWith(".weight")) return "f32";
  if (CONVERTER_F32.some((s) => t.name.endsWith(s))) return "f32";
  return float;
}
