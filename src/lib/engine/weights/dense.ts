import type { Architecture } from "../../../schemas/architecture.ts";
import {
  at,
  attention,
  embedAndOutput,
  experts,
  geometry,
  gluFfn,
  heads,
  need,
  sharedExpert,
  TensorList,
} from "./tensor-list.ts";
import type { SourceTensor } from "./tensor-list.ts";

/**
 * Tensor lists of the dense transformer families (llama.cpp de3ff81 `src/models/<arch>.cpp`,
 * `load_arch_tensors`): llama (and Mixtral-style llama MoE), mistral3, granite, qwen2, qwen3,
 * gemma2, gemma3, olmo2, phi3, command-r.
 */

/**
 * Llama 3.1+ checkpoints (llama3 rope scaling, 128256-token vocabulary, 128K context) carry one
 * `rope_freqs.weight` of n_rot / 2 floats (convert_hf_to_gguf LlamaModel.generate_extra_tensors).
 */
function hasLlama3RopeFreqs(a: Architecture): boolean {
  return a.vocab_size === 128256 && (a.context_length ?? 0) >= 131072;
}

/** llama, mistral3, granite: attention + gated FFN, or routed experts (Mixtral) when expert_count > 0. */
function llamaLike(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  const nExpert = a.expert_count ?? 0;
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv, { outIn: h.nHead * h.hv });
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    if (nExpert > 0) {
      const nFf = at(a.expert_feed_forward_length ?? a.feed_forward_length, il, "expert_feed_forward_length");
      experts(t, il, g.nEmbd, nFf, nExpert);
      const sh = a.expert_shared_feed_forward_length ?? 0;
      if (sh > 0) sharedExpert(t, il, g.nEmbd, sh);
    } else gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
  }
  if (a.arch === "llama" && hasLlama3RopeFreqs(a)) t.add("rope_freqs.weight", heads(g, 0).hk / 2);
  return t.list;
}

/** qwen2 (q/k/v biases), qwen3 (q/k norms). */
function qwen(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv, {
      bias: a.arch === "qwen2",
      outIn: h.nHead * h.hv,
    });
    if (a.arch === "qwen3") {
      t.blk(il, "attn_k_norm.weight", h.hk);
      t.blk(il, "attn_q_norm.weight", h.hk);
    }
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
  }
  return t.list;
}

/** gemma2 (always tied), gemma3: post-attention and post-FFN norms; gemma3 adds q/k norms. */
function gemma(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g, a.arch === "gemma2" ? true : undefined);
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv, { outIn: h.nHead * h.hv });
    t.blk(il, "post_attention_norm.weight", g.nEmbd);
    if (a.arch === "gemma3") {
      t.blk(il, "attn_k_norm.weight", h.hk);
      t.blk(il, "attn_q_norm.weight", h.hk);
    }
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
    t.blk(il, "post_ffw_norm.weight", g.nEmbd);
  }
  return t.list;
}

/** olmo2: no pre-norms; full-width q/k norms, post-attention and post-FFN norms. */
function olmo2(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g, false);
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv);
    t.blk(il, "attn_q_norm.weight", h.nHead * h.hk);
    t.blk(il, "attn_k_norm.weight", h.nKv * h.hk);
    t.blk(il, "post_attention_norm.weight", g.nEmbd);
    gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
    t.blk(il, "post_ffw_norm.weight", g.nEmbd);
  }
  return t.list;
}

/**
 * phi3: fused attn_qkv and gate+up (`ffn_up` is 2 × n_ff wide) as the Phi-3/Phi-4 checkpoints
 * store them. Long-context (LongRoPE) checkpoints add rope_factors_long/short of n_rot / 2 floats;
 * Phi-4-mini rotates 3/4 of each head (partial_rotary_factor 0.75 in its config.json).
 */
function phi3(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    const q = h.nHead * h.hk;
    t.blk(il, "attn_norm.weight", g.nEmbd);
    t.blk(il, "attn_qkv.weight", g.nEmbd, q + 2 * h.nKv * h.hk);
    t.blk(il, "attn_output.weight", q, g.nEmbd);
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    const nFf = at(a.feed_forward_length, il, "feed_forward_length");
    t.blk(il, "ffn_down.weight", nFf, g.nEmbd);
    t.blk(il, "ffn_up.weight", g.nEmbd, 2 * nFf);
  }
  const nRot = phi3LongRopeDim(a);
  if (nRot !== null) {
    t.add("rope_factors_long.weight", nRot / 2);
    t.add("rope_factors_short.weight", nRot / 2);
  }
  return t.list;
}

/**
 * Rotary dims of a long-context (LongRoPE, 128K) phi3 checkpoint — Phi-4-mini rotates 3/4 of its
 * 128-wide heads — or null for the short-context ones (Phi-4 14B), which carry no rope factors.
 */
export function phi3LongRopeDim(a: Architecture): number | null {
  if (a.arch !== "phi3" || (a.context_length ?? 0) <= 16384) return null;
  const hk = a.key_length ?? need(a.n_embd, "n_embd") / at(a.n_head, 0, "n_head");
  return (hk * 3) / 4;
}

/** command-r: parallel block with one norm, always-tied output; q/k norms from 64 layers up. */
function commandR(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g, true);
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    if (g.nLayer >= 64) {
      t.blk(il, "attn_q_norm.weight", h.hk, h.nHead);
      t.blk(il, "attn_k_norm.weight", h.hk, h.nKv);
    }
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv);
    gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
  }
  return t.list;
}

/**
 * gemma3n: AltUp (4 streams), LAuReL (rank 64) and per-layer embeddings of 256 per layer
 * (llama_hparams defaults n_altup, laurel_rank, n_embd_altup), always tied output.
 */
function gemma3n(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const nAltup = 4;
  const laurel = 64;
  const eAlt = 256;
  const t = new TensorList();
  embedAndOutput(t, g);
  t.add("altup_proj.weight", g.nEmbd, g.nEmbd, nAltup - 1);
  t.add("altup_unembd_proj.weight", g.nEmbd, g.nEmbd, nAltup - 1);
  t.add("per_layer_token_embd.weight", eAlt * g.nLayer, g.nVocab);
  t.add("per_layer_model_proj.weight", g.nEmbd, eAlt * g.nLayer);
  t.add("per_layer_proj_norm.weight", eAlt);
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv, { outIn: h.nHead * h.hv });
    t.blk(il, "attn_q_norm.weight", h.hk);
    t.blk(il, "attn_k_norm.weight", h.hk);
    t.blk(il, "post_attention_norm.weight", g.nEmbd);
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
    t.blk(il, "post_ffw_norm.weight", g.nEmbd);
    t.blk(il, "inp_gate.weight", g.nEmbd, eAlt);
    t.blk(il, "proj.weight", eAlt, g.nEmbd);
    t.blk(il, "post_norm.weight", g.nEmbd);
    t.blk(il, "altup_correct_coef.weight", nAltup, nAltup);
    t.blk(il, "altup_correct_scale.weight", g.nEmbd);
    t.blk(il, "altup_predict_coef.weight", nAltup, nAltup * nAltup);
    t.blk(il, "altup_router.weight", g.nEmbd, nAltup);
    t.blk(il, "altup_router_norm.weight", g.nEmbd);
    t.blk(il, "laurel_l.weight", g.nEmbd, laurel);
    t.blk(il, "laurel_r.weight", laurel, g.nEmbd);
    t.blk(il, "laurel_post_norm.weight", g.nEmbd);
  }
  return t.list;
}

export const DENSE_BUILDERS: Readonly<Record<string, (a: Architecture) => SourceTensor[]>> = {
  llama: llamaLike,
  mistral3: llamaLike,
  granite: llamaLike,
  qwen2: qwen,
  qwen3: qwen,
  gemma2: gemma,
  gemma3: gemma,
  olmo2,
  phi3,
  "command-r": commandR,
  gemma3n,
};
