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
 * Tensor lists of the recurrent hybrids (llama.cpp de3ff81 `src/models/<arch>.cpp`,
 * `load_arch_tensors`): qwen35 / qwen35moe / qwen3next (gated delta net), granitehybrid,
 * nemotron_h / nemotron_h_moe, falcon-h1 (Mamba-2) and jamba (Mamba-1).
 */

const rec = (a: Architecture) => need(a.recurrent, "recurrent");

/** Qwen3-Next / Qwen3.5 recurrent layers: all but every full_attention_interval-th trunk layer. */
function gdnRecurrent(g: Geometry, il: number): boolean {
  if (il >= g.nLayer) return false;
  if (g.a.recurrent_layers) return g.a.recurrent_layers[il] ?? false;
  const n = g.a.full_attention_interval ?? 4;
  return (il + 1) % n !== 0;
}

/** Full-attention layer of Qwen3-Next / Qwen3.5: Q carries the output gate (2 × width). */
function gatedAttention(t: TensorList, g: Geometry, il: number): void {
  const h = heads(g, il);
  attention(t, il, g.nEmbd, 2 * h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv, { outIn: h.nHead * h.hk });
  t.blk(il, "attn_q_norm.weight", h.hk);
  t.blk(il, "attn_k_norm.weight", h.hk);
}

/** Gated delta net mixer; Qwen3-Next stores fused qkvz / ba projections, Qwen3.5 separate ones. */
function gdnMixer(t: TensorList, g: Geometry, il: number): void {
  const r = rec(g.a);
  const dState = need(r.d_state, "recurrent.d_state");
  const nK = need(r.n_group, "recurrent.n_group");
  const nV = need(r.time_step_rank, "recurrent.time_step_rank");
  const keyDim = dState * nK;
  const valueDim = dState * nV;
  if (g.a.arch === "qwen3next") {
    t.blk(il, "ssm_in.weight", g.nEmbd, 2 * keyDim + 2 * valueDim);
    t.blk(il, "ssm_ba.weight", g.nEmbd, 2 * nV);
  } else {
    t.blk(il, "attn_qkv.weight", g.nEmbd, 2 * keyDim + valueDim);
    t.blk(il, "attn_gate.weight", g.nEmbd, valueDim);
    t.blk(il, "ssm_beta.weight", g.nEmbd, nV);
    t.blk(il, "ssm_alpha.weight", g.nEmbd, nV);
  }
  t.blk(il, "ssm_conv1d.weight", need(r.d_conv, "recurrent.d_conv"), 2 * keyDim + valueDim);
  t.blk(il, "ssm_dt.bias", nV);
  t.blk(il, "ssm_a", nV);
  t.blk(il, "ssm_norm.weight", dState);
  t.blk(il, "ssm_out.weight", valueDim, g.nEmbd);
}

/** qwen35 (dense FFN), qwen35moe and qwen3next (routed + gated shared expert); MTP layers last. */
function qwenGdn(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  const moe = a.arch !== "qwen35";
  for (let il = 0; il < g.nLayerAll; il++) {
    t.blk(il, "attn_norm.weight", g.nEmbd);
    t.blk(il, "post_attention_norm.weight", g.nEmbd);
    if (gdnRecurrent(g, il)) gdnMixer(t, g, il);
    else gatedAttention(t, g, il);
    if (moe) {
      experts(
        t,
        il,
        g.nEmbd,
        need(a.expert_feed_forward_length, "expert_feed_forward_length"),
        need(a.expert_count, "expert_count"),
      );
      t.blk(il, "ffn_gate_inp_shexp.weight", g.nEmbd);
      const sh = a.expert_shared_feed_forward_length ?? at(a.feed_forward_length, il, "feed_forward_length");
      sharedExpert(t, il, g.nEmbd, sh);
    } else gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
    if (il >= g.nLayer) nextnHead(t, il, g.nEmbd);
  }
  return t.list;
}

/** Mamba-2 mixer (granitehybrid, nemotron_h, falcon-h1): in_proj, conv (+bias), dt bias, A, D, norm, out. */
function mamba2Mixer(t: TensorList, g: Geometry, il: number, norm = true): void {
  const r = rec(g.a);
  const dInner = need(r.d_inner, "recurrent.d_inner");
  const dState = need(r.d_state, "recurrent.d_state");
  const ng = need(r.n_group, "recurrent.n_group");
  const nh = need(r.time_step_rank, "recurrent.time_step_rank");
  const conv = dInner + 2 * ng * dState;
  t.blk(il, "ssm_in.weight", g.nEmbd, dInner + conv + nh);
  t.blk(il, "ssm_conv1d.weight", need(r.d_conv, "recurrent.d_conv"), conv);
  t.blk(il, "ssm_conv1d.bias", conv);
  t.blk(il, "ssm_dt.bias", nh);
  t.blk(il, "ssm_a", 1, nh);
  t.blk(il, "ssm_d", 1, nh);
  if (norm) t.blk(il, "ssm_norm.weight", dInner / ng, ng);
  t.blk(il, "ssm_out.weight", dInner, g.nEmbd);
}

/** Layers with head_count_kv 0 are recurrent (granitehybrid, jamba). */
const kvLess = (g: Geometry, il: number): boolean => at(g.a.n_head_kv, il, "n_head_kv") === 0;

/** granitehybrid: Mamba-2 or attention mixer, then a dense or MoE (+ shared expert) FFN. */
function graniteHybrid(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  const nExpert = a.expert_count ?? 0;
  for (let il = 0; il < g.nLayer; il++) {
    t.blk(il, "attn_norm.weight", g.nEmbd);
    if (kvLess(g, il)) mamba2Mixer(t, g, il);
    else {
      const h = heads(g, il);
      attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv);
    }
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    if (nExpert > 0) {
      experts(t, il, g.nEmbd, need(a.expert_feed_forward_length, "expert_feed_forward_length"), nExpert);
      const sh = a.expert_shared_feed_forward_length ?? 0;
      if (sh > 0) sharedExpert(t, il, g.nEmbd, sh);
    } else gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, il, "feed_forward_length"));
  }
  return t.list;
}

/**
 * nemotron_h / nemotron_h_moe: each block is one of Mamba-2 (no KV heads, no FFN), attention
 * (KV heads, no FFN) or a squared-ReLU MLP (no gate); MoE MLPs have routed + shared experts.
 */
function nemotronH(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  const nExpert = a.expert_count ?? 0;
  for (let il = 0; il < g.nLayer; il++) {
    t.blk(il, "attn_norm.weight", g.nEmbd);
    const nFf = at(a.feed_forward_length, il, "feed_forward_length");
    const h = heads(g, il);
    if (nFf === 0 && h.nKv === 0) mamba2Mixer(t, g, il);
    else if (nFf === 0) attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv);
    else if (nExpert > 0) {
      experts(t, il, g.nEmbd, need(a.expert_feed_forward_length, "expert_feed_forward_length"), nExpert, false);
      t.blk(il, "exp_probs_b.bias", nExpert);
      sharedExpert(
        t,
        il,
        g.nEmbd,
        need(a.expert_shared_feed_forward_length, "expert_shared_feed_forward_length"),
        false,
      );
    } else {
      t.blk(il, "ffn_down.weight", nFf, g.nEmbd);
      t.blk(il, "ffn_up.weight", g.nEmbd, nFf);
    }
  }
  return t.list;
}

/**
 * falcon-h1: attention and Mamba-2 in parallel on every layer, then a gated FFN. The SSM norm is
 * left out: the Falcon-H1 checkpoints set mamba_rms_norm false. Its pre-FFN norm has no
 * `.weight` suffix in this loader.
 */
function falconH1(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const t = new TensorList();
  embedAndOutput(t, g);
  for (let il = 0; il < g.nLayer; il++) {
    const h = heads(g, 0);
    mamba2Mixer(t, g, il, false);
    attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv);
    t.blk(il, "attn_norm.weight", g.nEmbd);
    t.blk(il, "ffn_norm", g.nEmbd);
    gluFfn(t, il, g.nEmbd, at(a.feed_forward_length, 0, "feed_forward_length"));
  }
  return t.list;
}

/**
 * jamba: Mamba-1 mixers where head_count_kv is 0, attention elsewhere; MoE FFN on odd layers
 * (expert_layer_period 2, expert_layer_offset 1 in AI21's Jamba configs), dense FFN otherwise.
 */
function jamba(a: Architecture): SourceTensor[] {
  const g = geometry(a);
  const r = rec(a);
  const dInner = need(r.d_inner, "recurrent.d_inner");
  const dState = need(r.d_state, "recurrent.d_state");
  const dtRank = need(r.time_step_rank, "recurrent.time_step_rank");
  const t = new TensorList();
  embedAndOutput(t, g);
  const nFf = at(a.feed_forward_length, 0, "feed_forward_length");
  for (let il = 0; il < g.nLayer; il++) {
    t.blk(il, "attn_norm.weight", g.nEmbd);
    if (kvLess(g, il)) {
      t.blk(il, "ssm_in.weight", g.nEmbd, 2 * dInner);
      t.blk(il, "ssm_conv1d.weight", need(r.d_conv, "recurrent.d_conv"), dInner);
      t.blk(il, "ssm_conv1d.bias", dInner);
      t.blk(il, "ssm_x.weight", dInner, dtRank + 2 * dState);
      t.blk(il, "ssm_dt_norm.weight", dtRank);
      t.blk(il, "ssm_dt.weight", dtRank, dInner);
      t.blk(il, "ssm_dt.bias", dInner);
      t.blk(il, "ssm_b_norm.weight", dState);
      t.blk(il, "ssm_c_norm.weight", dState);
      t.blk(il, "ssm_a", dState, dInner);
      t.blk(il, "ssm_d", dInner);
      t.blk(il, "ssm_out.weight", dInner, g.nEmbd);
    } else {
      const h = heads(g, il);
      attention(t, il, g.nEmbd, h.nHead * h.hk, h.nKv * h.hk, h.nKv * h.hv);
    }
    t.blk(il, "ffn_norm.weight", g.nEmbd);
    if (il % 2 === 1) experts(t, il, g.nEmbd, nFf, need(a.expert_count, "expert_count"));
    else gluFfn(t, il, g.nEmbd, nFf);
  }
  return t.list;
}

export const HYBRID_BUILDERS: Readonly<Record<string, (a: Architecture) => SourceTensor[]>> = {
  qwen35: qwenGdn,
  qwen35moe: qwenGdn,
  qwen3next: qwenGdn,
  granitehybrid: graniteHybrid,
  nemotron_h: nemotronH,
  nemotron_h_moe: nemotronH,
  "falcon-h1": falconH1,
  jamba,
};
