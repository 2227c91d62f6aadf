/** Tiny attention-only models: Qwen3, Llama, Gemma 2 / 3 / 3n (SWA), gpt-oss (SWA + sinks + MoE). */
import { kv } from "../gguf-writer.ts";
import {
  tinyVocab,
  Tensors,
  perLayer,
  embedAndOutput,
  denseFfn,
  dims,
  moeMeta,
  baseMeta,
  headCounts,
  heads,
  rmsEps,
  swaPatternKv,
  attnProj,
  gqaAttn,
  type TinyModel,
  type TinyOptions,
  type Meta,
} from "./parts.ts";

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
