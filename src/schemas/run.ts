import { z } from "zod";
import { ArchitectureSchema } from "./architecture.ts";
import { BufferBytesSchema, KvCacheSchema } from "./breakdown.ts";
import { BackendSchema, EngineProfileSchema, RuntimeConfigSchema } from "./runtime-config.ts";
import { MAX_RAW_PATH_CHARS, RAW_PATH_EXPECTED, RAW_PATH_PATTERN, rawPathProblem } from "../lib/runs/raw-path.ts";

/**
 * One profiling run = one session on one machine with one model and one runtime build, measured
 * at one or more configurations ("points"). Written only by `npm run ingest` into
 * `data/runs/<id>.json`; the JSON Schema in `data/schema/run.schema.json` is generated from this.
 *
 * Conventions
 * - Sizes are integer BYTES. Input files may say "320 MiB" / "8.6 GB"; ingest converts them
 *   explicitly (binary MiB/GiB, decimal MB/GB) before this schema sees them.
 * - Absent = not known. A measured run never carries a guessed value: a field the raw outputs do
 *   not state stays absent and is listed in `unknown`; a field read from a raw output rather than
 *   declared by the user is listed in `inferred` (JSON paths, e.g. `runtime.backend`).
 * - Every measured number names its source: the tool, the raw file (relative to
 *   `data/raw/<id>/`) and the line, and its printed resolution (± bytes).
 */

const bytes = z.number().int().nonnegative();

/**
 * A path stored in a run file (raw file, its original, a source's file): relative, normalised,
 * inside the run's folder — the one rule of `src/lib/runs/raw-path.ts`. Run files come from
 * strangers; code that joins these paths re-checks them (`resolveInside`).
 */
export const RawPathSchema = z
  .string()
  .superRefine((p, ctx) => {
    const problem = rawPathProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: `unsafe path: ${problem}; expected ${RAW_PATH_EXPECTED}` });
  })
  .meta({ minLength: 1, maxLength: MAX_RAW_PATH_CHARS, pattern: RAW_PATH_PATTERN });

/** A file under `data/sources/` as a run lists it: `data/sources/<one safe name>`. */
const SourcePathSchema = z
  .string()
  .max(300)
  .regex(
    /^data\/sources\/[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "expected data/sources/<file name> (letters, digits, '.', '_', '-')",
  )
  .refine((p) => !p.includes(".."), "expected no '..'");
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, "expected a lower-case slug (a-z, 0-9, '-', '.')")
  .max(120);

/** Tools whose output ingest reads; `reported` = a number stated in a write-up without its tool. */
export const SourceToolSchema = z.enum([
  "llama.cpp",
  "llama.cpp memory breakdown",
  "llama-bench",
  "ollama",
  "ollama-ps",
  "footprint",
  "vmmap",
  "time-l",
  "time-v",
  "nvidia-smi",
  "memprobe",
  "reported",
  "unknown",
]);
export type SourceTool = z.infer<typeof SourceToolSchema>;

/** Where a number came from. */
export const SourceSchema = z.strictObject({
  tool: SourceToolSchema,
  /** Raw file, relative to `data/raw/<run id>/` (or to `data/sources/` for reported values). */
  file: RawPathSchema.optional().describe(
    "Raw file, relative to `data/raw/<run id>/` (or to `data/sources/` for reported values).",
  ),
  /** 1-based line in that file. */
  line: z.number().int().positive().optional().describe("1-based line in that file."),
  /** What exactly was read ("KV size line", "peak of 512 samples", "table row 2K"). */
  detail: z
    .string()
    .optional()
    .describe('What exactly was read ("KV size line", "peak of 512 samples", "table row 2K").'),
});
export type Source = z.infer<typeof SourceSchema>;

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
export const PointConfigSchema = z.strictObject(knownShape);
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

export const HardwareInfoSchema = z.strictObject({
  /** Catalog id in `data/hardware/*.json` (e.g. `apple-m3-max-36gb`), when it matches one. */
  preset: slug
    .optional()
    .describe("Catalog id in `data/hardware/*.json` (e.g. `apple-m3-max-36gb`), when it matches one."),
  /** Free description ("NVIDIA H100 80GB HBM3, 16 vCPU VM"). */
  description: z.string().optional().describe('Free description ("NVIDIA H100 80GB HBM3, 16 vCPU VM").'),
  /** System RAM (unified memory on Apple). */
  total_memory_bytes: bytes.optional().describe("System RAM (unified memory on Apple)."),
  gpu: z
    .strictObject({
      name: z.string(),
      memory_bytes: bytes.optional(),
      /** Driver-reserved part of memory_bytes (nvidia-smi memory.reserved). */
      reserved_bytes: bytes.optional().describe("Driver-reserved part of memory_bytes (nvidia-smi memory.reserved)."),
      driver: z.string().optional(),
    })
    .optional(),
  /** Metal `recommendedMaxWorkingSetSize` (bytes = MB × 10⁶) or another GPU working-set limit. */
  gpu_working_set_bytes: bytes
    .optional()
    .describe("Metal `recommendedMaxWorkingSetSize` (bytes = MB × 10⁶) or another GPU working-set limit."),
  unified_memory: z.boolean().optional(),
  os: z.string().optional(),
  cpu: z.string().optional(),
});

export const RuntimeInfoSchema = z.strictObject({
  engine: z.enum(["llama.cpp", "turboquant", "ollama", "unknown"]),
  /** The engine profile whose rules this run is compared with; absent when the build date is unknown. */
  profile: EngineProfileSchema.optional().describe(
    "The engine profile whose rules this run is compared with; absent when the build date is unknown.",
  ),
  backend: BackendSchema.optional(),
  llama_cpp: z
    .strictObject({
      version: z.string().optional(),
      build_number: z.number().int().nonnegative().optional(),
      commit: z.string().optional(),
      /** Build (source) date, YYYY-MM-DD, when known. */
      build_date: z.string().optional().describe("Build (source) date, YYYY-MM-DD, when known."),
      /** Date range the log's line formats imply (docs/memory-model.md#log-format-history), when no build date is known. */
      format_date_range: z.strictObject({ from: z.string().optional(), to: z.string().optional() }).optional(),
    })
    .optional(),
  ollama_version: z.string().optional(),
  /** e.g. "TheTom/llama-cpp-turboquant (March 2026)". */
  fork: z.string().optional().describe('e.g. "TheTom/llama-cpp-turboquant (March 2026)".'),
  description: z.string().optional(),
});

export const ModelInfoSchema = z.strictObject({
  /** Catalog id (`data/models/<id>.json`), e.g. `qwen3-14b`. */
  preset: slug.optional().describe("Catalog id (`data/models/<id>.json`), e.g. `qwen3-14b`."),
  name: z.string().optional(),
  /** `general.architecture`. */
  arch: z.string().optional().describe("`general.architecture`."),
  /** Inline architecture when no preset fits (or to pin the exact geometry measured). */
  architecture: ArchitectureSchema.optional().describe(
    "Inline architecture when no preset fits (or to pin the exact geometry measured).",
  ),
  /** llama-quantize spelling (`Q4_K_M`). */
  ftype: z.string().optional().describe("llama-quantize spelling (`Q4_K_M`)."),
  /** Σ tensor bytes (llama.cpp `file size`, llama-bench `model_size`). */
  weights_bytes: bytes.optional().describe("Σ tensor bytes (llama.cpp `file size`, llama-bench `model_size`)."),
  /** Size of the GGUF file on disk. */
  file_bytes: bytes.optional().describe("Size of the GGUF file on disk."),
  params: z.number().int().nonnegative().optional(),
  notes: z.string().optional(),
});

export const RawFileSchema = z.strictObject({
  /** Path relative to `data/raw/<run id>/` (a `.gz` suffix when stored compressed). */
  path: RawPathSchema.describe("Path relative to `data/raw/<run id>/` (a `.gz` suffix when stored compressed)."),
  /** Path relative to the ingested input. */
  original: RawPathSchema.describe("Path relative to the ingested input."),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes,
  gzipped: z.boolean(),
  /** Parser that read it; absent = kept verbatim but not parsed. */
  tool: z.string().optional().describe("Parser that read it; absent = kept verbatim but not parsed."),
});

export const MeasurementInfoSchema = z.strictObject({
  /** Tools that produced the numbers. */
  tools: z.array(SourceToolSchema).describe("Tools that produced the numbers."),
  /** GPU memory in use before the run touched it (subtracted from every gpu_used_bytes). */
  idle_gpu_baseline: MeasuredValueSchema.optional().describe(
    "GPU memory in use before the run touched it (subtracted from every gpu_used_bytes).",
  ),
  method: z.string().optional(),
});

export const ProvenanceSchema = z.strictObject({
  /** What was ingested: a run JSON, a run/measurement folder, or one bare raw output. */
  input_kind: z
    .enum(["run-json", "folder", "raw"])
    .describe("What was ingested: a run JSON, a run/measurement folder, or one bare raw output."),
  /** sha256 over the ingested inputs (file names + bytes, sorted): same input ⇒ `unchanged`. */
  content_hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe("sha256 over the ingested inputs (file names + bytes, sorted): same input ⇒ `unchanged`."),
  /** Ingest parser version: raise it when parsers change what they extract (`--reparse`). */
  parser_version: z
    .number()
    .int()
    .positive()
    .describe("Ingest parser version: raise it when parsers change what they extract (`--reparse`)."),
  /** Files under `data/sources/` (run JSON, `--meta`) that the run was built from. */
  sources: z
    .array(SourcePathSchema)
    .describe("Files under `data/sources/` (run JSON, `--meta`) that the run was built from."),
  raw_files: z.array(RawFileSchema),
});

export const RunSchema = z
  .strictObject({
    $schema: z.string().optional(),
    schema_version: z.literal(1),
    id: slug,
    /** YYYY-MM-DD of the measurement; absent if no input states it. */
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
      .optional(),
    title: z.string().min(1),
    /** Summary of the write-up the run comes from (markdown allowed). */
    notes: z.string().optional().describe("Summary of the write-up the run comes from (markdown allowed)."),
    hardware: HardwareInfoSchema,
    runtime: RuntimeInfoSchema,
    model: ModelInfoSchema,
    measurement: MeasurementInfoSchema,
    points: z.array(PointSchema).min(1, "a run needs at least one point"),
    /** JSON paths of fields read from raw outputs rather than declared. */
    inferred: z.array(z.string()).describe("JSON paths of fields read from raw outputs rather than declared."),
    /** JSON paths of fields no input states. */
    unknown: z.array(z.string()).describe("JSON paths of fields no input states."),
    provenance: ProvenanceSchema,
    warnings: z.array(WarningSchema),
  })
  .describe(
    "One profiling run of Context Ceiling: one machine, one model, one runtime build, one or more measured points. Sizes are integer bytes; absent fields are unknown; every measured number names its tool, raw file and line.",
  );
export type Run = z.infer<typeof RunSchema>;

/**
 * What a user writes: a run without the fields ingest fills (id, provenance, inferred …). Used for
 * `run.json` in a run folder (points optional) and for run JSON inputs.
 */
export const RunInputSchema = z
  .strictObject({
    $schema: z.string().optional(),
    schema_version: z.literal(1).optional(),
    id: slug.optional(),
    date: RunSchema.shape.date,
    title: z.string().min(1).optional(),
    notes: z.string().optional(),
    hardware: HardwareInfoSchema.optional(),
    runtime: RuntimeInfoSchema.partial().optional(),
    model: ModelInfoSchema.optional(),
    measurement: MeasurementInfoSchema.partial().optional(),
    points: z
      .array(
        PointSchema.partial({
          status: true,
          config_sources: true,
          caches: true,
          buffers: true,
          raw_files: true,
          notes: true,
          warnings: true,
        }),
      )
      .optional(),
  })
  .describe(
    'Run metadata as a user writes it (run.json of a run folder, --meta file, or a run JSON input): sizes may be strings with units such as "320 MiB" or "8.6 GB".',
  );
export type RunInput = z.infer<typeof RunInputSchema>;
