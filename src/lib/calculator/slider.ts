/**
 * The context slider: a log scale from 512 tokens to a few octaves past the model's maximum,
 * in steps of 1/STEPS_PER_OCTAVE octave, each snapped to llama.cpp's 256-cell allocation grid so
 * that every slider position is a context llama.cpp really allocates (powers of two are exact
 * positions). Pure.
 */

export const SLIDER_MIN_CTX = 512;
export const STEPS_PER_OCTAVE = 16;
/** Octaves the slider extends past the model's maximum context (flagged in the UI). */
export const BEYOND_OCTAVES = 2;
/** Used when the model's maximum context is unknown. */
export const FALLBACK_MAX_CTX = 131072;

/** Round a context to llama.cpp's allocation step (256 cells since 2025-11-07). */
export function snapContext(ctx: number, step = 256): number {
  return Math.max(step, Math.round(ctx / step) * step);
}

/** PAD(ctx, step): the cells llama.cpp allocates for a requested context. */
export function padContext(ctx: number, step = 256): number {
  return Math.ceil(ctx / step) * step;
}

export interface SliderScale {
  /** Largest slider index. */
  maxIndex: number;
  /** Index of the model's maximum context (start of the flagged range), or maxIndex. */
  modelMaxIndex: number;
  maxCtx: number;
  modelMax: number;
}

export function sliderScale(modelMax: number | null): SliderScale {
  const mm = modelMax && modelMax >= SLIDER_MIN_CTX ? modelMax : FALLBACK_MAX_CTX;
  const modelMaxIndex = Math.ceil(Math.log2(mm / SLIDER_MIN_CTX) * STEPS_PER_OCTAVE);
  const maxIndex = modelMaxIndex + BEYOND_OCTAVES * STEPS_PER_OCTAVE;
  return { maxIndex, modelMaxIndex, maxCtx: indexToContext(maxIndex), modelMax: mm };
}

/** Slider index → context (snapped to 256; index multiples of 16 are exact powers of two). */
export function indexToContext(i: number): number {
  return snapContext(SLIDER_MIN_CTX * 2 ** (i / STEPS_PER_OCTAVE));
}

/** Context → the nearest slider index (for positioning the thumb after exact entry). */
export function contextToIndex(ctx: number, scale: SliderScale): number {
  const i = Math.round(Math.log2(Math.max(ctx, SLIDER_MIN_CTX) / SLIDER_MIN_CTX) * STEPS_PER_OCTAVE);
  return Math.min(Math.max(i, 0), scale.maxIndex);
}

/** Log-spaced sample contexts over [lo, hi] for drawing curves, including both ends. */
export function sampleContexts(lo: number, hi: number, perOctave: number): number[] {
  const n = Math.max(2, Math.ceil(Math.log2(hi / lo) * perOctave) + 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.round(lo * (hi / lo) ** (i / (n - 1))));
  return out;
}
