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
  nextnHead,
  sharedExpert,
  TensorList,
} from "./tensor-list.ts";
import type { Geometry, SourceTensor } from "./tensor-list.ts";

/**
 * Tensor lists of the mixture-of-experts families (llama.cpp de3ff81 `src/models/<arch>.cpp`,
 * `load_arch_tensors`): qwen3moe, llama4, glm4moe, deepseek2 (MLA), gpt-oss.
 */

const nExpertOf = (a: Architecture): number => need(a.expert_count, "expert_count");
const nFfExpOf = (a: Architecture): number => need(a.expert_feed_forward_length, "expert_feed_forward_length");

/** qwen3moe: q/k norms, routed experts only. */
function qwen3moe(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv, { outIn: h.nHead * h.hv });
    t.blk(il, "attn_k_norm.weight", h.hk);
    t.blk(il, "attn_q_norm.weight", h.hk);
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    experts(t, il, g.nEmbd, nFfExpOf(a), nExpertOf(a));
  }
  return t.list;
}

/**
 * llama4: every `interleave_moe_layer_step`-th layer is MoE (routed + one shared expert as wide
 * as a routed one), the others a dense FFN of feed_forward_length (intermediate_size_mlp).
 */
function llama4(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  const step = need(a.interleave_moe_layer_step, "interleave_moe_layer_step");
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv, { outIn: h.nHead * h.hv });
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    if (step > 0 && (il + 1) % step === 0) {
      experts(t, il, g.nEmbd, nFfExpOf(a), nExpertOf(a));
      sharedExpert(t, il, g.nEmbd, nFfExpOf(a));
    } else gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
  }
  // llama3 rope scaling (Scout: factor 16 to a 10M context) makes the converter write rope_freqs;
  // Maverick (1M context) has rope_scaling null (the checkpoints' config.json text_config).
  if ((a.context_length ?? 0) > 1_048_576) t.add("rope_freqs.weight", heads(g, 0).hk / 2);
  return t.list;
}

/** Routed + shared experts with the expert-bias of sigmoid routing (glm4moe, deepseek2). */
function moeWithShared(t: TensorList, g: Geometry, il: number): void {
  const a = g.a;
  const nFfExp = nFfExpOf(a);
  experts(t, il, g.nEmbd, nFfExp, nExpertOf(a));
  t.blk(il, "exp_probs_b.bias", nExpertOf(a));
  const nShared = a.expert_shared_count ?? 0;
  if (nShared > 0) sharedExpert(t, il, g.nEmbd, nFfExp * nShared);
}

/**
 * glm4moe: q/k/v biases (attention_bias), q/k norms only where use_qk_norm (GLM-4.5/4.6 355B,
 * not GLM-4.5-Air), leading dense blocks, NextN layers as full MoE blocks plus the NextN head.
 */
function glm4moe(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  const lead = a.leading_dense_block_count ?? 0;
  const qkNorm = nExpertOf(a) >= 160;
  for (let il = 0; il < g.nLayerAll; il++) {
    const h = heads(g, il);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv, { bias: true, outIn: h.nHead * h.hv });
    if (qkNorm) {
      t.blk(il, "attn_q_norm.weight", h.hk);
      t.blk(il, "attn_k_norm.weight", h.hk);
    }
    t.blk(il, "post_attention_norm.weight", g.nEmbd);
    if (il >= lead) moeWithShared(t, g, il);
    else gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
    if (il >= g.nLayer) nextnHead(t, il, g.nEmbd);
  }
  return t.list;
}

/**
 * deepseek2 with MLA: low-rank Q (q_lora_rank), the compressed KV projection, the absorbed
 * attn_k_b / attn_v_b the converter splits from kv_b_proj, leading dense blocks, then routed +
 * shared experts with the noaux_tc expert bias.
 */
function deepseek2(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const mla = need(a.mla, "mla");
  const t = new TensorList();
  embedAndOutput(t, g);
  const nHead = at(a.n_head, 0, "n_head");
  const kvr = mla.kv_lora_rank;
  const nope = mla.key_length_mla - mla.rope_dim;
  const lead = a.leading_dense_block_count ?? 0;
  for (let il = 0; il < g.nLayerAll; il++) {
    t.blk(il, "attn_norm.weight", g.nEmbd);
    const qr = mla.q_lora_rank ?? 0;
    if (qr > 0) {
      t.blk(il, "attn_q_a_norm.weight", qr);
      t.blk(il, "attn_q_a.weight", g.nEmbd, qr);
      t.blk(il, "attn_q_b.weight", qr, nHead * mla.key_length_mla);
    } else t.blk(il, "attn_q.weight", g.nEmbd, nHead * mla.key_length_mla);
    t.blk(il, "attn_kv_a_norm.weight", kvr);
    t.blk(il, "attn_kv_a_mqa.weight", g.nEmbd, kvr + mla.rope_dim);
    t.blk(il, "attn_k_b.weight", nope, kvr, nHead);
    t.blk(il, "attn_v_b.weight", kvr, mla.value_length_mla, nHead);
    t.blk(il, "attn_output.weight", nHead * mla.value_length_mla, g.nEmbd);
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    if (il < lead) gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
    else moeWithShared(t, g, il);
    if (il >= g.nLayer) nextnHead(t, il, g.nEmbd);
  }
  return t.list;
}

/** gpt-oss: biased attention with sinks, biased router and experts. */
function gptOss(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g, false);
  const nExp = nExpertOf(a);
  const nFf = nFfExpOf(a);
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, il);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    t.blk(il, "post_attention_norm.weight", g.nEmbd);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hk, { bias: true, outBias: true });
    t.blk(il, "attn_sinks.weight", h.nHead);
    experts(t, il, g.nEmbd, nFf, nExp);
    t.blk(il, "ffn_gate_inp.bias", nExp);
    t.blk(il, "ffn_gate_exps.bias", nFf, nExp);
    t.blk(il, "ffn_down_exps.bias", g.nEmbd, nExp);
    t.blk(il, "ffn_up_exps.bias", nFf, nExp);
  }
  return t.list;
}

export const MOE_BUILDERS: Readonly<Record<string, (a: Architecture) => SourceTensor[]>> = {
  qwen3moe,
  llama4,
  glm4moe,
  deepseek2,
  "gpt-oss": gptOss,
};
