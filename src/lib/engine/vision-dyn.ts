/**
 * Dynamic-resolution vision projectors (Qwen2-VL, Qwen2.5-VL, Qwen3-VL and the Qwen3.5 tower that
 * reuses Qwen3-VL's): image tokens depend on the image's size, and so does the encoder's compute
 * buffer. Pure and browser-safe. docs/memory-model.md#vision-dynamic-resolution
 *
 * Tokens (exact; tools/mtmd at de3ff81): `mtmd_image_preprocessor_dyn_size` resizes the image with
 * `img_tool::calc_size_preserved_ratio` ("smart resize") to multiples of patch × merge, between
 * `image_min_pixels` and `image_max_pixels`; clip.cpp `set_limit_image_tokens(8, 4096)` sets them
 * from 8 … 4096 merged tokens unless `--image-min-tokens` / `--image-max-tokens` override; each
 * 2×2 block of patches is one token (`clip_n_output_tokens`). The float32 arithmetic is ported
 * with Math.fround so rounding matches the C++.
 *
 * Encoder compute (estimate): clip.cpp reserves its graph for a warmup image of 46×46 merged tokens
 * (`set_warmup_n_tokens(46*46)`), and ggml's allocator grows the buffer when a larger image is
 * encoded, so the buffer is the larger of the two. Formulas fitted on llama-mtmd-cli CPU
 * measurements of zero-weight towers (tests/fixtures/mmproj/qwen-vl-cpu.json), all within ±10 %:
 * - Qwen2.5-VL (window attention, `clip.vision.n_wa_pattern` > 0): the n_pos × n_pos window mask
 *   in F32 plus its F16 copies makes it quadratic: max(6·P² + w·P, 3·P² + 2.735·w·P) bytes with
 *   w = 4·(n_ff + 1.8·n_embd) and P the patch count;
 * - Qwen3-VL / Qwen3.5 (full attention, flash attention on): linear, 4·P·(n_ff + 3·n_embd), plus
 *   4·P·(3·n_embd + n_out / 8) when deepstack mergers are present.
 */
import type { GgufHeader } from "../gguf/header.ts";

/** Default merged-token limits of the Qwen-VL families in clip.cpp (`set_limit_image_tokens(8, 4096)`). */
export const QWEN_VL_TOKENS = { min: 8, max: 4096 } as const;
/** Warmup image: 46 × 46 merged tokens (`set_warmup_n_tokens(46*46)`). */
const WARMUP_SIDE_TOKENS = 46;

export interface ImageLimits {
  /** --image-min-tokens / --image-max-tokens; null = the projector's defaults. */
  minTokens: number | null;
  maxTokens: number | null;
}

export interface ImageSize {
  width: number;
  height: number;
}

const f = Math.fround;

/** `img_tool::calc_size_preserved_ratio` without `longest_edge` (the dyn-size preprocessor passes 0). */
export function smartResize(img: ImageSize, align: number, minPixels: number, maxPixels: number): ImageSize {
  const { width, height } = img;
  if (width <= 0 || height <= 0) return { width: 0, height: 0 };
  const fa = f(align);
  const roundBy = (x: number) => Math.round(f(f(x) / fa)) * align;
  const ceilBy = (x: number) => Math.ceil(f(f(x) / fa)) * align;
  const floorBy = (x: number) => Math.floor(f(f(x) / fa)) * align;
  let w = Math.max(align, roundBy(width));
  let h = Math.max(align, roundBy(height));
  if (maxPixels > 0 && h * w > maxPixels) {
    const beta = f(Math.sqrt(f(f(f(height) * width) / maxPixels)));
    h = Math.max(align, floorBy(f(height / beta)));
    w = Math.max(align, floorBy(f(width / beta)));
  } else if (minPixels > 0 && h * w < minPixels) {
    const beta = f(Math.sqrt(f(f(minPixels) / f(f(height) * width))));
    h = ceilBy(f(height * beta));
    w = ceilBy(f(width * beta));
  }
  return { width: w, height: h };
}

export interface DynGeometry {
  patch: number;
  merge: number;
  nEmbd: number;
  nFf: number;
  /** Width of the merger output (mm.2): the LLM's n_embd. */
  nOut: number;
  windowAttention: boolean;
  deepstack: boolean;
}

/** Read the geometry from a qwen2vl/qwen2.5vl/qwen3vl projector header; null when a key is missing. */
export function dynGeometry(h: GgufHeader): DynGeometry | null {
  const n = (k: string) => {
    const v = h.metadata[k];
    return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
  };
  const patch = n("clip.vision.patch_size");
  const nEmbd = n("clip.vision.embedding_length");
  const nFf = n("clip.vision.feed_forward_length");
  const nOut = h.tensors.find((t) => t.name === "mm.2.bias")?.shape[0] ?? null;
  if (!patch || !nEmbd || !nFf || !nOut) return null;
  return {
    patch,
    merge: n("clip.vision.spatial_merge_size") ?? 2,
    nEmbd,
    nFf,
    nOut,
    windowAttention: (n("clip.vision.n_wa_pattern") ?? 0) > 0,
    deepstack: h.tensors.some((t) => t.name.startsWith("v.deepstack.")),
  };
}

export interface DynImage {
  /** The size the image is resized to before encoding. */
  encoded: ImageSize;
  tokens: number;
  /** Patches of the encoded image (the encoder's sequence length). */
  patches: number;
}

/** Tokens of one image; without a size, the largest image the limits accept (max tokens, square). */
export function dynImage(g: DynGeometry, limits: ImageLimits, img: ImageSize | null): DynImage {
  const area = g.patch * g.patch * g.merge * g.merge;
  const minT = limits.minTokens ?? QWEN_VL_TOKENS.min;
  const maxT = limits.maxTokens ?? QWEN_VL_TOKENS.max;
  const side = g.patch * g.merge;
  const target = img ?? { width: Math.floor(Math.sqrt(maxT)) * side, height: Math.floor(Math.sqrt(maxT)) * side };
  const encoded = smartResize(target, side, minT * area, maxT * area);
  const tx = Math.floor(encoded.width / (g.patch * 2));
  const ty = Math.floor(encoded.height / (g.patch * 2));
  return { encoded, tokens: tx * ty, patches: (encoded.width / g.patch) * (encoded.height / g.patch) };
}

/** Encoder compute buffer (bytes, estimate ±10 %): the larger of the warmup graph and the image's. */
export function dynComputeBytes(g: DynGeometry, patches: number): number {
  return dynGraphBytes(g, Math.max(patches, (WARMUP_SIDE_TOKENS * g.merge) ** 2));
}

/** The graph of one image of `p` patches (what `--no-warmup` reserves). */
export function dynGraphBytes(g: DynGeometry, p: number): number {
  if (g.windowAttention) {
    const w = 4 * (g.nFf + 1.8 * g.nEmbd);
    return Math.round(Math.max(6 * p * p + w * p, 3 * p * p + 2.735 * w * p));
  }
  const deep = g.deepstack ? 3 * g.nEmbd + g.nOut / 8 : 0;
  return Math.round(4 * p * (g.nFf + 3 * g.nEmbd + deep));
}
