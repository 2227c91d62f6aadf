/** Tiny hybrid models (attention + recurrent layers): Qwen3.5, Jamba, Granite 4 hybrid, Falcon-H1, LFM2. */
import { kv } from "../gguf-writer.ts";
import {
  tinyVocab,
  Tensors,
  perLayer,
  embedAndOutput,
  denseFfn,
  gluFfn,
  dims,
  mamba1Mixer,
  mamba2Mixer,
  ssmMeta,
  baseMeta,
  headCounts,
  heads,
  rmsEps,
  attnProj,
  type TinyModel,
  type TinyOptions,
  type Meta,
  type Ssm,
} from "./parts.ts";

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
