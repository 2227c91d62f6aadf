import { z } from "zod";
import { BufferBytesSchema, KvCacheSchema } from "./breakdown.ts";
import { RuntimeConfigSchema } from "./runtime-config.ts";
import { LoadModeSchema, TensorOverrideSchema } from "./placement.ts";
import { bytes, RawPathSchema, SourceSchema } from "./run-source.ts";

/** One measured configuration of a run (a "point") and the measured values it carries (docs in run.ts). */

/**
 * The part of a measured value that is the process itself before the model was loaded (the
 * runtime, libraries, interpreter): memory no engine component models. Kept apart from `bytes`
 * (which stays what the tool printed); the cross-check compares `bytes − baseline.bytes`.
 */
export const BaselineSchema = z
  .strictObject({
    bytes,
    source: SourceSchema,
    resolution_bytes: bytes.optional(),
  })
  .describe(
    "The process's own share of a measured value before the model was loaded (e.g. the RSS at the PROC line `start` / `before_model_load`); the cross-check compares bytes − baseline.bytes.",
  );

/** One measured quantity. */
export const MeasuredValueSchema = z
  .strictObject({
    bytes,
    source: SourceSchema,
    /** ± bytes of the printed precision (e.g. 5243 for `%.2f MiB`, 1 MiB for nvidia-smi). */
    resolution_bytes: bytes
      .optional()
      .describe("± bytes of the printed precision (e.g. 5243 for `%.2f MiB`, 1 MiB for nvidia-smi)."),
    /** Peak RSS: the process before the model load, recorded by the same tool run (not subtracted from `bytes`). */
    baseline: BaselineSchema.optional(),
    note: z.string().optional(),
  })
  .describe("A measured quantity in bytes with its source and printed resolution.");
export type MeasuredValue = z.infer<typeof MeasuredValueSchema>;

/** The measured metrics a point may carry (issue #5); each compared with an engine component. */
export const MEASURED_METRICS = [
  "kv_bytes",
  "k_bytes",
  "v_bytes",
  "recurrent_bytes",
  "compute_bytes",
  "model_bytes",
  "output_bytes",
  "peak_rss_bytes",
  "peak_footprint_bytes",
  "dirty_bytes",
  "gpu_used_bytes",
] as const;
export type MeasuredMetric = (typeof MEASURED_METRICS)[number];

export const MeasuredSchema = z.strictObject(
  Object.fromEntries(MEASURED_METRICS.map((k) => [k, MeasuredValueSchema.optional()])) as Record<
    MeasuredMetric,
    z.ZodOptional<typeof MeasuredValueSchema>
  >,
);
export type Measured = z.infer<typeof MeasuredSchema>;

/** Components a buffer row can belong to (docs/memory-model.md#components). */
export const BufferComponentSchema = z.enum(["model", "kv", "rs", "compute", "output", "state", "unaccounted"]);

/**
 * One buffer as the log states it: `{component, device, bytes, source}`. Reuses the engine's
 * BufferBytes (`host`, `bytes`); `device` is the llama.cpp buffer name (`CUDA0`, `CUDA_Host`,
 * `CPU_Mapped`, `MTL0`).
 */
export const BufferRowSchema = BufferBytesSchema.pick({ host: true, bytes: true }).extend({
  component: BufferComponentSchema,
  device: z.string().min(1),
  source: SourceSchema,
  resolution_bytes: bytes.optional(),
});
export type BufferRow = z.infer<typeof BufferRowSchema>;

/**
 * One measured KV cache instance: the engine's KvCache fields that a `size =` line states.
 * Type names stay strings (a fork may print a type the engine does not know); `cells`,
 * `n_stream` and `layers` are absent for formats that do not print them.
 */
export const MeasuredKvCacheSchema = KvCacheSchema.pick({
  kind: true,
  cells: true,
  n_stream: true,
  layers: true,
  k_bytes: true,
  v_bytes: true,
  bytes: true,
})
  .partial({ cells: true, n_stream: true, layers: true })
  .extend({
    type_k: z.string().min(1),
    type_v: z.string().min(1).nullable(),
    /** `a` of `a/b seqs` (n_seq_max) when printed. */
    n_seq_max: z.number().int().positive().optional().describe("`a` of `a/b seqs` (n_seq_max) when printed."),
    source: SourceSchema,
  });
export type MeasuredKvCache = z.infer<typeof MeasuredKvCacheSchema>;

/** The recurrent-state `size =` line. `layers` is what llama.cpp prints: n_layer, not the recurrent count. */
export const MeasuredRecurrentSchema = z.strictObject({
  bytes,
  r_bytes: bytes,
  s_bytes: bytes,
  type_r: z.string(),
  type_s: z.string(),
  cells: z.number().int().nonnegative(),
  layers_printed: z.number().int().nonnegative(),
  n_seq: z.number().int().nonnegative(),
  rs_seq: z.number().int().nonnegative().optional(),
  source: SourceSchema,
});

/** One row of llama.cpp's end-of-run memory breakdown table (integer MiB, stored as bytes). */
export const MemoryBreakdownRowSchema = z.strictObject({
  device: z.string(),
  description: z.string().optional(),
  host: z.boolean(),
  total_bytes: bytes.optional(),
  free_bytes: bytes.optional(),
  self_bytes: bytes,
  model_bytes: bytes,
  context_bytes: bytes,
  compute_bytes: bytes,
  /** total − free − self (driver context, pools, other processes); may be negative in theory. */
  unaccounted_bytes: z
    .number()
    .int()
    .optional()
    .describe("total − free − self (driver context, pools, other processes); may be negative in theory."),
  source: SourceSchema,
});

/** Device memory in use at a named stage of the process (memprobe / profile). */
export const StageSchema = z.strictObject({
  stage: z.string(),
  device: z.string(),
  used_bytes: bytes,
  source: SourceSchema,
});

/**
 * A point's configuration: the engine's RuntimeConfig fields that are KNOWN for this point (none
 * defaulted). `n_ctx` is the REQUESTED context; the allocated one is `n_ctx_allocated`.
 */
type ConfigShape = typeof RuntimeConfigSchema.shape;
type KnownConfigShape = {
  [K in keyof ConfigShape]: z.ZodOptional<ConfigShape[K] extends z.ZodDefault<infer T> ? T : ConfigShape[K]>;
};
const knownShape = Object.fromEntries(
  Object.entries(RuntimeConfigSchema.shape).map(([k, v]) => [
    k,
    ((v instanceof z.ZodDefault ? (v as z.ZodDefault).unwrap() : v) as z.ZodType).optional(),
  ]),
) as unknown as KnownConfigShape;
/**
 * Placement flags a point ran with, beside the RuntimeConfig fields (src/schemas/placement.ts
 * spells them; bounded there): `-ot` patterns in command-line order, `--cpu-moe`,
 * `--n-cpu-moe`, `--load-mode`. Absent = not stated (llama.cpp's defaults: none, mmap).
 */
const placementShape = {
  tensor_overrides: z
    .array(TensorOverrideSchema.refine((o) => isRegExp(o.pattern), { message: "pattern is not a regular expression" }))
    .max(64)
    .optional(),
  cpu_moe: z.boolean().optional(),
  n_cpu_moe: z.number().int().nonnegative().max(4096).optional(),
  load_mode: LoadModeSchema.optional(),
};

function isRegExp(p: string): boolean {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}

export const PointConfigSchema = z.strictObject({ ...knownShape, ...placementShape });
export type PointConfig = z.infer<typeof PointConfigSchema>;

/** Where a config field's value came from, in precedence order for a measurement folder. */
export const ConfigSourceSchema = z.enum([
  "log",
  "case.json",
  "folder-name",
  "file-name",
  "run.json",
  "meta",
  "reported",
]);

export const WarningSchema = z.strictObject({
  file: RawPathSchema.optional(),
  line: z.number().int().nonnegative().optional(),
  message: z.string(),
});

export const PointSchema = z
  .strictObject({
    /** Stable within the run: the case folder or file it came from, or `ctx-<n>-<k>-<v>`. */
    id: z
      .string()
      .min(1)
      .max(200)
      .describe("Stable within the run: the case folder or file it came from, or `ctx-<n>-<k>-<v>`."),
    /**
     * `ok`; `did-not-fit` = allocation failed (a result, not a crash: `measured` stays empty, its
     * partial readings are notes, buffers and raw files); `failed` = the process failed.
     */
    status: z
      .enum(["ok", "did-not-fit", "failed"])
      .describe(
        "`ok`; `did-not-fit` = allocation failed (a result, not a crash: `measured` stays empty; the partial readings are in notes, buffers and raw files); `failed` = the process failed.",
      ),
    config: PointConfigSchema,
    /** Field → where its value came from. Fields absent from `config` are unknown. */
    config_sources: z
      .record(z.string(), ConfigSourceSchema)
      .describe("Field → where its value came from. Fields absent from `config` are unknown."),
    /** Cells llama.cpp allocated (`llama_context: n_ctx`, padded total); absent if not logged. */
    n_ctx_allocated: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Cells llama.cpp allocated (`llama_context: n_ctx`, padded total); absent if not logged."),
    /** `llama_context: n_ctx_seq` (per-sequence window). */
    n_ctx_seq: z.number().int().positive().optional().describe("`llama_context: n_ctx_seq` (per-sequence window)."),
    measured: MeasuredSchema,
    caches: z.array(MeasuredKvCacheSchema),
    recurrent: MeasuredRecurrentSchema.optional(),
    buffers: z.array(BufferRowSchema),
    memory_breakdown: z.array(MemoryBreakdownRowSchema).optional(),
    stages: z.array(StageSchema).optional(),
    /** Raw files of this point, relative to `data/raw/<run id>/`. */
    raw_files: z.array(RawPathSchema).describe("Raw files of this point, relative to `data/raw/<run id>/`."),
    notes: z.array(z.string()),
    warnings: z.array(WarningSchema),
  })
  .describe(
    "One measured configuration: its config (engine RuntimeConfig fields that are known; absent = unknown), measured metrics with their sources, KV caches, buffers and notes.",
  );
export type Point = z.infer<typeof PointSchema>;
