import { z } from "zod";
import { ArchitectureSchema } from "./architecture.ts";
import { BackendSchema, EngineProfileSchema } from "./runtime-config.ts";
import { MeasuredValueSchema, PointSchema, WarningSchema } from "./run-point.ts";
import { bytes, RawPathSchema, slug, SourcePathSchema, SourceToolSchema } from "./run-source.ts";

export * from "./run-source.ts";
export * from "./run-point.ts";

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
