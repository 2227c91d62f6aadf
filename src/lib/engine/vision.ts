/**
 * Vision projectors (mmproj GGUFs) beside the model (pure, browser-safe): what llama.cpp's
 * multimodal library (tools/mtmd at de3ff81) allocates for one.
 *
 * - Weights: Σ ggml_nbytes of the projector's tensor table — exact; clip.cpp's `model size` line.
 *   On the GPU unless `--no-mmproj-offload`, then in host memory.
 * - Image tokens: KV cells each image takes in the LLM context. Gemma 3 (projector type `gemma3`)
 *   resizes every image to `clip.vision.image_size` and pools the patch grid by n_merge per side
 *   (`clip.vision.projector.scale_factor`, default 4): (image_size / patch_size / n_merge)² tokens,
 *   whatever the input size (256 for the published 896 px towers).
 * - Encoder compute buffer: clip.cpp reserves its graph once for the largest image (warmup at
 *   image_size for gemma3). Estimate, fitted to llama.cpp CPU measurements with flash attention
 *   (tests/fixtures/mmproj/gemma3-cpu.json): n_patches × 4 B × max(3·n_embd + n_ff, 7·n_embd) —
 *   the FFN peak (residual, normed input and up-projection in F32) or the attention peak (Q, K, V,
 *   their F16 copies, output, residual); within ±10 % on every fixture.
 * - LLaVA 1.5 (projector type `mlp` without `clip.vision.image_grid_pinpoints`): every image
 *   resized to image_size, one token per patch: (image_size / patch_size)² (576 at 336 px).
 *   Encoder compute (estimate, tests/fixtures/mmproj/llava-cpu.json, within ±1 %): n_pos × 4 B ×
 *   (max(n_ff + 4·n_embd, 2·n_out + n_embd) + 3·patch²) with n_pos = patches + the class token —
 *   the ViT's FFN peak or the two-layer MLP projector's (n_out: the LLM's width, mm.2), plus the
 *   image and its im2col copy. docs/memory-model.md#vision-projectors
 * - Qwen2-VL / Qwen2.5-VL / Qwen3-VL / Qwen3.5 (dynamic resolution): ./vision-dyn.ts.
 * Other projector types: weights exact, tokens and compute not modelled (said, not guessed).
 */
import type { GgufHeader } from "../gguf/header.ts";
import { dynComputeBytes, dynGeometry, dynImage } from "./vision-dyn.ts";
import type { ImageLimits, ImageSize } from "./vision-dyn.ts";

export type { ImageLimits, ImageSize } from "./vision-dyn.ts";

/** Image options: only the dynamic-resolution families use them (the others resize every image). */
export interface VisionOptions extends Partial<ImageLimits> {
  /** The largest image sent; null = the largest the projector accepts. */
  image?: ImageSize | null;
}

const DYN_TYPES = new Set(["qwen2vl_merger", "qwen2.5vl_merger", "qwen3vl_merger"]);

export interface VisionProjector {
  /** `clip.projector_type` (gemma3, qwen2.5vl, mlp …). */
  projectorType: string;
  /** Σ tensor bytes: exact. */
  weightsBytes: number;
  tensors: number;
  /** Tokens (KV cells) per image; null when the family is not modelled. */
  tokensPerImage: number | null;
  /** Encoder compute buffer estimate (bytes); null when not modelled. */
  computeBytes: number | null;
  /** How tokens and compute were obtained, or why not. */
  basis: string;
  imageSize: number | null;
  /** Dynamic-resolution families: the size the largest image is encoded at. */
  encodedImage?: ImageSize | null;
}

export interface VisionUse {
  images: number;
  /** --no-mmproj-offload: projector weights (and its compute) in host memory. */
  offload: boolean;
}

export interface VisionBreakdown extends VisionProjector {
  images: number;
  /** KV cells the images take: images × tokensPerImage. */
  imageCells: number | null;
  /** Where the projector lives: the first GPU, or host with --no-mmproj-offload. */
  device: "gpu" | "host";
}

const num = (h: GgufHeader, key: string): number | null => {
  const v = h.metadata[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
};

/** Read a projector's facts from its GGUF header. Throws on a GGUF that is not a projector. */
export function visionProjector(h: GgufHeader, o: VisionOptions = {}): VisionProjector {
  if (h.metadata["general.architecture"] !== "clip")
    throw new Error(
      `${h.source}: general.architecture is "${String(h.metadata["general.architecture"])}", not "clip": not a projector`,
    );
  const type = h.metadata["clip.projector_type"] ?? h.metadata["clip.vision.projector_type"];
  const projectorType = typeof type === "string" ? type : "unknown";
  const base = { projectorType, weightsBytes: h.tensorBytes, tensors: h.tensors.length };
  const imageSize = num(h, "clip.vision.image_size");
  const patch = num(h, "clip.vision.patch_size");
  const nEmbd = num(h, "clip.vision.embedding_length");
  const nFf = num(h, "clip.vision.feed_forward_length");
  if (projectorType === "gemma3" && imageSize && patch && nEmbd && nFf) {
    const merge = num(h, "clip.vision.projector.scale_factor") ?? 4;
    const side = Math.floor(imageSize / patch);
    const nPatches = side * side;
    return {
      ...base,
      imageSize,
      tokensPerImage: Math.floor(side / merge) ** 2,
      computeBytes: nPatches * 4 * Math.max(3 * nEmbd + nFf, 7 * nEmbd),
      basis: `gemma3: every image resized to ${imageSize} px, ${side}×${side} patches pooled ${merge}×${merge}; encoder compute estimated (±10 %, llama.cpp CPU measurements)`,
    };
  }
  const nOut = h.tensors.find((t) => t.name === "mm.2.bias")?.shape[0] ?? null;
  const pinpoints = h.metadata["clip.vision.image_grid_pinpoints"] !== undefined;
  if (projectorType === "mlp" && imageSize && patch && nEmbd && nFf && nOut && !pinpoints) {
    const side = Math.floor(imageSize / patch);
    const nPos = side * side + 1;
    return {
      ...base,
      imageSize,
      tokensPerImage: side * side,
      computeBytes: nPos * 4 * (Math.max(nFf + 4 * nEmbd, 2 * nOut + nEmbd) + 3 * patch * patch),
      basis: `mlp (LLaVA 1.5): every image resized to ${imageSize} px, one token per ${patch} px patch; encoder compute estimated (±10 %, llama.cpp CPU measurements)`,
    };
  }
  const dyn = DYN_TYPES.has(projectorType) ? dynGeometry(h) : null;
  if (dyn) return dynProjector(base, imageSize, dyn, o, projectorType);
  return {
    ...base,
    imageSize,
    tokensPerImage: null,
    computeBytes: null,
    basis: `projector type "${projectorType}": weights exact; image tokens and encoder compute not modelled yet`,
  };
}

function dynProjector(
  base: Pick<VisionProjector, "projectorType" | "weightsBytes" | "tensors">,
  imageSize: number | null,
  g: NonNullable<ReturnType<typeof dynGeometry>>,
  o: VisionOptions,
  type: string,
): VisionProjector {
  const img = dynImage(g, { minTokens: o.minTokens ?? null, maxTokens: o.maxTokens ?? null }, o.image ?? null);
  const measured = type !== "qwen2vl_merger";
  const which = o.image ? `a ${o.image.width}×${o.image.height} image` : "the largest image it accepts";
  return {
    ...base,
    imageSize,
    encodedImage: img.encoded,
    tokensPerImage: img.tokens,
    computeBytes: measured ? dynComputeBytes(g, img.patches) : null,
    basis:
      `${type}: dynamic resolution, ${which} is encoded at ${img.encoded.width}×${img.encoded.height} px → ${img.tokens} tokens` +
      (measured
        ? "; encoder compute estimated (±10 %, llama.cpp CPU measurements) for the larger of that image and the 46×46-token warmup"
        : "; encoder compute not modelled yet (Qwen2-VL not measured)"),
  };
}

/** The projector as used: images per request and where it lives. */
export function visionBreakdown(p: VisionProjector, use: VisionUse): VisionBreakdown {
  if (!Number.isInteger(use.images) || use.images < 0 || use.images > 1024)
    throw new Error(`images: ${use.images} is not an integer 0 … 1024`);
  return {
    ...p,
    images: use.images,
    imageCells: p.tokensPerImage === null ? null : p.tokensPerImage * use.images,
    device: use.offload ? "gpu" : "host",
  };
}
