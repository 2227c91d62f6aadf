/**
 * Zero-weight vision projector (mmproj) GGUFs of real geometry, in the layout llama.cpp's
 * multimodal library loads (tools/mtmd/clip.cpp at de3ff81: `clip_model_loader::load_hparams`
 * keys `clip.vision.*`, `load_tensors` names `v.blk.N.*`, `v.patch_embd`, `v.position_embd`,
 * `v.post_ln`, and per projector type its `mm.*` tensors). Written as sparse files by
 * gguf-writer.ts, so a 400 M-parameter tower costs no disk.
 */
import { kv } from "./gguf-writer.ts";
import type { GgufFileSpec, GgufTensorSpec } from "./gguf-writer.ts";

export interface SiglipGeometry {
  /** Vision width (SigLIP so400m: 1152), FFN width (4304), layers (27), heads (16). */
  nEmbd: number;
  nFf: number;
  nLayer: number;
  nHead: number;
  imageSize: number;
  patchSize: number;
  /** The LLM's n_embd (mm.input_projection ne0). */
  textEmbd: number;
  /** Weight type of the matrices (F16 as published mmproj files). */
  type?: string;
}

/** Gemma 3's projector (PROJECTOR_TYPE_GEMMA3): SigLIP tower, 4×4 average pool, soft-emb norm, projection. */
export function gemma3Mmproj(g: SiglipGeometry): GgufFileSpec {
  const w = g.type ?? "f16";
  const t: GgufTensorSpec[] = [];
  const nPatch = (g.imageSize / g.patchSize) ** 2;
  // the converter keeps the embeddings in F32 (the CPU add of the position table needs it)
  t.push({ name: "v.patch_embd.weight", shape: [g.patchSize, g.patchSize, 3, g.nEmbd], type: "f32" });
  t.push({ name: "v.patch_embd.bias", shape: [g.nEmbd], type: "f32" });
  t.push({ name: "v.position_embd.weight", shape: [g.nEmbd, nPatch], type: "f32" });
  for (let il = 0; il < g.nLayer; il++) {
    const b = `v.blk.${il}`;
    for (const p of ["attn_q", "attn_k", "attn_v", "attn_out"]) {
      t.push({ name: `${b}.${p}.weight`, shape: [g.nEmbd, g.nEmbd], type: w });
      t.push({ name: `${b}.${p}.bias`, shape: [g.nEmbd], type: "f32" });
    }
    for (const p of ["ln1", "ln2"]) {
      t.push({ name: `${b}.${p}.weight`, shape: [g.nEmbd], type: "f32" });
      t.push({ name: `${b}.${p}.bias`, shape: [g.nEmbd], type: "f32" });
    }
    t.push({ name: `${b}.ffn_up.weight`, shape: [g.nEmbd, g.nFf], type: w });
    t.push({ name: `${b}.ffn_up.bias`, shape: [g.nFf], type: "f32" });
    t.push({ name: `${b}.ffn_down.weight`, shape: [g.nFf, g.nEmbd], type: w });
    t.push({ name: `${b}.ffn_down.bias`, shape: [g.nEmbd], type: "f32" });
  }
  t.push({ name: "v.post_ln.weight", shape: [g.nEmbd], type: "f32" });
  t.push({ name: "v.post_ln.bias", shape: [g.nEmbd], type: "f32" });
  t.push({ name: "mm.input_projection.weight", shape: [g.textEmbd, g.nEmbd], type: w });
  t.push({ name: "mm.soft_emb_norm.weight", shape: [g.nEmbd], type: "f32" });
  return {
    metadata: clipMetadata(g, "gemma3", { alignment: 32, eps: 1e-6, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }),
    tensors: t,
  };
}

/** The clip.* keys every projector writes; only the type, epsilon and normalisation differ by family. */
function clipMetadata(
  g: SiglipGeometry,
  projectorType: string,
  o: { alignment?: number; eps: number; mean: number[]; std: number[] },
) {
  return {
    "general.architecture": kv.str("clip"),
    ...(o.alignment === undefined ? {} : { "general.alignment": kv.u32(o.alignment) }),
    "clip.projector_type": kv.str(projectorType),
    "clip.has_vision_encoder": kv.bool(true),
    "clip.use_gelu": kv.bool(true),
    "clip.vision.image_size": kv.u32(g.imageSize),
    "clip.vision.patch_size": kv.u32(g.patchSize),
    "clip.vision.embedding_length": kv.u32(g.nEmbd),
    "clip.vision.feed_forward_length": kv.u32(g.nFf),
    "clip.vision.block_count": kv.u32(g.nLayer),
    "clip.vision.projection_dim": kv.u32(g.textEmbd),
    "clip.vision.attention.head_count": kv.u32(g.nHead),
    "clip.vision.attention.layer_norm_epsilon": kv.f32(o.eps),
    "clip.vision.image_mean": kv.arr.f32(o.mean),
    "clip.vision.image_std": kv.arr.f32(o.std),
  };
}

/** SigLIP so400m at 896 px as in Gemma 3 4B/12B/27B (vision_config of their config.json). */
export const GEMMA3_SIGLIP = { nEmbd: 1152, nFf: 4304, nLayer: 27, nHead: 16, imageSize: 896, patchSize: 14 };

/** CLIP tower layers shared by the ViT projectors (biases and norms in F32, matrices `w`). */
function vitLayers(t: GgufTensorSpec[], g: SiglipGeometry, w: string): void {
  for (let il = 0; il < g.nLayer; il++) {
    const b = `v.blk.${il}`;
    for (const p of ["attn_q", "attn_k", "attn_v", "attn_out"]) {
      t.push({ name: `${b}.${p}.weight`, shape: [g.nEmbd, g.nEmbd], type: w });
      t.push({ name: `${b}.${p}.bias`, shape: [g.nEmbd], type: "f32" });
    }
    for (const p of ["ln1", "ln2"]) {
      t.push({ name: `${b}.${p}.weight`, shape: [g.nEmbd], type: "f32" });
      t.push({ name: `${b}.${p}.bias`, shape: [g.nEmbd], type: "f32" });
    }
    t.push({ name: `${b}.ffn_up.weight`, shape: [g.nEmbd, g.nFf], type: w });
    t.push({ name: `${b}.ffn_up.bias`, shape: [g.nFf], type: "f32" });
    t.push({ name: `${b}.ffn_down.weight`, shape: [g.nFf, g.nEmbd], type: w });
    t.push({ name: `${b}.ffn_down.bias`, shape: [g.nEmbd], type: "f32" });
  }
}

/**
 * LLaVA 1.5's projector (PROJECTOR_TYPE_MLP): CLIP ViT with a class token and pre-norm, then a
 * two-layer MLP (mm.0, GELU, mm.2) into the LLM's width; one token per patch.
 */
export function llavaMmproj(g: SiglipGeometry): GgufFileSpec {
  const w = g.type ?? "f16";
  const t: GgufTensorSpec[] = [];
  const nPos = (g.imageSize / g.patchSize) ** 2 + 1;
  t.push({ name: "v.class_embd", shape: [g.nEmbd], type: "f32" });
  t.push({ name: "v.patch_embd.weight", shape: [g.patchSize, g.patchSize, 3, g.nEmbd], type: "f32" });
  t.push({ name: "v.position_embd.weight", shape: [g.nEmbd, nPos], type: "f32" });
  t.push({ name: "v.pre_ln.weight", shape: [g.nEmbd], type: "f32" });
  t.push({ name: "v.pre_ln.bias", shape: [g.nEmbd], type: "f32" });
  vitLayers(t, g, w);
  t.push({ name: "mm.0.weight", shape: [g.nEmbd, g.textEmbd], type: w });
  t.push({ name: "mm.0.bias", shape: [g.textEmbd], type: "f32" });
  t.push({ name: "mm.2.weight", shape: [g.textEmbd, g.textEmbd], type: w });
  t.push({ name: "mm.2.bias", shape: [g.textEmbd], type: "f32" });
  return {
    metadata: clipMetadata(g, "mlp", {
      eps: 1e-5,
      mean: [0.48145466, 0.4578275, 0.40821073],
      std: [0.26862954, 0.26130258, 0.27577711],
    }),
    tensors: t,
  };
}

/** CLIP ViT-L/14 at 336 px as in LLaVA 1.5 (openai/clip-vit-large-patch14-336). */
export const LLAVA15_CLIP = { nEmbd: 1024, nFf: 4096, nLayer: 24, nHead: 16, imageSize: 336, patchSize: 14 };

/** Qwen-VL towers: the image size is dynamic, so `imageSize` is only the nominal clip.vision.image_size. */
export interface QwenVlGeometry extends SiglipGeometry {
  /** Qwen2.5-VL: full attention every n_wa_pattern-th layer, windowed in between. */
  nWaPattern?: number;
  /** Qwen3-VL: layers whose output feeds a deepstack merger. */
  deepstack?: number[];
  /** Qwen3-VL: learned position table entries (48² = 2304 in the published towers). */
  nPosEmbd?: number;
}

/** Both Qwen-VL towers split the temporal 2-frame patch conv into two kernels; the merger is mm.0 / GELU / mm.2 over 2×2 patches. */
function qwenMerger(t: GgufTensorSpec[], g: QwenVlGeometry, w: string): void {
  t.push({ name: "mm.0.weight", shape: [4 * g.nEmbd, 4 * g.nEmbd], type: w });
  t.push({ name: "mm.0.bias", shape: [4 * g.nEmbd], type: "f32" });
  t.push({ name: "mm.2.weight", shape: [4 * g.nEmbd, g.textEmbd], type: w });
  t.push({ name: "mm.2.bias", shape: [g.textEmbd], type: "f32" });
}

function qwenPatchConv(t: GgufTensorSpec[], g: QwenVlGeometry): void {
  for (const n of ["v.patch_embd.weight", "v.patch_embd.weight.1"])
    t.push({ name: n, shape: [g.patchSize, g.patchSize, 3, g.nEmbd], type: "f16" });
}

/**
 * Qwen2.5-VL's projector (PROJECTOR_TYPE_QWEN25VL, `qwen2.5vl_merger`): RMS-normed ViT with split
 * Q/K/V, SwiGLU FFN with biases, window attention between the full-attention layers, 2×2 merger.
 */
export function qwen25vlMmproj(g: QwenVlGeometry): GgufFileSpec {
  const w = g.type ?? "f16";
  const t: GgufTensorSpec[] = [];
  qwenPatchConv(t, g);
  for (let il = 0; il < g.nLayer; il++) {
    const b = `v.blk.${il}`;
    for (const p of ["attn_q", "attn_k", "attn_v", "attn_out"]) {
      t.push({ name: `${b}.${p}.weight`, shape: [g.nEmbd, g.nEmbd], type: w });
      t.push({ name: `${b}.${p}.bias`, shape: [g.nEmbd], type: "f32" });
    }
    for (const p of ["ln1", "ln2"]) t.push({ name: `${b}.${p}.weight`, shape: [g.nEmbd], type: "f32" });
    for (const p of ["ffn_gate", "ffn_up"]) {
      t.push({ name: `${b}.${p}.weight`, shape: [g.nEmbd, g.nFf], type: w });
      t.push({ name: `${b}.${p}.bias`, shape: [g.nFf], type: "f32" });
    }
    t.push({ name: `${b}.ffn_down.weight`, shape: [g.nFf, g.nEmbd], type: w });
    t.push({ name: `${b}.ffn_down.bias`, shape: [g.nEmbd], type: "f32" });
  }
  t.push({ name: "v.post_ln.weight", shape: [g.nEmbd], type: "f32" });
  qwenMerger(t, g, w);
  const meta = clipMetadata(g, "qwen2.5vl_merger", {
    eps: 1e-6,
    mean: [0.48145466, 0.4578275, 0.40821073],
    std: [0.26862954, 0.26130258, 0.27577711],
  });
  delete (meta as Record<string, unknown>)["clip.use_gelu"];
  return {
    metadata: {
      ...meta,
      "clip.use_silu": kv.bool(true),
      "clip.vision.n_wa_pattern": kv.u32(g.nWaPattern ?? 8),
    },
    tensors: t,
  };
}

/**
 * Qwen3-VL's projector (PROJECTOR_TYPE_QWEN3VL, `qwen3vl_merger`): LayerNorm ViT with fused QKV,
 * GELU FFN, a learned position table interpolated to the image, deepstack mergers on some layers.
 */
export function qwen3vlMmproj(g: QwenVlGeometry): GgufFileSpec {
  const w = g.type ?? "f16";
  const t: GgufTensorSpec[] = [];
  qwenPatchConv(t, g);
  t.push({ name: "v.patch_embd.bias", shape: [g.nEmbd], type: "f32" });
  t.push({ name: "v.position_embd.weight", shape: [g.nEmbd, g.nPosEmbd ?? 2304], type: "f32" });
  const deep = new Set(g.deepstack ?? []);
  for (let il = 0; il < g.nLayer; il++) {
    const b = `v.blk.${il}`;
    t.push({ name: `${b}.attn_qkv.weight`, shape: [g.nEmbd, 3 * g.nEmbd], type: w });
    t.push({ name: `${b}.attn_qkv.bias`, shape: [3 * g.nEmbd], type: "f32" });
    t.push({ name: `${b}.attn_out.weight`, shape: [g.nEmbd, g.nEmbd], type: w });
    t.push({ name: `${b}.attn_out.bias`, shape: [g.nEmbd], type: "f32" });
    for (const p of ["ln1", "ln2"]) {
      t.push({ name: `${b}.${p}.weight`, shape: [g.nEmbd], type: "f32" });
      t.push({ name: `${b}.${p}.bias`, shape: [g.nEmbd], type: "f32" });
    }
    t.push({ name: `${b}.ffn_up.weight`, shape: [g.nEmbd, g.nFf], type: w });
    t.push({ name: `${b}.ffn_up.bias`, shape: [g.nFf], type: "f32" });
    t.push({ name: `${b}.ffn_down.weight`, shape: [g.nFf, g.nEmbd], type: w });
    t.push({ name: `${b}.ffn_down.bias`, shape: [g.nEmbd], type: "f32" });
    if (!deep.has(il)) continue;
    const d = `v.deepstack.${il}`;
    t.push({ name: `${d}.norm.weight`, shape: [4 * g.nEmbd], type: "f32" });
    t.push({ name: `${d}.norm.bias`, shape: [4 * g.nEmbd], type: "f32" });
    t.push({ name: `${d}.fc1.weight`, shape: [4 * g.nEmbd, 4 * g.nEmbd], type: w });
    t.push({ name: `${d}.fc1.bias`, shape: [4 * g.nEmbd], type: "f32" });
    t.push({ name: `${d}.fc2.weight`, shape: [4 * g.nEmbd, g.textEmbd], type: w });
    t.push({ name: `${d}.fc2.bias`, shape: [g.textEmbd], type: "f32" });
  }
  t.push({ name: "v.post_ln.weight", shape: [g.nEmbd], type: "f32" });
  t.push({ name: "v.post_ln.bias", shape: [g.nEmbd], type: "f32" });
  qwenMerger(t, g, w);
  return {
    metadata: {
      ...clipMetadata(g, "qwen3vl_merger", { eps: 1e-6, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }),
      "clip.vision.spatial_merge_size": kv.u32(2),
    },
    tensors: t,
  };
}

/** Qwen2.5-VL-7B's tower (vision_config: depth 32, hidden 1280, intermediate 3420, 16 heads, patch 14, full attention every 8th layer). */
export const QWEN25VL_7B = {
  nEmbd: 1280,
  nFf: 3420,
  nLayer: 32,
  nHead: 16,
  imageSize: 560,
  patchSize: 14,
  nWaPattern: 8,
};
/** Qwen3-VL-8B's tower (vision_config: depth 27, hidden 1152, intermediate 4304, 16 heads, patch 16, deepstack 8/16/24). */
export const QWEN3VL_8B = {
  nEmbd: 1152,
  nFf: 4304,
  nLayer: 27,
  nHead: 16,
  imageSize: 768,
  patchSize: 16,
  deepstack: [8, 16, 24],
};
