import type { GgmlTypeName } from "../../../schemas/ggml-type.ts";
import type { TensorInfo, TensorTable } from "../../../schemas/tensor-table.ts";
import { EngineError } from "../errors.ts";
import { FTYPE_BASE_TYPE } from "../ftypes.ts";
import { GGML_TYPE_TRAITS, isQuantizedGgml } from "../ggml-types.ts";

/**
 * llama-quantize's per-tensor type choice, ported from llama.cpp de3ff81 src/llama-quant.cpp:
 * `tensor_allows_quantization`, `tensor_get_category`, `llama_tensor_get_type_impl`,
 * `tensor_type_fallback`, `init_quantize_state_counters` and the tensor order of
 * `llama_model_loader::weights_map` (layer, then name). Checked against llama-quantize --dry-run
 * (tests/fixtures/weights/).
 */

/** ftypes llama-quantize accepts (`llama_ftype_get_default_type` ≠ COUNT). */
export const QUANT_FTYPES = [
  "F32",
  "F16",
  "BF16",
  "Q8_0",
  "Q4_0",
  "Q4_1",
  "Q5_0",
  "Q5_1",
  "Q1_0",
  "Q2_0",
  "MXFP4_MOE",
  "Q2_K",
  "Q2_K_S",
  "Q3_K_S",
  "Q3_K_M",
  "Q3_K_L",
  "Q4_K_S",
  "Q4_K_M",
  "Q5_K_S",
  "Q5_K_M",
  "Q6_K",
  "TQ1_0",
  "TQ2_0",
  "IQ2_XXS",
  "IQ2_XS",
  "IQ2_S",
  "IQ2_M",
  "IQ3_XXS",
  "IQ3_XS",
  "IQ3_S",
  "IQ3_M",
  "IQ1_S",
  "IQ1_M",
  "IQ4_NL",
  "IQ4_XS",
] as const;
export type QuantFtype = (typeof QUANT_FTYPES)[number];

/**
 * ftypes whose choices depend on whether an importance matrix was given (`qs.has_imatrix`):
 * IQ3_XXS (attn_v, ffn_down), IQ4_NL/IQ4_XS and Q4_0/Q5_0 (first n/8 ffn_down).
 */
export const IMATRIX_DEPENDENT_FTYPES: ReadonlySet<string> = new Set(["IQ3_XXS", "IQ4_NL", "IQ4_XS", "Q4_0", "Q5_0"]);

/** ftypes llama-quantize refuses without an importance matrix (`tensor_requires_imatrix`). */
export const IMATRIX_REQUIRED_FTYPES: ReadonlySet<string> = new Set([
  "IQ1_S",
  "IQ1_M",
  "IQ2_XXS",
  "IQ2_XS",
  "IQ2_S",
  "IQ2_M",
  "IQ3_XXS",
  "Q2_K_S",
]);

/** The model facts llama-quantize reads (`qs.model`): arch, hparams at layer 0, LLM_TYPE_70B. */
export interface QuantModel {
  readonly arch: string;
  /** hparams.n_layer_all (block_count, NextN layers included). */
  readonly nLayerAll: number;
  readonly nExpert: number;
  /** hparams.n_gqa(0): n_head(0) / n_head_kv(0), 0 when layer 0 has no KV heads. */
  readonly nGqa: number;
  readonly is70B: boolean;
}

type Category =
  "output" | "token_embd" | "qkv" | "kv_b" | "v" | "k" | "q" | "attn_out" | "up" | "gate" | "down" | "other";

function category(name: string): Category {
  if (name === "output.weight") return "output";
  if (name === "token_embd.weight" || name === "per_layer_token_embd.weight") return "token_embd";
  if (name.includes("attn_qkv.weight")) return "qkv";
  if (name.includes("attn_kv_b.weight")) return "kv_b";
  if (name.includes("attn_v.weight")) return "v";
  if (name.includes("attn_k.weight")) return "k";
  if (name.includes("attn_q.weight")) return "q";
  if (name.includes("attn_output.weight")) return "attn_out";
  if (name.includes("ffn_up")) return "up";
  if (name.includes("ffn_gate")) return "gate";
  if (name.includes("ffn_down")) return "down";
  return "other";
}

const isAttnV = (c: Category): boolean => c === "v" || c === "qkv" || c === "kv_b";

const NEVER_QUANTIZED = [
  "_norm.weight",
  "ffn_gate_inp.weight",
  "ffn_gate_tid2eid.weight",
  "altup",
  "laurel",
  "per_layer_model_proj",
  "ssm_conv1d",
  "shortconv.conv.weight",
  "indexer.k_proj.weight",
  "indexer.q_proj.weight",
  "time_mix_",
  "attn_rel_b.weight",
  ".position_embd",
  ".patch_embd",
];

/** `tensor_allows_quantization` (default params): 2-D/3-D `…weight` tensors minus the exceptions. */
export function allowsQuantization(name: string, nDims: number): boolean {
  if (nDims < 2 || !name.endsWith("weight")) return false;
  if (name === "position_embd.weight" || name === "token_types.weight") return false;
  return !NEVER_QUANTIZED.some((s) => name.includes(s));
}

interface State {
  readonly m: QuantModel;
  readonly f: QuantFtype;
  readonly imatrix: boolean;
  readonly tied: boolean;
  readonly nAttnWv: number;
  iAttnWv: number;
  iFfnDown: number;
  iFfnGate: number;
  iFfnUp: number;
}

const moreBits = (i: number, n: number): boolean =>
  i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;

/** `layer_info`: the tensor's own layer for MoE models (experts are not consecutive), else the counter. */
function layerOf(s: State, counter: number, name: string): number {
  if (s.m.nExpert <= 1) return counter;
  const m = /^blk\.(\d+)\./.exec(name);
  if (!m) throw new EngineError("invalid-field", `llama-quantize: cannot determine the layer of tensor ${name}`);
  return Number(m[1]);
}

const IQ_LOW = new Set(["IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"]);
const IQ_OUT = new Set(["IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"]);
const MOE8_ATTN_OUT_Q5K = new Set([
  "Q2_K",
  "IQ3_XS",
  "IQ3_XXS",
  "Q3_K_S",
  "Q3_K_M",
  "IQ4_NL",
  "Q4_K_S",
  "Q4_K_M",
  "IQ3_S",
  "IQ3_M",
  "IQ4_XS",
]);

function outputType(s: State, t: TensorInfo, nt: GgmlTypeName): GgmlTypeName {
  if (s.f === "MXFP4_MOE") return "q8_0";
  if (s.m.arch === "falcon" || t.dims[0] % GGML_TYPE_TRAITS[nt].blck !== 0) return "q8_0";
  if (IQ_OUT.has(s.f)) return "q5_K";
  return nt !== "q8_0" ? "q6_K" : nt;
}

function tokenEmbdType(f: QuantFtype, nt: GgmlTypeName): GgmlTypeName {
  if (f === "IQ2_XXS" || f === "IQ2_XS" || f === "IQ1_S" || f === "IQ1_M") return "q2_K";
  if (f === "IQ2_S" || f === "IQ2_M" || f === "IQ3_XXS") return "iq3_s";
  if (f === "TQ1_0" || f === "TQ2_0" || f === "Q2_0") return "q4_K";
  return nt;
}

/** The IQ1/IQ2 branch of `llama_tensor_get_type_impl`. */
function lowIqType(s: State, c: Category, nt: GgmlTypeName): GgmlTypeName {
  const f = s.f;
  const s3 = f === "IQ2_S" || f === "IQ2_M";
  if (isAttnV(c)) {
    s.iAttnWv++;
    return s.m.nGqa >= 4 || s.m.nExpert >= 4 ? "q4_K" : s3 ? "iq3_s" : "q2_K";
  }
  if (s.m.nExpert === 8 && c === "k") return "q4_K";
  if (c === "down") {
    const r = s.iFfnDown < Math.floor(s.m.nLayerAll / 8) ? (s3 ? "iq3_s" : "q2_K") : nt;
    s.iFfnDown++;
    return r;
  }
  if (c === "attn_out") {
    if (s.m.nExpert === 8) return "q5_K";
    if (f === "IQ1_S" || f === "IQ1_M") return "iq2_xxs";
    if (s3) return "iq3_s";
  }
  return nt;
}

function attnVType(s: State, nt: GgmlTypeName): GgmlTypeName {
  const f = s.f;
  const gqa4 = s.m.nGqa >= 4;
  const i = s.iAttnWv;
  if (f === "Q2_K") nt = gqa4 ? "q4_K" : "q3_K";
  else if (f === "Q2_K_S" && gqa4) nt = "q4_K";
  else if (f === "IQ3_XXS") nt = gqa4 ? "q4_K" : !s.imatrix ? "iq3_s" : "iq3_xxs";
  else if ((f === "IQ3_XS" || f === "IQ3_S") && gqa4) nt = "q4_K";
  else if (f === "IQ3_M") nt = "q4_K";
  else if (f === "Q3_K_M") nt = i < 2 ? "q5_K" : "q4_K";
  else if (f === "Q3_K_L") nt = "q5_K";
  else if ((f === "IQ4_NL" || f === "IQ4_XS") && gqa4) nt = "q5_K";
  else if ((f === "Q4_K_M" || f === "Q5_K_M") && moreBits(i, s.nAttnWv)) nt = "q6_K";
  else if (f === "Q4_K_S" && i < 4) nt = "q5_K";
  if (s.m.is70B && (nt === "q3_K" || nt === "q4_K")) nt = "q5_K";
  if (s.m.nExpert === 8) nt = "q8_0";
  s.iAttnWv++;
  return nt;
}

function ffnDownType(s: State, name: string, nt: GgmlTypeName): GgmlTypeName {
  const f = s.f;
  const i = layerOf(s, s.iFfnDown, name);
  const n = s.m.nLayerAll;
  const falcon = s.m.arch === "falcon";
  const n8 = Math.floor(n / 8);
  if (f === "Q2_K") nt = "q3_K";
  else if (f === "Q2_K_S") {
    if (i < n8) nt = "q4_K";
  } else if (f === "IQ3_XXS" && !s.imatrix) nt = i < n8 ? "q4_K" : "q3_K";
  else if (f === "Q3_K_M") nt = i < Math.floor(n / 16) ? "q5_K" : !falcon || moreBits(i, n) ? "q4_K" : "q3_K";
  else if (f === "IQ3_M" && (i < n8 || (s.m.nExpert === 8 && moreBits(i, n)))) nt = "q4_K";
  else if (f === "Q3_K_L") nt = falcon ? "q4_K" : "q5_K";
  else if (f === "Q4_K_M") {
    if (falcon) nt = i < Math.floor(n / 16) ? "q6_K" : moreBits(i, n) ? "q5_K" : "q4_K";
    else if (moreBits(i, n)) nt = "q6_K";
  } else if (i < n8 && (f === "IQ4_NL" || f === "IQ4_XS") && !s.imatrix) nt = "q5_K";
  else if (f === "Q5_K_M" && moreBits(i, n)) nt = "q6_K";
  else if (f === "Q4_K_S" && !falcon && i < n8) nt = "q5_K";
  else if ((f === "Q4_0" || f === "Q5_0") && s.imatrix && i < n8) nt = f === "Q4_0" ? "q4_1" : "q5_1";
  s.iFfnDown++;
  return nt;
}

function attnOutType(s: State, nt: GgmlTypeName): GgmlTypeName {
  const f = s.f;
  if (s.m.arch === "falcon") return f === "Q3_K_L" ? "q4_K" : nt;
  if (s.m.nExpert === 8) return MOE8_ATTN_OUT_Q5K.has(f) ? "q5_K" : nt;
  if (f === "Q2_K") return "q3_K";
  if (f === "IQ3_XXS") return "iq3_s";
  if (f === "Q3_K_M" || f === "IQ3_M") return "q4_K";
  if (f === "Q3_K_L") return "q5_K";
  return nt;
}

/** `llama_tensor_get_type_impl` for a quantizable tensor of a quantized default type. */
function typeImpl(s: State, t: TensorInfo, nt: GgmlTypeName): GgmlTypeName {
  const c = category(t.name);
  const f = s.f;
  if (c === "output" || (s.tied && c === "token_embd")) return outputType(s, t, nt);
  if (f === "MXFP4_MOE") return (t.dims[2] ?? 1) > 1 ? "mxfp4" : "q8_0";
  if (c === "token_embd") return tokenEmbdType(f, nt);
  if (IQ_LOW.has(f)) return lowIqType(s, c, nt);
  if (isAttnV(c)) return attnVType(s, nt);
  if (c === "k") {
    if (s.m.nExpert === 8) return "q8_0";
    if (f === "IQ3_XS") return "iq3_xxs";
    if (f === "IQ3_XXS") return "iq2_s";
    return nt;
  }
  if (c === "q") return f === "IQ3_XS" ? "iq3_xxs" : f === "IQ3_XXS" ? "iq2_s" : nt;
  if (c === "down") return ffnDownType(s, t.name, nt);
  if (c === "attn_out") return attnOutType(s, nt);
  if (c === "gate" || c === "up") {
    const i = layerOf(s, c === "gate" ? s.iFfnGate++ : s.iFfnUp++, t.name);
    const n = s.m.nLayerAll;
    if (f === "IQ3_XS" && i >= Math.floor(n / 8) && i < Math.floor((7 * n) / 8)) return "iq3_xxs";
  }
  return nt;
}

const FALLBACK: Partial<Record<GgmlTypeName, GgmlTypeName>> = {
  iq1_s: "iq4_nl",
  iq1_m: "iq4_nl",
  iq2_xxs: "iq4_nl",
  iq2_xs: "iq4_nl",
  iq2_s: "iq4_nl",
  iq3_xxs: "iq4_nl",
  iq3_s: "iq4_nl",
  iq4_xs: "iq4_nl",
  q2_0: "q4_0",
  q2_K: "q4_0",
  q3_K: "q4_0",
  tq1_0: "q4_0",
  tq2_0: "q4_0",
  q4_K: "q5_0",
  q5_K: "q5_1",
  q6_K: "q8_0",
};

/** `tensor_type_fallback`: rows that are not a multiple of the block size demote the type. */
function fallback(t: TensorInfo, nt: GgmlTypeName): GgmlTypeName {
  const ne0 = t.dims[0];
  const blck = GGML_TYPE_TRAITS[nt].blck;
  if (ne0 % blck === 0) return nt;
  let r = FALLBACK[nt];
  if (r === undefined) {
    if (blck > 32) throw new EngineError("unsupported-config", `llama-quantize has no fallback for type ${nt}`);
    r = nt;
  }
  return ne0 % GGML_TYPE_TRAITS[r].blck === 0 ? r : "f16";
}

/** The tensor order of llama-quantize's output: non-layer tensors first, then by layer, then by name. */
export function quantizeOrder(a: { name: string }, b: { name: string }): number {
  const la = /^blk\.(\d+)\./.exec(a.name);
  const lb = /^blk\.(\d+)\./.exec(b.name);
  const ia = la ? Number(la[1]) : -1;
  const ib = lb ? Number(lb[1]) : -1;
  if (ia !== ib) return ia - ib;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The layer of a `blk.<n>.` tensor name (what `quantizeOrder`'s pattern reads), -1 for none. */
function blockOf(name: string): number {
  if (!name.startsWith("blk.")) return -1;
  let i = 4;
  while (i < name.length && name.charCodeAt(i) >= 48 && name.charCodeAt(i) <= 57) i++;
  return i > 4 && name.charCodeAt(i) === 46 ? Number(name.slice(4, i)) : -1;
}

/** Layers bucketed (past this, the plain comparison sort). */
const MAX_BUCKETS = 1 << 16;

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * `quantizeOrder`, cheaply: tensors bucketed by layer (each name's layer read once, without a
 * regex), each bucket sorted by name — the same order, with a comparison per pair of one layer
 * only (the calculator builds a table per model it shows).
 */
function inQuantizeOrder(source: TensorTable): TensorTable {
  const buckets: TensorInfo[][] = [];
  const free: TensorInfo[] = [];
  for (const t of source) {
    const l = blockOf(t.name);
    if (l < 0) free.push(t);
    else if (l < MAX_BUCKETS) (buckets[l] ??= []).push(t);
    else return [...source].sort(quantizeOrder); // a layer number no model has: the plain sort
  }
  const out = free.sort(byName);
  for (const b of buckets) if (b) for (const t of b.sort(byName)) out.push(t);
  return out;
}

export interface QuantizeOptions {
  /** An importance matrix was given (changes IQ3_XXS, IQ4_NL, IQ4_XS, Q4_0, Q5_0). */
  readonly imatrix: boolean;
}

/**
 * Quantize a source tensor table (F32/F16/BF16 types as the converter wrote them) with an
 * ftype, in llama-quantize's tensor order. Non-quantizable tensors keep their source type.
 */
export function quantizeTable(m: QuantModel, source: TensorTable, ftype: QuantFtype, o: QuantizeOptions): TensorTable {
  const sorted = inQuantizeOrder(source);
  const def = FTYPE_BASE_TYPE[ftype];
  const s: State = {
    m,
    f: ftype,
    imatrix: o.imatrix,
    tied: !sorted.some((t) => t.name === "output.weight"),
    nAttnWv: sorted.filter((t) => isAttnV(category(t.name))).length,
    iAttnWv: 0,
    iFfnDown: 0,
    iFfnGate: 0,
    iFfnUp: 0,
  };
  return sorted.map((t) => {
    if (!allowsQuantization(t.name, t.dims.length)) return t;
    if (!isQuantizedGgml(def)) return { ...t, type: def };
    return { ...t, type: fallback(t, typeImpl(s, t, def)) };
  });
}
