/**
 * Builders of tiny but loadable llama.cpp models (zero weights, real attention geometry, a minimal
 * SentencePiece-style vocabulary). Tensor names and shapes follow each architecture's loader in
 * llama.cpp de3ff81 (`src/models/<arch>.cpp`, `load_arch_tensors`), the tree node-llama-cpp 3.22.1
 * ships; hyper-parameter keys follow `src/llama-arch.cpp` and each `load_arch_hparams`.
 *
 * Every weight is F32: the point is the cache geometry, and F32 keeps every CPU op happy
 * (ssm_conv, rwkv wkv and the recurrent scans require F32 operands).
 */
import { kv } from "./gguf-writer.ts";
import type { GgufFileSpec, GgufKv, GgufTensorSpec } from "./gguf-writer.ts";

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
class Tensors {
  readonly list: GgufTensorSpec[] = [];
  add(name: string, ...shape: number[]): void {
    this.list.push({ name, shape, type: "f32" });
  }
  blk(il: number, name: string, ...shape: number[]): void {
    this.add(`blk.${il}.${name}`, ...shape);
  }
}

function general(arch: string, name: string): Record<string, GgufKv> {
  return {
    "general.architecture": kv.str(arch),
    "general.name": kv.str(name),
    "general.file_type": kv.u32(0), // ALL_F32
  };
}

const perLayer = (v: number | number[], il: number): number => (Array.isArray(v) ? v[il] : v);
const kvValue = (v: number | number[]): GgufKv => (Array.isArray(v) ? kv.arr.i32(v) : kv.u32(v));

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

type Meta = Record<string, GgufKv>;

function embedAndOutput(t: Tensors, nEmbd: number, nVocab: number, untied: boolean): void {
  t.add("token_embd.weight", nEmbd, nVocab);
  t.add("output_norm.weight", nEmbd);
  if (untied) t.add("output.weight", nEmbd, nVocab);
}

function denseFfn(t: Tensors, il: number, nEmbd: number, nFf: number): void {
  t.blk(il, "ffn_norm.weight", nEmbd);
  gluFfn(t, il, nEmbd, nFf);
}

/** Gate, down and up projections of a gated FFN (no norm). */
function gluFfn(t: Tensors, il: number, nEmbd: number, nFf: number): void {
  t.blk(il, "ffn_gate.weight", nEmbd, nFf);
  t.blk(il, "ffn_down.weight", nFf, nEmbd);
  t.blk(il, "ffn_up.weight", nEmbd, nFf);
}

/** The shared expert of DeepSeek-style MoE layers. */
function sharedExpert(t: Tensors, il: number, nEmbd: number, nFfExp: number): void {
  t.blk(il, "ffn_gate_shexp.weight", nEmbd, nFfExp);
  t.blk(il, "ffn_down_shexp.weight", nFfExp, nEmbd);
  t.blk(il, "ffn_up_shexp.weight", nEmbd, nFfExp);
}

/**
 * The options most builders share, with their defaults in the order nLayer, nEmbd, nHead, nHeadKv,
 * headDim, nFf (`headDim` comes back as `hd`; the vocabulary defaults to 320).
 */
function dims(
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
interface Ssm {
  dInner: number;
  dConv: number;
  dState: number;
  dtRank: number;
  nGroup?: number;
}

/** Mamba-1 mixer (`norms`: jamba's dt / B / C RMS norms). */
function mamba1Mixer(t: Tensors, il: number, nEmbd: number, s: Ssm, norms: boolean): void {
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
function mamba2Mixer(t: Tensors, il: number, nEmbd: number, s: Ssm): void {
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
function ssmMeta(a: string, s: Ssm): Meta {
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
function moeMeta(a: string, nExpert: number, nFfExp: number, nShared?: number, nUsed = 2): Meta {
  const m: Meta = {
    [`${a}.expert_count`]: kv.u32(nExpert),
    [`${a}.expert_used_count`]: kv.u32(nUsed),
  };
  if (nShared !== undefined) m[`${a}.expert_shared_count`] = kv.u32(nShared);
  m[`${a}.expert_feed_forward_length`] = kv.u32(nFfExp);
  return m;
}

/** RWKV's embeddings with their layer norm, and the biased output norm. */
function rwkvEmbedAndOutput(t: Tensors, nEmbd: number, nVocab: number): void {
  t.add("token_embd.weight", nEmbd, nVocab);
  t.add("token_embd_norm.weight", nEmbd);
  t.add("token_embd_norm.bias", nEmbd);
  t.add("output_norm.weight", nEmbd);
  t.add("output_norm.bias", nEmbd);
  t.add("output.weight", nEmbd, nVocab);
}

/** RWKV's two biased layer norms of a block. */
function rwkvNorms(t: Tensors, il: number, nEmbd: number): void {
  t.blk(il, "attn_norm.weight", nEmbd);
  t.blk(il, "attn_norm.bias", nEmbd);
  t.blk(il, "attn_norm_2.weight", nEmbd);
  t.blk(il, "attn_norm_2.bias", nEmbd);
}

/** RWKV time-mix key / value / receptance (+ gate in RWKV-6), group norm and output. */
function rwkvTimeMixOut(t: Tensors, il: number, nEmbd: number, gate: boolean): void {
  t.blk(il, "time_mix_key.weight", nEmbd, nEmbd);
  t.blk(il, "time_mix_value.weight", nEmbd, nEmbd);
  t.blk(il, "time_mix_receptance.weight", nEmbd, nEmbd);
  if (gate) t.blk(il, "time_mix_gate.weight", nEmbd, nEmbd);
  t.blk(il, "time_mix_ln.weight", nEmbd);
  t.blk(il, "time_mix_ln.bias", nEmbd);
  t.blk(il, "time_mix_output.weight", nEmbd, nEmbd);
}

const rwkvMeta = (a: string, headSize: number): Meta => ({
  [`${a}.attention.layer_norm_epsilon`]: kv.f32(1e-5),
  [`${a}.wkv.head_size`]: kv.u32(headSize),
});

/** `{arch}.` keys every llama.cpp loader reads, plus the vocabulary. */
function baseMeta(
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

const headCounts = (a: string, nHead: number | number[], nHeadKv: number | number[]): Meta => ({
  [`${a}.attention.head_count`]: kvValue(nHead),
  [`${a}.attention.head_count_kv`]: kvValue(nHeadKv),
});

function heads(a: string, nHead: number | number[], nHeadKv: number | number[], hd: number): Meta {
  return {
    ...headCounts(a, nHead, nHeadKv),
    [`${a}.attention.key_length`]: kv.u32(hd),
    [`${a}.attention.value_length`]: kv.u32(hd),
  };
}

const rmsEps = (a: string): Meta => ({ [`${a}.attention.layer_norm_rms_epsilon`]: kv.f32(1e-6) });

function swaPatternKv(a: string, p: number | boolean[] | undefined): Meta {
  if (p === undefined) return {};
  return {
    [`${a}.attention.sliding_window_pattern`]: Array.isArray(p) ? kv.arr.bool(p) : kv.u32(p),
  };
}

/** q/k/v/o projections (create_tensor_qkv + wo); `qWidth` is the q rows (gated archs double it). */
function attnProj(t: Tensors, il: number, nEmbd: number, qWidth: number, kvWidth: number, oWidth: number): void {
  t.blk(il, "attn_q.weight", nEmbd, qWidth);
  t.blk(il, "attn_k.weight", nEmbd, kvWidth);
  t.blk(il, "attn_v.weight", nEmbd, kvWidth);
  t.blk(il, "attn_output.weight", oWidth, nEmbd);
}

/** Pre-norm and q/k/v/o of a plain GQA block (q and o are n_head × head_dim wide). */
function gqaAttn(t: Tensors, il: number, nEmbd: number, nHead: number, nHeadKv: number | number[], hd: number): void {
  t.blk(il, "attn_norm.weight", nEmbd);
  attnProj(t, il, nEmbd, hd * nHead, hd * perLayer(nHeadKv, il), hd * nHead);
}

/**
 * Qwen3 dense (`src/models/qwen3.cpp`): head_dim from `key_length` (≠ n_embd / n_head, as in the
 * real models), Q/K norms. Defaults mirror Qwen3-14B's attention: head_dim 128, GQA 4 : 1.
 */
export function qwen3Model(o: TinyOptions = {}): TinyModel {
  const { nLayer, nEmbd, nHead, nHeadKv, hd, nFf, nVocab } = dims(o, 4, 64, 8, 2, 128, 128);
  const a = "qwen3";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? false);
  for (let il = 0; il < nLayer; il++) {
    gqaAttn(t, il, nEmbd, nHead, nHeadKv, hd);
    t.blk(il, "attn_k_norm.weight", hd);
    t.blk(il, "attn_q_norm.weight", hd);
    denseFfn(t, il, nEmbd, nFf);
  }
  return {
    arch: a,
    note: `qwen3 dense, ${nLayer} layers, head_dim ${hd}, ${nHead} heads / ${String(nHeadKv)} KV heads`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 40960, nEmbd, nLayer, nFf, nVocab }),
      ...heads(a, nHead, nHeadKv, hd),
      ...rmsEps(a),
      [`${a}.rope.freq_base`]: kv.f32(1000000),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/** Llama (`src/models/llama.cpp`): head_dim = n_embd / n_head (llama checks n_rot = head_dim). */
export function llamaModel(o: TinyOptions = {}): TinyModel {
  const nLayer = o.nLayer ?? 4;
  const nHead = o.nHead ?? 4;
  const hd = o.headDim ?? 64;
  const nEmbd = o.nEmbd ?? nHead * hd;
  const nHeadKv = o.nHeadKv ?? 2;
  const nFf = o.nFf ?? 128;
  const nVocab = o.nVocab ?? 320;
  const a = "llama";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? true);
  for (let il = 0; il < nLayer; il++) {
    gqaAttn(t, il, nEmbd, nHead, nHeadKv, hd);
    denseFfn(t, il, nEmbd, nFf);
  }
  return {
    arch: a,
    note: `llama dense, ${nLayer} layers, head_dim ${hd}, GQA ${nHead}:${String(nHeadKv)}`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 8192, nEmbd, nLayer, nFf, nVocab }),
      // head_dim ≠ n_embd / n_head (Mistral-Nemo) needs the explicit key/value lengths
      ...(nEmbd === nHead * hd ? headCounts(a, nHead, nHeadKv) : heads(a, nHead, nHeadKv, hd)),
      [`${a}.rope.dimension_count`]: kv.u32(hd),
      ...rmsEps(a),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/** Gemma 2 (`src/models/gemma2.cpp`): SWA on even layers (period 2), always tied embeddings. */
export function gemma2Model(o: TinyOptions = {}): TinyModel {
  const { nLayer, nEmbd, nHead, nHeadKv, hd, nFf, nVocab } = dims(o, 4, 64, 4, 2, 128, 128);
  const a = "gemma2";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, false);
  for (let il = 0; il < nLayer; il++) {
    gqaAttn(t, il, nEmbd, nHead, nHeadKv, hd);
    t.blk(il, "post_attention_norm.weight", nEmbd);
    denseFfn(t, il, nEmbd, nFf);
    t.blk(il, "post_ffw_norm.weight", nEmbd);
  }
  const meta: Meta = {
    ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 8192, nEmbd, nLayer, nFf, nVocab }),
    ...heads(a, nHead, nHeadKv, hd),
    ...rmsEps(a),
    ...swaPatternKv(a, o.swaPattern),
    ...tinyVocab(nVocab),
  };
  if (o.window !== undefined) meta[`${a}.attention.sliding_window`] = kv.u32(o.window);
  return {
    arch: a,
    note: `gemma2, ${nLayer} layers, SWA window ${o.window ?? "default 4096"}`,
    metadata: meta,
    tensors: t.list,
  };
}

/** Gemma 3 (`src/models/gemma3.cpp`): SWA period 6 (5 SWA : 1 full), Q/K norms. */
export function gemma3Model(o: TinyOptions = {}): TinyModel {
  const { nLayer, nEmbd, nHead, nHeadKv, hd, nFf, nVocab } = dims(o, 8, 64, 4, 2, 128, 128);
  const a = "gemma3";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? false);
  for (let il = 0; il < nLayer; il++) {
    gqaAttn(t, il, nEmbd, nHead, nHeadKv, hd);
    t.blk(il, "post_attention_norm.weight", nEmbd);
    t.blk(il, "attn_k_norm.weight", hd);
    t.blk(il, "attn_q_norm.weight", hd);
    denseFfn(t, il, nEmbd, nFf);
    t.blk(il, "post_ffw_norm.weight", nEmbd);
  }
  return {
    arch: a,
    note: `gemma3, ${nLayer} layers, SWA window ${o.window ?? 512}`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 32768, nEmbd, nLayer, nFf, nVocab }),
      ...heads(a, nHead, nHeadKv, hd),
      ...rmsEps(a),
      [`${a}.attention.sliding_window`]: kv.u32(o.window ?? 512),
      ...swaPatternKv(a, o.swaPattern),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/**
 * Gemma 3n (`src/models/gemma3n.cpp`): SWA period 5, KV only for layers < 20 (hard-coded), so
 * the stack needs more than 20 layers; altup / laurel / per-layer embeddings (n_embd_altup 256,
 * n_altup 4, laurel rank 64 are hard-coded hparams).
 */
export function gemma3nModel(o: TinyOptions = {}): TinyModel {
  const { nLayer, nEmbd, nHead, nHeadKv, hd, nFf, nVocab } = dims(o, 24, 64, 2, 1, 128, 128);
  const nAltup = 4;
  const laurel = 64;
  const embdAltup = 256;
  const a = "gemma3n";
  const t = new Tensors();
  if (o.untied) t.add("output.weight", nEmbd, nVocab);
  t.add("token_embd.weight", nEmbd, nVocab);
  t.add("altup_proj.weight", nEmbd, nEmbd, nAltup - 1);
  t.add("altup_unembd_proj.weight", nEmbd, nEmbd, nAltup - 1);
  t.add("per_layer_token_embd.weight", embdAltup * nLayer, nVocab);
  t.add("per_layer_model_proj.weight", nEmbd, embdAltup * nLayer);
  t.add("per_layer_proj_norm.weight", embdAltup);
  t.add("output_norm.weight", nEmbd);
  for (let il = 0; il < nLayer; il++) {
    gqaAttn(t, il, nEmbd, nHead, nHeadKv, hd);
    t.blk(il, "attn_q_norm.weight", hd);
    t.blk(il, "attn_k_norm.weight", hd);
    t.blk(il, "post_attention_norm.weight", nEmbd);
    denseFfn(t, il, nEmbd, nFf);
    t.blk(il, "post_ffw_norm.weight", nEmbd);
    t.blk(il, "inp_gate.weight", nEmbd, embdAltup);
    t.blk(il, "proj.weight", embdAltup, nEmbd);
    t.blk(il, "post_norm.weight", nEmbd);
    t.blk(il, "altup_correct_coef.weight", nAltup, nAltup);
    t.blk(il, "altup_correct_scale.weight", nEmbd);
    t.blk(il, "altup_predict_coef.weight", nAltup, nAltup * nAltup);
    t.blk(il, "altup_router.weight", nEmbd, nAltup);
    t.blk(il, "altup_router_norm.weight", nEmbd);
    t.blk(il, "laurel_l.weight", nEmbd, laurel);
    t.blk(il, "laurel_r.weight", laurel, nEmbd);
    t.blk(il, "laurel_post_norm.weight", nEmbd);
  }
  return {
    arch: a,
    note: `gemma3n, ${nLayer} layers (KV for the first 20), SWA window ${o.window ?? 512}`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 32768, nEmbd, nLayer, nFf, nVocab }),
      ...heads(a, nHead, nHeadKv, hd),
      ...rmsEps(a),
      [`${a}.attention.sliding_window`]: kv.u32(o.window ?? 512),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/** gpt-oss (`src/models/openai-moe.cpp`): SWA period 2, attention sinks, MoE with biases. */
export function gptOssModel(o: TinyOptions = {}): TinyModel {
  const { nLayer, nEmbd, nHead, nHeadKv, hd, nFf, nVocab } = dims(o, 4, 64, 8, 2, 64, 64);
  const nExpert = o.moe?.nExpert ?? 4;
  const nFfExp = o.moe?.nFfExp ?? nFf;
  const a = "gpt-oss";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, true);
  for (let il = 0; il < nLayer; il++) {
    t.blk(il, "attn_norm.weight", nEmbd);
    t.blk(il, "post_attention_norm.weight", nEmbd);
    attnProj(t, il, nEmbd, nHead * hd, perLayer(nHeadKv, il) * hd, nHead * hd);
    t.blk(il, "attn_sinks.weight", nHead);
    t.blk(il, "ffn_gate_inp.weight", nEmbd, nExpert);
    t.blk(il, "ffn_gate_exps.weight", nEmbd, nFfExp, nExpert);
    t.blk(il, "ffn_down_exps.weight", nFfExp, nEmbd, nExpert);
    t.blk(il, "ffn_up_exps.weight", nEmbd, nFfExp, nExpert);
    t.blk(il, "attn_output.bias", nEmbd);
    t.blk(il, "ffn_gate_inp.bias", nExpert);
    t.blk(il, "ffn_gate_exps.bias", nFfExp, nExpert);
    t.blk(il, "ffn_down_exps.bias", nEmbd, nExpert);
    t.blk(il, "ffn_up_exps.bias", nFfExp, nExpert);
  }
  return {
    arch: a,
    note: `gpt-oss, ${nLayer} layers, SWA window ${o.window ?? 128}, ${nExpert} experts`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 131072, nEmbd, nLayer, nFf: nFfExp, nVocab }),
      ...heads(a, nHead, nHeadKv, hd),
      ...rmsEps(a),
      ...moeMeta(a, nExpert, nFfExp, undefined, o.moe?.nUsed),
      [`${a}.attention.sliding_window`]: kv.u32(o.window ?? 128),
      ...swaPatternKv(a, o.swaPattern),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/**
 * DeepSeek-V2/V3 MLA (`src/models/deepseek2.cpp`): key_length 576 = kv_lora_rank 512 + rope 64,
 * value_length 512, head_count_kv 1, key/value_length_mla 192/128. Layer 0 dense, then MoE.
 */
export function deepseek2Model(o: TinyOptions & { mla?: boolean } = {}): TinyModel {
  const nLayer = o.nLayer ?? 3;
  const nEmbd = o.nEmbd ?? 64;
  const nHead = o.nHead ?? 2;
  const nFf = o.nFf ?? 128;
  const nFfExp = o.moe?.nFfExp ?? 64;
  const nExpert = o.moe?.nExpert ?? 4;
  const nVocab = o.nVocab ?? 320;
  const kvLora = 512;
  const rope = 64;
  const qLora = o.qLora ?? 64;
  const kMla = 192;
  const vMla = 128;
  const mla = o.mla ?? true;
  const a = "deepseek2";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? true);
  for (let il = 0; il < nLayer; il++) {
    t.blk(il, "attn_norm.weight", nEmbd);
    t.blk(il, "attn_q_a_norm.weight", qLora);
    t.blk(il, "attn_kv_a_norm.weight", kvLora);
    t.blk(il, "attn_q_a.weight", nEmbd, qLora);
    t.blk(il, "attn_q_b.weight", qLora, nHead * kMla);
    t.blk(il, "attn_kv_a_mqa.weight", nEmbd, kvLora + rope);
    if (mla) {
      t.blk(il, "attn_k_b.weight", kMla - rope, kvLora, nHead);
      t.blk(il, "attn_v_b.weight", kvLora, vMla, nHead);
    } else {
      t.blk(il, "attn_kv_b.weight", kvLora, nHead * (kMla - rope + vMla));
    }
    t.blk(il, "attn_output.weight", nHead * vMla, nEmbd);
    t.blk(il, "ffn_norm.weight", nEmbd);
    if (il < 1) gluFfn(t, il, nEmbd, nFf);
    else {
      t.blk(il, "ffn_gate_inp.weight", nEmbd, nExpert);
      t.blk(il, "ffn_down_exps.weight", nFfExp, nEmbd, nExpert);
      t.blk(il, "ffn_gate_exps.weight", nEmbd, nFfExp, nExpert);
      t.blk(il, "ffn_up_exps.weight", nEmbd, nFfExp, nExpert);
      sharedExpert(t, il, nEmbd, nFfExp);
    }
  }
  const meta: Meta = {
    ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 163840, nEmbd, nLayer, nFf, nVocab }),
    ...rmsEps(a),
    [`${a}.attention.head_count`]: kv.u32(nHead),
    [`${a}.leading_dense_block_count`]: kv.u32(1),
    [`${a}.attention.q_lora_rank`]: kv.u32(qLora),
    [`${a}.attention.kv_lora_rank`]: kv.u32(kvLora),
    [`${a}.rope.dimension_count`]: kv.u32(rope),
    ...moeMeta(a, nExpert, nFfExp, 1, o.moe?.nUsed),
    ...tinyVocab(nVocab),
  };
  if (mla) {
    // the converter's MLA layout: one latent "head" of 576 (K) / 512 (V)
    meta[`${a}.attention.head_count_kv`] = kv.u32(1);
    meta[`${a}.attention.key_length`] = kv.u32(kvLora + rope);
    meta[`${a}.attention.value_length`] = kv.u32(kvLora);
    meta[`${a}.attention.key_length_mla`] = kv.u32(kMla);
    meta[`${a}.attention.value_length_mla`] = kv.u32(vMla);
  } else {
    // pre-MLA GGUF: plain MHA with per-head K 192 / V 128
    meta[`${a}.attention.head_count_kv`] = kv.u32(nHead);
    meta[`${a}.attention.key_length`] = kv.u32(kMla);
    meta[`${a}.attention.value_length`] = kv.u32(vMla);
  }
  return {
    arch: a,
    note: mla
      ? `deepseek2 MLA, ${nLayer} layers, K-only latent cache 576`
      : `deepseek2 without *_mla keys (MHA fallback), ${nLayer} layers`,
    metadata: meta,
    tensors: t.list,
  };
}

/**
 * GLM-4.5 style MoE (`src/models/glm4-moe.cpp`) with `nextn` NextN layers counted in block_count
 * but whose tensors are absent (a trunk-only file, as the loader allows).
 */
export function glm4moeModel(o: TinyOptions = {}): TinyModel {
  const { nLayer: nTrunk, nEmbd, nHead, nHeadKv, hd, nFf, nVocab } = dims(o, 3, 64, 4, 2, 128, 128);
  const nextn = o.nextn ?? 1;
  const nLayer = nTrunk + nextn;
  const nFfExp = o.moe?.nFfExp ?? 64;
  const nExpert = o.moe?.nExpert ?? 4;
  const a = "glm4moe";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, true);
  for (let il = 0; il < nTrunk; il++) {
    gqaAttn(t, il, nEmbd, nHead, nHeadKv, hd);
    t.blk(il, "post_attention_norm.weight", nEmbd);
    if (il < 1) gluFfn(t, il, nEmbd, nFf);
    else {
      t.blk(il, "ffn_gate_inp.weight", nEmbd, nExpert);
      t.blk(il, "exp_probs_b.bias", nExpert);
      t.blk(il, "ffn_gate_exps.weight", nEmbd, nFfExp, nExpert);
      t.blk(il, "ffn_down_exps.weight", nFfExp, nEmbd, nExpert);
      t.blk(il, "ffn_up_exps.weight", nEmbd, nFfExp, nExpert);
      sharedExpert(t, il, nEmbd, nFfExp);
    }
  }
  return {
    arch: a,
    note: `glm4moe, ${nTrunk} trunk layers + ${nextn} NextN layer(s) in block_count`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 131072, nEmbd, nLayer, nFf, nVocab }),
      ...heads(a, nHead, nHeadKv, hd),
      ...rmsEps(a),
      [`${a}.nextn_predict_layers`]: kv.u32(nextn),
      [`${a}.leading_dense_block_count`]: kv.u32(1),
      ...moeMeta(a, nExpert, nFfExp, 1, o.moe?.nUsed),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/**
 * Qwen3.5 hybrid (`src/models/qwen35.cpp`): gated-delta-net layers with every
 * `full_attention_interval`-th layer full attention (gated q: 2 × heads × head_dim rows),
 * optional NextN layers (full-attention blocks, excluded from KV and RS).
 */
export function qwen35Model(o: TinyOptions & { interval?: number; recurrentLayers?: boolean[] } = {}): TinyModel {
  const { nLayer: nTrunk, nEmbd, nHead, nHeadKv, hd, nFf, nVocab } = dims(o, 8, 64, 4, 2, 128, 128);
  const nextn = o.nextn ?? 0;
  const nLayer = nTrunk + nextn;
  const interval = o.interval ?? 4;
  // GDN geometry (Qwen3.5-27B-like ratios, scaled down): d_state = key head dim 128
  const dConv = 4;
  const dState = o.ssm?.dState ?? 128;
  const nGroup = o.ssm?.nGroup ?? 2; // key heads
  const dtRank = o.ssm?.dtRank ?? 4; // value heads
  const dInner = dState * dtRank;
  const keyDim = dState * nGroup;
  const valueDim = dState * dtRank;
  const a = "qwen35";
  const isRecr = (il: number): boolean =>
    il < nTrunk && (o.recurrentLayers ? o.recurrentLayers[il] : (il + 1) % interval !== 0);
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? true);
  const attnBlock = (il: number): void => {
    attnProj(t, il, nEmbd, hd * nHead * 2, hd * perLayer(nHeadKv, il), hd * nHead);
    t.blk(il, "attn_q_norm.weight", hd);
    t.blk(il, "attn_k_norm.weight", hd);
  };
  for (let il = 0; il < nTrunk; il++) {
    t.blk(il, "attn_norm.weight", nEmbd);
    t.blk(il, "post_attention_norm.weight", nEmbd);
    if (!isRecr(il)) attnBlock(il);
    else {
      t.blk(il, "attn_qkv.weight", nEmbd, keyDim * 2 + valueDim);
      t.blk(il, "attn_gate.weight", nEmbd, valueDim);
      t.blk(il, "ssm_conv1d.weight", dConv, keyDim * 2 + valueDim);
      t.blk(il, "ssm_dt.bias", dtRank);
      t.blk(il, "ssm_a", dtRank);
      t.blk(il, "ssm_beta.weight", nEmbd, dtRank);
      t.blk(il, "ssm_alpha.weight", nEmbd, dtRank);
      t.blk(il, "ssm_norm.weight", dState);
      t.blk(il, "ssm_out.weight", valueDim, nEmbd);
    }
    gluFfn(t, il, nEmbd, nFf);
  }
  for (let il = nTrunk; il < nLayer; il++) {
    t.blk(il, "attn_norm.weight", nEmbd);
    t.blk(il, "post_attention_norm.weight", nEmbd);
    attnBlock(il);
    gluFfn(t, il, nEmbd, nFf);
    t.blk(il, "nextn.eh_proj.weight", 2 * nEmbd, nEmbd);
    t.blk(il, "nextn.enorm.weight", nEmbd);
    t.blk(il, "nextn.hnorm.weight", nEmbd);
  }
  const meta: Meta = {
    ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 262144, nEmbd, nLayer, nFf, nVocab }),
    ...heads(a, nHead, nHeadKv, hd),
    ...rmsEps(a),
    [`${a}.rope.dimension_count`]: kv.u32(hd / 2),
    [`${a}.rope.dimension_sections`]: kv.arr.i32([11, 11, 10, 0]),
    [`${a}.ssm.conv_kernel`]: kv.u32(dConv),
    [`${a}.ssm.inner_size`]: kv.u32(dInner),
    [`${a}.ssm.state_size`]: kv.u32(dState),
    [`${a}.ssm.group_count`]: kv.u32(nGroup),
    [`${a}.ssm.time_step_rank`]: kv.u32(dtRank),
    [`${a}.full_attention_interval`]: kv.u32(interval),
    ...tinyVocab(nVocab),
  };
  if (nextn) meta[`${a}.nextn_predict_layers`] = kv.u32(nextn);
  if (o.recurrentLayers)
    meta[`${a}.attention.recurrent_layers`] = kv.arr.bool(Array.from({ length: nLayer }, (_, il) => isRecr(il)));
  return {
    arch: a,
    note: `qwen35 hybrid, ${nTrunk} layers (full attention every ${interval}) + ${nextn} MTP`,
    metadata: meta,
    tensors: t.list,
  };
}

/** Mamba-1 (`src/models/mamba.cpp`): d_inner = 2 × n_embd (the only supported expansion). */
export function mambaModel(o: TinyOptions = {}): TinyModel {
  const nLayer = o.nLayer ?? 4;
  const nEmbd = o.nEmbd ?? 128;
  const nVocab = o.nVocab ?? 320;
  const ssm: Ssm = { dInner: 2 * nEmbd, dConv: 4, dState: 16, dtRank: 8 };
  const a = "mamba";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? false);
  for (let il = 0; il < nLayer; il++) {
    t.blk(il, "attn_norm.weight", nEmbd);
    mamba1Mixer(t, il, nEmbd, ssm, false);
  }
  return {
    arch: a,
    note: `mamba, ${nLayer} layers, d_inner ${ssm.dInner}, d_state ${ssm.dState}`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 1048576, nEmbd, nLayer, nFf: 0, nVocab }),
      [`${a}.attention.head_count`]: kv.u32(0),
      ...rmsEps(a),
      ...ssmMeta(a, ssm),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/** Mamba-2 (`src/models/mamba2.cpp`). */
export function mamba2Model(o: TinyOptions = {}): TinyModel {
  const nLayer = o.nLayer ?? 4;
  const nEmbd = o.nEmbd ?? 128;
  const nVocab = o.nVocab ?? 320;
  const ssm: Ssm = { dInner: 2 * nEmbd, dConv: 4, dState: 64, dtRank: 8, nGroup: 2 }; // dtRank: heads
  const a = "mamba2";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? false);
  for (let il = 0; il < nLayer; il++) {
    t.blk(il, "attn_norm.weight", nEmbd);
    mamba2Mixer(t, il, nEmbd, ssm);
  }
  return {
    arch: a,
    note: `mamba2, ${nLayer} layers, d_inner ${ssm.dInner}, d_state ${ssm.dState}, ${ssm.nGroup} groups`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 1048576, nEmbd, nLayer, nFf: 0, nVocab }),
      [`${a}.attention.head_count`]: kv.u32(0),
      ...rmsEps(a),
      ...ssmMeta(a, ssm),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/** Jamba (`src/models/jamba.cpp`): Mamba-1 layers where head_count_kv[il] == 0. */
export function jambaModel(o: TinyOptions = {}): TinyModel {
  const nLayer = o.nLayer ?? 4;
  const nEmbd = o.nEmbd ?? 128;
  const nHead = o.nHead ?? 4;
  const hd = nEmbd / nHead; // jamba's q/o are n_embd wide
  const kvHeads = Array.from({ length: nLayer }, (_, il) => (il % 4 === 3 ? 2 : 0));
  const nHeadKv = o.nHeadKv ?? kvHeads;
  const nFf = o.nFf ?? 128;
  const nVocab = o.nVocab ?? 320;
  const ssm: Ssm = o.ssm ?? { dInner: 2 * nEmbd, dConv: 4, dState: 16, dtRank: 8 };
  const a = "jamba";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? false);
  for (let il = 0; il < nLayer; il++) {
    t.blk(il, "attn_norm.weight", nEmbd);
    const hkv = perLayer(nHeadKv, il);
    if (hkv === 0) {
      mamba1Mixer(t, il, nEmbd, ssm, true);
    } else {
      attnProj(t, il, nEmbd, nEmbd, hd * hkv, nEmbd);
    }
    denseFfn(t, il, nEmbd, nFf);
  }
  return {
    arch: a,
    note: `jamba, ${nLayer} layers, attention where head_count_kv > 0`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 262144, nEmbd, nLayer, nFf, nVocab }),
      ...headCounts(a, nHead, nHeadKv),
      ...rmsEps(a),
      ...ssmMeta(a, ssm),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/** Granite 4 hybrid (`src/models/granite-hybrid.cpp`): Mamba-2 where head_count_kv[il] == 0. */
export function graniteHybridModel(o: TinyOptions = {}): TinyModel {
  const nLayer = o.nLayer ?? 4;
  const nEmbd = o.nEmbd ?? 128;
  const nHead = o.nHead ?? 4;
  const hd = o.headDim ?? 64;
  const kvHeads = Array.from({ length: nLayer }, (_, il) => (il % 4 === 3 ? 2 : 0));
  const nHeadKv = o.nHeadKv ?? kvHeads;
  const nFf = o.nFf ?? 128;
  const nVocab = o.nVocab ?? 320;
  const ssm: Ssm = o.ssm ?? { dInner: 2 * nEmbd, dConv: 4, dState: 64, dtRank: 8, nGroup: 1 };
  const a = "granitehybrid";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? false);
  for (let il = 0; il < nLayer; il++) {
    t.blk(il, "attn_norm.weight", nEmbd);
    const hkv = perLayer(nHeadKv, il);
    if (hkv === 0) {
      mamba2Mixer(t, il, nEmbd, ssm);
    } else {
      attnProj(t, il, nEmbd, hd * nHead, hd * hkv, hd * nHead);
    }
    denseFfn(t, il, nEmbd, nFf);
  }
  return {
    arch: a,
    note: `granitehybrid, ${nLayer} layers, Mamba-2 where head_count_kv = 0`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 131072, nEmbd, nLayer, nFf, nVocab }),
      ...heads(a, nHead, nHeadKv, hd),
      ...rmsEps(a),
      ...ssmMeta(a, ssm),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/** Falcon-H1 (`src/models/falcon-h1.cpp`): every layer has attention AND a Mamba-2 mixer. */
export function falconH1Model(o: TinyOptions = {}): TinyModel {
  const { nLayer, nEmbd, nHead, nHeadKv, hd, nFf, nVocab } = dims(o, 4, 128, 4, 2, 64, 128);
  const ssm: Ssm = o.ssm ?? { dInner: 256, dConv: 4, dState: 32, dtRank: 8, nGroup: 1 };
  const a = "falcon-h1";
  const t = new Tensors();
  embedAndOutput(t, nEmbd, nVocab, o.untied ?? false);
  for (let il = 0; il < nLayer; il++) {
    mamba2Mixer(t, il, nEmbd, ssm);
    attnProj(t, il, nEmbd, hd * nHead, perLayer(nHeadKv, il) * hd, hd * nHead);
    t.blk(il, "attn_norm.weight", nEmbd);
    t.blk(il, "ffn_norm", nEmbd); // no ".weight" suffix in this loader
    gluFfn(t, il, nEmbd, nFf);
  }
  return {
    arch: a,
    note: `falcon-h1, ${nLayer} layers, attention + Mamba-2 on every layer`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 131072, nEmbd, nLayer, nFf, nVocab }),
      ...heads(a, nHead, nHeadKv, hd),
      ...rmsEps(a),
      ...ssmMeta(a, ssm),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/**
 * LFM2 (`src/models/lfm2.cpp`): short-conv layers where head_count_kv[il] == 0; q and o are
 * n_embd wide; a sliding window (if given) makes every attention layer SWA.
 */
export function lfm2Model(o: TinyOptions = {}): TinyModel {
  const nLayer = o.nLayer ?? 6;
  const nEmbd = o.nEmbd ?? 128;
  const nHead = o.nHead ?? 2;
  const hd = nEmbd / nHead;
  const kvHeads = Array.from({ length: nLayer }, (_, il) => (il % 3 === 2 ? 1 : 0));
  const nHeadKv = o.nHeadKv ?? kvHeads;
  const nFf = o.nFf ?? 128;
  const nVocab = o.nVocab ?? 320;
  const lCache = 3;
  const a = "lfm2";
  const t = new Tensors();
  t.add("token_embd.weight", nEmbd, nVocab);
  t.add("token_embd_norm.weight", nEmbd);
  if (o.untied) t.add("output.weight", nEmbd, nVocab);
  for (let il = 0; il < nLayer; il++) {
    denseFfn(t, il, nEmbd, nFf);
    t.blk(il, "attn_norm.weight", nEmbd);
    const hkv = perLayer(nHeadKv, il);
    if (hkv !== 0) {
      t.blk(il, "attn_q_norm.weight", hd);
      t.blk(il, "attn_k_norm.weight", hd);
      attnProj(t, il, nEmbd, nEmbd, hd * hkv, nEmbd);
    } else {
      t.blk(il, "shortconv.conv.weight", lCache, nEmbd);
      t.blk(il, "shortconv.in_proj.weight", nEmbd, 3 * nEmbd);
      t.blk(il, "shortconv.out_proj.weight", nEmbd, nEmbd);
    }
  }
  const meta: Meta = {
    ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 128000, nEmbd, nLayer, nFf, nVocab }),
    ...headCounts(a, nHead, nHeadKv),
    ...rmsEps(a),
    [`${a}.shortconv.l_cache`]: kv.u32(lCache),
    ...tinyVocab(nVocab),
  };
  if (o.window !== undefined) meta[`${a}.attention.sliding_window`] = kv.u32(o.window);
  return {
    arch: a,
    note: `lfm2, ${nLayer} layers, short-conv where head_count_kv = 0${o.window ? `, SWA ${o.window}` : ""}`,
    metadata: meta,
    tensors: t.list,
  };
}

/** RWKV-6 (`src/models/rwkv6.cpp`): pure recurrent, wkv state n_embd × head_size. */
export function rwkv6Model(o: TinyOptions = {}): TinyModel {
  const nLayer = o.nLayer ?? 4;
  const nEmbd = o.nEmbd ?? 128;
  const headSize = o.headDim ?? 64;
  const nFf = o.nFf ?? 256;
  const nVocab = o.nVocab ?? 320;
  const mixDim = 32;
  const decayDim = 64;
  const a = "rwkv6";
  const t = new Tensors();
  rwkvEmbedAndOutput(t, nEmbd, nVocab);
  for (let il = 0; il < nLayer; il++) {
    rwkvNorms(t, il, nEmbd);
    t.blk(il, "time_mix_w1.weight", nEmbd, mixDim * 5);
    t.blk(il, "time_mix_w2.weight", mixDim, nEmbd, 5);
    t.blk(il, "time_mix_lerp_x.weight", nEmbd, 1, 1);
    t.blk(il, "time_mix_lerp_fused.weight", nEmbd, 1, 1, 5);
    t.blk(il, "time_mix_first.weight", headSize, nEmbd / headSize);
    t.blk(il, "time_mix_decay.weight", nEmbd);
    t.blk(il, "time_mix_decay_w1.weight", nEmbd, decayDim);
    t.blk(il, "time_mix_decay_w2.weight", decayDim, nEmbd);
    rwkvTimeMixOut(t, il, nEmbd, true);
    t.blk(il, "channel_mix_lerp_k.weight", nEmbd, 1, 1);
    t.blk(il, "channel_mix_lerp_r.weight", nEmbd, 1, 1);
    t.blk(il, "channel_mix_key.weight", nEmbd, nFf);
    t.blk(il, "channel_mix_value.weight", nFf, nEmbd);
    t.blk(il, "channel_mix_receptance.weight", nEmbd, nEmbd);
  }
  return {
    arch: a,
    note: `rwkv6, ${nLayer} layers, n_embd ${nEmbd}, wkv head ${headSize}`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 1048576, nEmbd, nLayer, nFf, nVocab }),
      ...rwkvMeta(a, headSize),
      [`${a}.time_mix_extra_dim`]: kv.u32(mixDim),
      [`${a}.time_decay_extra_dim`]: kv.u32(decayDim),
      [`${a}.rescale_every_n_layers`]: kv.u32(6),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/** RWKV-7 (`src/models/rwkv7.cpp`). */
export function rwkv7Model(o: TinyOptions = {}): TinyModel {
  const nLayer = o.nLayer ?? 4;
  const nEmbd = o.nEmbd ?? 128;
  const headSize = o.headDim ?? 64;
  const nFf = o.nFf ?? 256;
  const nVocab = o.nVocab ?? 320;
  const rDecay = 32;
  const rIclr = 32;
  const rVmix = 32;
  const rGate = 64;
  const a = "rwkv7";
  const t = new Tensors();
  rwkvEmbedAndOutput(t, nEmbd, nVocab);
  for (let il = 0; il < nLayer; il++) {
    rwkvNorms(t, il, nEmbd);
    t.blk(il, "time_mix_w0.weight", nEmbd);
    t.blk(il, "time_mix_w1.weight", nEmbd, rDecay);
    t.blk(il, "time_mix_w2.weight", rDecay, nEmbd);
    t.blk(il, "time_mix_a0.weight", nEmbd);
    t.blk(il, "time_mix_a1.weight", nEmbd, rIclr);
    t.blk(il, "time_mix_a2.weight", rIclr, nEmbd);
    const rv = il === 0 ? rIclr : rVmix;
    t.blk(il, "time_mix_v0.weight", nEmbd);
    t.blk(il, "time_mix_v1.weight", nEmbd, rv);
    t.blk(il, "time_mix_v2.weight", rv, nEmbd);
    t.blk(il, "time_mix_g1.weight", nEmbd, rGate);
    t.blk(il, "time_mix_g2.weight", rGate, nEmbd);
    t.blk(il, "time_mix_lerp_fused.weight", nEmbd, 1, 1, 6);
    t.blk(il, "time_mix_k_k.weight", nEmbd);
    t.blk(il, "time_mix_k_a.weight", nEmbd);
    t.blk(il, "time_mix_r_k.weight", nEmbd);
    rwkvTimeMixOut(t, il, nEmbd, false);
    t.blk(il, "channel_mix_lerp_k.weight", nEmbd, 1, 1);
    t.blk(il, "channel_mix_key.weight", nEmbd, nFf);
    t.blk(il, "channel_mix_value.weight", nFf, nEmbd);
  }
  return {
    arch: a,
    note: `rwkv7, ${nLayer} layers, n_embd ${nEmbd}, wkv head ${headSize}`,
    metadata: {
      ...baseMeta(a, { nCtxTrain: o.nCtxTrain ?? 1048576, nEmbd, nLayer, nFf, nVocab }),
      ...rwkvMeta(a, headSize),
      [`${a}.attention.decay_lora_rank`]: kv.u32(rDecay),
      [`${a}.attention.iclr_lora_rank`]: kv.u32(rIclr),
      [`${a}.attention.value_residual_mix_lora_rank`]: kv.u32(rVmix),
      [`${a}.attention.gate_lora_rank`]: kv.u32(rGate),
      ...tinyVocab(nVocab),
    },
    tensors: t.list,
  };
}

/** All builders by family name, with their default options. */
export const TINY_MODELS: Readonly<Record<string, (o?: TinyOptions) => TinyModel>> = {
  qwen3: qwen3Model,
  llama: llamaModel,
  gemma2: gemma2Model,
  gemma3: gemma3Model,
  gemma3n: gemma3nModel,
  "gpt-oss": gptOssModel,
  deepseek2: deepseek2Model,
  glm4moe: glm4moeModel,
  qwen35: qwen35Model,
  mamba: mambaModel,
  mamba2: mamba2Model,
  jamba: jambaModel,
  granitehybrid: graniteHybridModel,
  "falcon-h1": falconH1Model,
  lfm2: lfm2Model,
  rwkv6: rwkv6Model,
  rwkv7: rwkv7Model,
};
