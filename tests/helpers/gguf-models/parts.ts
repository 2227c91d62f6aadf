/**
 * The pieces every tiny-model builder uses: the tensor collector, the vocabulary, the `general.*`,
 * head, SWA, MoE, SSM and RWKV keys, and the tensor groups of attention, FFN, Mamba and RWKV blocks.
 */
import { kv } from "../gguf-writer.ts";
import type { GgufFileSpec, GgufKv, GgufTensorSpec } from "../gguf-writer.ts";

export interface TinyModel extends GgufFileSpec {
  arch: string;
  /** Short description of what the model exercises. */
  note: string;
}

/** SentencePiece ("llama") vocabulary: <unk> <s> </s>, the 256 byte tokens, then words. */
export function tinyVocab(nVocab = 320): Record<string, GgufKv> {
  if (nVocab < 260) throw new Error(`tinyVocab needs at least 260 tokens, got ${nVocab}`);
  const tokens: string[] = ["<unk>", "<s>", "</s>"];
  const types: number[] = [2, 3, 3]; // UNKNOWN, CONTROL, CONTROL
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(6); // BYTE
  }
  const letters = "abcdefghijklmnopqrstuvwxyz";
  for (let i = 0; tokens.length < nVocab; i++) {
    // "▁a" … "▁z", then "▁aa" …: unique, printable word pieces
    let s = "";
    let n = i;
    do {
      s = letters[n % 26] + s;
      n = Math.floor(n / 26) - 1;
    } while (n >= 0);
    tokens.push(`\u2581${s}`);
    types.push(1); // NORMAL
  }
  const scores = tokens.map((_, i) => (i < 259 ? 0 : -(i - 259)));
  return {
    "tokenizer.ggml.model": kv.str("llama"),
    "tokenizer.ggml.tokens": kv.arr.str(tokens),
    "tokenizer.ggml.scores": kv.arr.f32(scores),
    "tokenizer.ggml.token_type": kv.arr.i32(types),
    "tokenizer.ggml.bos_token_id": kv.u32(1),
    "tokenizer.ggml.eos_token_id": kv.u32(2),
    "tokenizer.ggml.unknown_token_id": kv.u32(0),
    "tokenizer.ggml.add_bos_token": kv.bool(true),
    "tokenizer.ggml.add_eos_token": kv.bool(false),
  };
}

/** Collects tensors as `create_tensor` would ask for them (shape in ggml order, ne0 first). */
export class Tensors {
  readonly list: GgufTensorSpec[] = [];
  add(name: string, ...shape: number[]): void {
    this.list.push({ name, shape, type: "f32" });
  }
  blk(il: number, name: string, ...shape: number[]): void {
    this.add(`blk.${il}.${name}`, ...shape);
  }
}

export function general(arch: string, name: string): Record<string, GgufKv> {
  return {
    "general.architecture": kv.str(arch),
    "general.name": kv.str(name),
    "general.file_type": kv.u32(0), // ALL_F32
  };
}

export const perLayer = (v: number | number[], il: number): number => (Array.isArray(v) ? v[il] : v);
export const kvValue = (v: number | number[]): GgufKv => (Array.isArray(v) ? kv.arr.i32(v) : kv.u32(v));

/** Common options of the builders; each builder documents its defaults. */
export interface TinyOptions {
  nLayer?: number;
  nEmbd?: number;
  nHead?: number;
  nHeadKv?: number | number[];
  headDim?: number;
  nFf?: number;
  nVocab?: number;
  nCtxTrain?: number;
  /** Write `output.weight`; false = tied embeddings (llama.cpp duplicates token_embd). */
  untied?: boolean;
  /** Sliding window (SWA archs). */
  window?: number;
  /** GGUF `sliding_window_pattern` override (period or per-layer flags). */
  swaPattern?: number | boolean[];
  /** NextN / MTP layers appended to the trunk (glm4moe, qwen35). */
  nextn?: number;
  /** Real MoE geometry (gpt-oss, deepseek2, glm4moe); the defaults are 4 experts, 2 used, 64 wide. */
  moe?: { nExpert: number; nUsed: number; nFfExp: number };
  /** Real state-space geometry (jamba, granitehybrid, falcon-h1; qwen35: dState, nGroup = key heads, dtRank = value heads). */
  ssm?: { dInner: number; dConv: number; dState: number; dtRank: number; nGroup?: number };
  /** deepseek2: the q LoRA rank (default 64). */
  qLora?: number;
}

export type Meta = Record<string, GgufKv>;

export function embedAndOutput(t: Tensors, nEmbd: number, nVocab: number, untied: boolean): void {
  t.add("token_embd.weight", nEmbd, nVocab);
  t.add("output_norm.weight", nEmbd);
  if (untied) t.add("output.weight", nEmbd, nVocab);
}

export function denseFfn(t: Tensors, il: number, nEmbd: number, nFf: number): void {
  t.blk(il, "ffn_norm.weight", nEmbd);
  gluFfn(t, il, nEmbd, nFf);
}

/** Gate, down and up projections of a gated FFN (no norm). */
export function gluFfn(t: Tensors, il: number, nEmbd: number, nFf: number): void {
  t.blk(il, "ffn_gate.weight", nEmbd, nFf);
  t.blk(il, "ffn_down.weight", nFf, nEmbd);
  t.blk(il, "ffn_up.weight", nEmbd, nFf);
}

/** The shared expert of DeepSeek-style MoE layers. */
export function sharedExpert(t: Tensors, il: number, nEmbd: number, nFfExp: number): void {
  t.blk(il, "ffn_gate_shexp.weight", nEmbd, nFfExp);
  t.blk(il, "ffn_down_shexp.weight", nFfExp, nEmbd);
  t.blk(il, "ffn_up_shexp.weight", nEmbd, nFfExp);
}

/**
 * The options most builders share, with their defaults in the order nLayer, nEmbd, nHead, nHeadKv,
 * headDim, nFf (`headDim` comes back as `hd`; the vocabulary defaults to 320).
 */
export function dims(
  o: TinyOptions,
  nLayer: number,
  nEmbd: number,
  nHead: number,
  nHeadKv: number,
  headDim: number,
  nFf: number,
): {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nHeadKv: number | number[];
  hd: number;
  nFf: number;
  nVocab: number;
} {
  return {
    nLayer: o.nLayer ?? nLayer,
    nEmbd: o.nEmbd ?? nEmbd,
    nHead: o.nHead ?? nHead,
    nHeadKv: o.nHeadKv ?? nHeadKv,
    hd: o.headDim ?? headDim,
    nFf: o.nFf ?? nFf,
    nVocab: o.nVocab ?? 320,
  };
}

/** State-space geometry; `dtRank` is the head count for Mamba-2 style mixers. */
export interface Ssm {
  dInner: number;
  dConv: number;
  dState: number;
  dtRank: number;
  nGroup?: number;
}

/** Mamba-1 mixer (`norms`: jamba's dt / B / C RMS norms). */
export function mamba1Mixer(t: Tensors, il: number, nEmbd: number, s: Ssm, norms: boolean): void {
  t.blk(il, "ssm_in.weight", nEmbd, 2 * s.dInner);
  t.blk(il, "ssm_conv1d.weight", s.dConv, s.dInner);
  t.blk(il, "ssm_conv1d.bias", s.dInner);
  t.blk(il, "ssm_x.weight", s.dInner, s.dtRank + 2 * s.dState);
  if (norms) t.blk(il, "ssm_dt_norm.weight", s.dtRank);
  t.blk(il, "ssm_dt.weight", s.dtRank, s.dInner);
  t.blk(il, "ssm_dt.bias", s.dInner);
  if (norms) {
    t.blk(il, "ssm_b_norm.weight", s.dState);
    t.blk(il, "ssm_c_norm.weight", s.dState);
  }
  t.blk(il, "ssm_a", s.dState, s.dInner);
  t.blk(il, "ssm_d", s.dInner);
  t.blk(il, "ssm_out.weight", s.dInner, nEmbd);
}

/** Mamba-2 mixer (mamba2, granitehybrid, falcon-h1). */
export function mamba2Mixer(t: Tensors, il: number, nEmbd: number, s: Ssm): void {
  const nGroup = s.nGroup ?? 1;
  const convDim = s.dInner + 2 * nGroup * s.dState;
  t.blk(il, "ssm_in.weight", nEmbd, s.dInner + convDim + s.dtRank);
  t.blk(il, "ssm_conv1d.weight", s.dConv, convDim);
  t.blk(il, "ssm_conv1d.bias", convDim); // optional to falcon-h1's loader, used by the Mamba-2 graph
  t.blk(il, "ssm_dt.bias", s.dtRank);
  t.blk(il, "ssm_a", 1, s.dtRank);
  t.blk(il, "ssm_d", 1, s.dtRank);
  t.blk(il, "ssm_norm.weight", s.dInner / nGroup, nGroup);
  t.blk(il, "ssm_out.weight", s.dInner, nEmbd);
}

/** `{arch}.ssm.*` keys (group_count only when given). */
export function ssmMeta(a: string, s: Ssm): Meta {
  const m: Meta = {
    [`${a}.ssm.conv_kernel`]: kv.u32(s.dConv),
    [`${a}.ssm.inner_size`]: kv.u32(s.dInner),
    [`${a}.ssm.state_size`]: kv.u32(s.dState),
    [`${a}.ssm.time_step_rank`]: kv.u32(s.dtRank),
  };
  if (s.nGroup !== undefined) m[`${a}.ssm.group_count`] = kv.u32(s.nGroup);
  return m;
}

/** `{arch}.expert_*` keys, `nUsed` (default 2) experts per token (expert_shared_count only when given). */
export function moeMeta(a: string, nExpert: number, nFfExp: number, nShared?: number, nUsed = 2): Meta {
  const m: Meta = {
    [`${a}.expert_count`]: kv.u32(nExpert),
    [`${a}.expert_used_count`]: kv.u32(nUsed),
  };
  if (nShared !== undefined) m[`${a}.expert_shared_count`] = kv.u32(nShared);
  m[`${a}.expert_feed_forward_length`] = kv.u32(nFfExp);
  return m;
}

/** RWKV's embeddings with their layer norm, and the biased output norm. */
export function rwkvEmbedAndOutput(t: Tensors, nEmbd: number, nVocab: number): void {
  t.add("token_embd.weight", nEmbd, nVocab);
  t.add("token_embd_norm.weight", nEmbd);
  t.add("token_embd_norm.bias", nEmbd);
  t.add("output_norm.weight", nEmbd);
  t.add("output_norm.bias", nEmbd);
  t.add("output.weight", nEmbd, nVocab);
}

/** RWKV's two biased layer norms of a block. */
export function rwkvNorms(t: Tensors, il: number, nEmbd: number): void {
  t.blk(il, "attn_norm.weight", nEmbd);
  t.blk(il, "attn_norm.bias", nEmbd);
  t.blk(il, "attn_norm_2.weight", nEmbd);
  t.blk(il, "attn_norm_2.bias", nEmbd);
}

/** RWKV time-mix key / value / receptance (+ gate in RWKV-6), group norm and output. */
export function rwkvTimeMixOut(t: Tensors, il: number, nEmbd: number, gate: boolean): void {
  t.blk(il, "time_mix_key.weight", nEmbd, nEmbd);
  t.blk(il, "time_mix_value.weight", nEmbd, nEmbd);
  t.blk(il, "time_mix_receptance.weight", nEmbd, nEmbd);
  if (gate) t.blk(il, "time_mix_gate.weight", nEmbd, nEmbd);
  t.blk(il, "time_mix_ln.weight", nEmbd);
  t.blk(il, "time_mix_ln.bias", nEmbd);
  t.blk(il, "time_mix_output.weight", nEmbd, nEmbd);
}

export const rwkvMeta = (a: string, headSize: number): Meta => ({
  [`${a}.attention.layer_norm_epsilon`]: kv.f32(1e-5),
  [`${a}.wkv.head_size`]: kv.u32(headSize),
});

/** `{arch}.` keys every llama.cpp loader reads, plus the vocabulary. */
export function baseMeta(
  a: string,
  o: { nCtxTrain: number; nEmbd: number; nLayer: number; nFf?: number | number[]; nVocab: number },
): Meta {
  const m: Meta = {
    ...general(a, `tiny-${a}`),
    [`${a}.context_length`]: kv.u32(o.nCtxTrain),
    [`${a}.embedding_length`]: kv.u32(o.nEmbd),
    [`${a}.block_count`]: kv.u32(o.nLayer),
  };
  if (o.nFf !== undefined) m[`${a}.feed_forward_length`] = kvValue(o.nFf);
  return m;
}

export const headCounts = (a: string, nHead: number | number[], nHeadKv: number | number[]): Meta => ({
  [`${a}.attention.head_count`]: kvValue(nHead),
  [`${a}.attention.head_count_kv`]: kvValue(nHeadKv),
});

export function heads(a: string, nHead: number | number[], nHeadKv: number | number[], hd: number): Meta {
  return {
    ...headCounts(a, nHead, nHeadKv),
    [`${a}.attention.key_length`]: kv.u32(hd),
    [`${a}.attention.value_length`]: kv.u32(hd),
  };
}

export const rmsEps = (a: string): Meta => ({ [`${a}.attention.layer_norm_rms_epsilon`]: kv.f32(1e-6) });

export function swaPatternKv(a: string, p: number | boolean[] | undefined): Meta {
  if (p === undefined) return {};
  return {
    [`${a}.attention.sliding_window_pattern`]: Array.isArray(p) ? kv.arr.bool(p) : kv.u32(p),
  };
}

/** q/k/v/o projections (create_tensor_qkv + wo); `qWidth` is the q rows (gated archs double it). */
export function attnProj(t: Tensors, il: number, nEmbd: number, qWidth: number, kvWidth: number, oWidth: number): void {
  t.blk(il, "attn_q.weight", nEmbd, qWidth);
  t.blk(il, "attn_k.weight", nEmbd, kvWidth);
  t.blk(il, "attn_v.weight", nEmbd, kvWidth);
  t.blk(il, "attn_output.weight", oWidth, nEmbd);
}

/** Pre-norm and q/k/v/o of a plain GQA block (q and o are n_head × head_dim wide). */
export function gqaAttn(
  t: Tensors,
  il: number,
  nEmbd: number,
  nHead: number,
  nHeadKv: number | number[],
  hd: number,
): void {
  t.blk(il, "attn_norm.weight", nEmbd);
  attnProj(t, il, nEmbd, hd * nHead, hd * perLayer(nHeadKv, il), hd * nHead);
}
