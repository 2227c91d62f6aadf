import { z } from "zod";
import { KvTypeSchema } from "./kv-type.ts";

/**
 * Quantization tables as data (data/quants/): the K/V cache element types a user can pick and the
 * whole-file weight types (llama-quantize ftypes). Facts and their sources live in the JSON; the
 * engine's own type table is checked against data/quants/kv-types.json by a unit test.
 */

const posInt = z.number().int().positive();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD");

/** Engines that accept a K/V type; the names match the engine profiles of runtime-config.ts. */
export const KvEngineSchema = z.enum(["llama.cpp", "turboquant", "ollama"]);
export type KvEngine = z.infer<typeof KvEngineSchema>;

/**
 * When flash attention is required:
 * - `never`  accepted for K and V with FA off (f32, f16, bf16)
 * - `as-v`   K works without FA; a quantized V needs FA (upstream, docs/memory-model.md#quantized-v-needs-fa)
 * - `always` the engine needs FA for the type and turns it on itself (TurboQuant fork, docs/memory-model.md#turboquant)
 */
export const FlashAttnNeedSchema = z.enum(["never", "as-v", "always"]);
export type FlashAttnNeed = z.infer<typeof FlashAttnNeedSchema>;

/** One block layout a type had over a period (the fork changed turbo2/turbo3 in March 2026). */
export const KvLayoutPeriodSchema = z.strictObject({
  /** First date of this layout (commit date), null = since the type existed. */
  from: isoDate.nullable(),
  /** Last date of this layout, null = still current. */
  until: isoDate.nullable(),
  blockSize: posInt,
  bytesPerBlock: posInt,
  bitsPerValue: z.number().positive(),
  /** Commit or PR that introduced the layout. */
  ref: z.string().nullable(),
  note: z.string().nullable(),
});
export type KvLayoutPeriod = z.infer<typeof KvLayoutPeriodSchema>;

/** A quality figure as cited by someone else: never our measurement. */
export const CitedQualitySchema = z.strictObject({
  /** What was measured, e.g. "perplexity increase vs f16 K/V". */
  metric: z.string().min(1),
  value: z.number(),
  unit: z.string().min(1),
  /** Model / setup the figure is about, null when the citing text does not say. */
  setup: z.string().nullable(),
  /** Where we read the figure (file or URL) and whom it cites. */
  citedIn: z.string().min(1),
  note: z.string().nullable(),
});
export type CitedQuality = z.infer<typeof CitedQualitySchema>;

export const KvCacheTypeSchema = z.strictObject({
  /** Name exactly as llama.cpp / the fork print it in `K (%s)` and accept in `-ctk`. */
  name: KvTypeSchema,
  /** ggml type id (upstream enum; for turbo types the fork's id, which collides upstream). */
  ggmlId: z.number().int().nonnegative().nullable(),
  /** Values per block at the current layout. */
  blockSize: posInt,
  /** Bytes per block at the current layout. */
  bytesPerBlock: posInt,
  /** bytesPerBlock × 8 / blockSize, stored for display and checked by the validator. */
  bitsPerValue: z.number().positive(),
  /** Field layout of one block, in words. */
  layout: z.string().nullable(),
  needsFlashAttention: FlashAttnNeedSchema,
  /** Engines whose `-ctk/-ctv` (or OLLAMA_KV_CACHE_TYPE) accept the type. */
  engines: z.array(KvEngineSchema).min(1),
  /**
   * The fork zero-pads each K (and non-MLA V) head to a multiple of this many values for turbo
   * types (docs/memory-model.md#turboquant-head-padding); null = no padding.
   */
  headDimPadTo: posInt.nullable(),
  /** Layout history, oldest first; the last period (until = null) is the current layout. */
  history: z.array(KvLayoutPeriodSchema),
  /** Quality figures cited by others (e.g. the seed report), with where they were read. */
  quality: z.array(CitedQualitySchema),
  sources: z.array(z.string().min(1)).min(1),
  notes: z.string().nullable(),
});
export type KvCacheType = z.infer<typeof KvCacheTypeSchema>;

/** data/quants/kv-types.json */
export const KvCacheTypesFileSchema = z.array(KvCacheTypeSchema).min(1);

/**
 * A weight file type (`general.file_type`, llama-quantize's ftype). A whole file mixes tensor
 * types (docs/memory-model.md#ftype-mixing), so it has a nominal bpw (its base type) and a typical whole-file
 * bpw measured on a reference model.
 */
export const WeightFtypeSchema = z.strictObject({
  /** llama-quantize spelling, the id used by runtime configs and weight variants: `Q4_K_M`. */
  id: z.string().regex(/^[A-Z0-9_]+$/, "expected llama-quantize spelling, e.g. Q4_K_M"),
  /** `general.file_type` value (llama.h `enum llama_ftype`). */
  ftype: z.number().int().nonnegative(),
  /** As llama.cpp prints it in `print_info: file type = …` (`llama_model_ftype_name`). */
  printedName: z.string().min(1),
  /** Default tensor type (`llama_ftype_get_default_type`), ggml spelling: `q4_K`. */
  baseType: z.string().min(1),
  /**
   * Bits per weight llama.cpp names for the ftype (the `- 2.5 bpw` of i-quant names,
   * docs/memory-model.md#weights-fallback); for plain and K-quant ftypes the base type's type_size × 8 / block.
   */
  nominalBpw: z.number().positive(),
  /** Typical whole-file bits per weight, null when no reference file is known. */
  typicalBpw: z.number().positive().nullable(),
  /** Model and source of typicalBpw (e.g. llama-quantize's Llama-3-8B table). */
  typicalBpwBasis: z.string().nullable(),
  sources: z.array(z.string().min(1)).min(1),
  notes: z.string().nullable(),
});
export type WeightFtype = z.infer<typeof WeightFtypeSchema>;

/** data/quants/weight-ftypes.json */
export const WeightFtypesFileSchema = z.array(WeightFtypeSchema).min(1);
