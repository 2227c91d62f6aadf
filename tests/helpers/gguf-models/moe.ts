/** Tiny MoE models with DeepSeek-style experts: DeepSeek-V2/V3 (MLA) and GLM-4 MoE (NextN). */
import { kv } from "../gguf-writer.ts";
import {
  tinyVocab,
  Tensors,
  embedAndOutput,
  gluFfn,
  sharedExpert,
  dims,
  moeMeta,
  baseMeta,
  heads,
  rmsEps,
  gqaAttn,
  type TinyModel,
  type TinyOptions,
  type Meta,
} from "./parts.ts";

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
