/** Tiny pure-recurrent models: Mamba-1, Mamba-2, RWKV-6, RWKV-7. */
import { kv } from "../gguf-writer.ts";
import {
  tinyVocab,
  Tensors,
  embedAndOutput,
  mamba1Mixer,
  mamba2Mixer,
  ssmMeta,
  rwkvEmbedAndOutput,
  rwkvNorms,
  rwkvTimeMixOut,
  rwkvMeta,
  baseMeta,
  rmsEps,
  type TinyModel,
  type TinyOptions,
  type Ssm,
} from "./parts.ts";

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
