/**
 * The original report's back-of-envelope analysis (issue #8 "[P1-S2] Peak memory profiling at each
 * context length" by Timmy, 2026-03-30, comment "Memory Analysis: What 4.2x Compression Actually
 * Means"; the issue has no public link), kept as QUOTED data: its
 * formula, its inputs and the figures it printed. Nothing here is our result; the analysis report
 * recomputes each figure with the original's own formula (below, a line-by-line port of its
 * Python) and sets the engine's figure beside it.
 */

/** Where every quote below comes from. */
export const ORIGINAL_SOURCE =
  "the original report, issue #8 “[P1-S2] Peak memory profiling at each context length” (Timmy, 2026-03-30) — comment “Memory Analysis: What 4.2x Compression Actually Means”";

/** The original's geometry for "Qwen3.5-27B", as its docstring states it. */
export const ORIGINAL_GEOMETRY = { num_layers: 48, num_heads: 40, head_dim: 128 } as const;

/** Per-type inputs of the original's formula, as its docstring states them. turbo2: no bits given. */
export const ORIGINAL_TYPE_INPUTS: Record<string, { bits_per_val: number | null; compression: number }> = {
  f16: { bits_per_val: 16, compression: 1.0 },
  q8_0: { bits_per_val: 8.5, compression: 1.9 },
  turbo3: { bits_per_val: 3, compression: 4.6 },
  turbo4: { bits_per_val: 4, compression: 3.8 },
  turbo2: { bits_per_val: null, compression: 6.4 },
};

/** The original's Python, verbatim, for display. */
export const ORIGINAL_FORMULA_SOURCE = `def kv_cache_bytes(seq_len, num_layers, num_heads, head_dim, bits_per_val, compression):
    # K and V each: layers × heads × seq_len × head_dim
    elements_per_token = 2 * num_layers * num_heads * head_dim  # K + V
    bits_per_token = elements_per_token * bits_per_val
    bytes_per_token = bits_per_token / 8
    total_bytes = seq_len * bytes_per_token / compression
    return total_bytes

# Example: 32K context, turbo3
kv_32k_turbo3 = kv_cache_bytes(32768, 48, 40, 128, 3, 4.6)
print(f"32K turbo3 KV cache: {kv_32k_turbo3 / 1e9:.2f} GB")
# Output: ~1.9 GB`;

/** Port of the original's `kv_cache_bytes`: bits per value AND a compression factor, both applied. */
export function originalKvCacheBytes(
  seqLen: number,
  numLayers: number,
  numHeads: number,
  headDim: number,
  bitsPerVal: number,
  compression: number,
): number {
  const elementsPerToken = 2 * numLayers * numHeads * headDim;
  const bitsPerToken = elementsPerToken * bitsPerVal;
  const bytesPerToken = bitsPerToken / 8;
  return (seqLen * bytesPerToken) / compression;
}

/**
 * The same formula for an asymmetric K/V pair: each half (K, or V) with its own type's inputs.
 * The original applied its symmetric formula to q8_0 K + turbo4 V this way ("4.3 + 1.1").
 * Returns null when a type has no bits per value in the original.
 */
export function originalKvBytesForPair(seqLen: number, typeK: string, typeV: string): number | null {
  const k = ORIGINAL_TYPE_INPUTS[typeK];
  const v = ORIGINAL_TYPE_INPUTS[typeV];
  if (!k || !v || k.bits_per_val === null || v.bits_per_val === null) return null;
  const { num_layers, num_heads, head_dim } = ORIGINAL_GEOMETRY;
  const half = (t: { bits_per_val: number; compression: number }) =>
    originalKvCacheBytes(seqLen, num_layers, num_heads, head_dim, t.bits_per_val, t.compression) / 2;
  return (
    half(k as { bits_per_val: number; compression: number }) + half(v as { bits_per_val: number; compression: number })
  );
}

/** One KV figure the original printed for Qwen3.5-27B. */
export interface OriginalKvClaim {
  id: string;
  ctx: number;
  type_k: string;
  type_v: string;
  /** Which part the figure is: the whole cache, or only K or only V. */
  part: "kv" | "k" | "v";
  /** The figure as printed, verbatim. */
  printed: string;
  /** The printed number in decimal GB (the original's unit), for the comparison. */
  printedGB: number;
  /** Where in the original it stands. */
  where: string;
}

export const ORIGINAL_KV_CLAIMS: readonly OriginalKvClaim[] = [
  {
    id: "q8-32k",
    ctx: 32768,
    type_k: "q8_0",
    type_v: "q8_0",
    part: "kv",
    printed: "8.5 GB",
    printedGB: 8.5,
    where: "footprint table, “32K context, q8_0 KV”",
  },
  {
    id: "turbo3-32k",
    ctx: 32768,
    type_k: "turbo3",
    type_v: "turbo3",
    part: "kv",
    printed: "~1.9 GB",
    printedGB: 1.9,
    where: "footprint table and the formula's own example",
  },
  {
    id: "asym-32k-k",
    ctx: 32768,
    type_k: "q8_0",
    type_v: "turbo4",
    part: "k",
    printed: "4.3",
    printedGB: 4.3,
    where: "“Memory: 16.9 + 4.3 + 1.1 = 22.3 GB” (q8_0 K)",
  },
  {
    id: "asym-32k-v",
    ctx: 32768,
    type_k: "q8_0",
    type_v: "turbo4",
    part: "v",
    printed: "1.1",
    printedGB: 1.1,
    where: "“Memory: 16.9 + 4.3 + 1.1 = 22.3 GB” (turbo4 V)",
  },
  {
    id: "asym-8k",
    ctx: 8192,
    type_k: "q8_0",
    type_v: "turbo4",
    part: "kv",
    printed: "1.3 GB",
    printedGB: 1.3,
    where: "context scaling table",
  },
  {
    id: "asym-16k",
    ctx: 16384,
    type_k: "q8_0",
    type_v: "turbo4",
    part: "kv",
    printed: "2.6 GB",
    printedGB: 2.6,
    where: "context scaling table",
  },
  {
    id: "asym-32k",
    ctx: 32768,
    type_k: "q8_0",
    type_v: "turbo4",
    part: "kv",
    printed: "5.4 GB",
    printedGB: 5.4,
    where: "context scaling table",
  },
  {
    id: "asym-48k",
    ctx: 49152,
    type_k: "q8_0",
    type_v: "turbo4",
    part: "kv",
    printed: "8.1 GB",
    printedGB: 8.1,
    where: "context scaling table",
  },
  {
    id: "asym-64k",
    ctx: 65536,
    type_k: "q8_0",
    type_v: "turbo4",
    part: "kv",
    printed: "10.8 GB",
    printedGB: 10.8,
    where: "context scaling table",
  },
  {
    id: "asym-128k",
    ctx: 131072,
    type_k: "q8_0",
    type_v: "turbo4",
    part: "kv",
    printed: "21.6 GB",
    printedGB: 21.6,
    where: "context scaling table",
  },
  {
    id: "turbo2-128k",
    ctx: 131072,
    type_k: "turbo2",
    type_v: "turbo2",
    part: "kv",
    printed: "3.4 GB",
    printedGB: 3.4,
    where: "“Option 1: Turbo2”",
  },
  {
    id: "turbo3-128k",
    ctx: 131072,
    type_k: "turbo3",
    type_v: "turbo3",
    part: "kv",
    printed: "4.7 GB",
    printedGB: 4.7,
    where: "“Option 2: Q4_K_M weights + turbo3”",
  },
  {
    id: "turbo4-128k",
    ctx: 131072,
    type_k: "turbo4",
    type_v: "turbo4",
    part: "kv",
    printed: "~5.4",
    printedGB: 5.4,
    where: "second comment, “With turbo4 at 128K: 16 + ~5.4 + ~2”",
  },
  {
    id: "f16-128k",
    ctx: 131072,
    type_k: "f16",
    type_v: "f16",
    part: "kv",
    printed: "~20",
    printedGB: 20,
    where: "second comment, “Without TurboQuant at 128K: 16 + ~20 + ~2”",
  },
];

/** The original's formula applied to one claim (the part it printed), or null without inputs. */
export function originalFormulaForClaim(c: OriginalKvClaim): number | null {
  if (c.part === "kv") return originalKvBytesForPair(c.ctx, c.type_k, c.type_v);
  const t = ORIGINAL_TYPE_INPUTS[c.part === "k" ? c.type_k : c.type_v];
  if (!t || t.bits_per_val === null) return null;
  const { num_layers, num_heads, head_dim } = ORIGINAL_GEOMETRY;
  return originalKvCacheBytes(c.ctx, num_layers, num_heads, head_dim, t.bits_per_val, t.compression) / 2;
}

/** Weight sizes the original printed for qwen3.5:27b, by ftype. */
export const ORIGINAL_WEIGHT_CLAIMS: ReadonlyArray<{
  ftype: string;
  printed: string;
  printedGB: number;
  where: string;
}> = [
  { ftype: "F16", printed: "54 GB", printedGB: 54, where: "footprint table, “FP16”" },
  { ftype: "Q8_0", printed: "27 GB", printedGB: 27, where: "footprint table" },
  { ftype: "Q4_K_M", printed: "16.9 GB", printedGB: 16.9, where: "footprint table" },
];
