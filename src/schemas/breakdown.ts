import { z } from "zod";
import { KvTypeSchema } from "./kv-type.ts";
import { LayerKindSchema } from "./architecture.ts";
import { EngineProfileSchema } from "./runtime-config.ts";

/**
 * The engine's answer for one (architecture, runtime config): every memory component in integer
 * BYTES. Shared by the CLI (`--json` prints exactly this object), the site's islands, URL state
 * and the run schema's measured points (which may carry only the fields they measured: use
 * `BreakdownSchema.partial()` / deep picks there).
 *
 * Byte-exact (llama.cpp deterministic): kv.*, recurrent.*, output.bytes, weights.bytes when
 * weights.source is "tensor-table" or "builder". Estimates (labelled `estimate: true`):
 * compute.*, overhead.*, weights with source "params-x-bpw".
 *
 * Memory pools: "device" = the accelerator's memory (CUDA0, MTL0 …; on Apple unified memory it is
 * still the GPU working set), "host" = system RAM of the process (CPU_Mapped weights, CUDA_Host
 * pinned buffers, output buffer). With backend `cpu` everything is host.
 */

const bytes = z.number().int().nonnegative();

/** One buffer on one device, named as llama.cpp prints it (`CUDA0`, `CUDA_Host`, `CPU_Mapped`, `MTL0`, `CPU`). */
export const BufferBytesSchema = z.strictObject({
  /** llama.cpp buffer-type name. */
  name: z.string(),
  /** True if the buffer lives in host memory. */
  host: z.boolean(),
  bytes,
});
export type BufferBytes = z.infer<typeof BufferBytesSchema>;

/** One KV layer of one cache instance (what llama.cpp's per-layer tensors hold). */
export const KvLayerRowSchema = z.strictObject({
  /** Layer index il (0-based, over block_count). */
  layer: z.number().int().nonnegative(),
  /** Effective K type of this layer (turbo boundary/auto-asymmetric changes applied). */
  type_k: KvTypeSchema,
  /** Effective V type of this layer; null for MLA K-only caches. */
  type_v: KvTypeSchema.nullable(),
  /** K row width in elements = n_embd_k_gqa (after TurboQuant head zero-padding). */
  k_width: z.number().int().nonnegative(),
  /** V row width in elements (padded to n_embd_v_gqa_max when FA is off); 0 for MLA K-only. */
  v_width: z.number().int().nonnegative(),
  /** ggml_nbytes of this layer's K tensor (all cells, all streams). */
  k_bytes: bytes,
  /** ggml_nbytes of this layer's V tensor. */
  v_bytes: bytes,
  /** Buffer it is allocated in (`CUDA0`, `CPU` …). */
  device: z.string(),
});
export type KvLayerRow = z.infer<typeof KvLayerRowSchema>;

/**
 * One `llama_kv_cache` instance. `cells`, `layers`, `k_bytes`, `v_bytes` are exactly the numbers
 * of its `llama_kv_cache: size = … ( <cells> cells, <layers> layers, a/<n_stream> seqs), K (…): …, V (…): …` line.
 */
export const KvCacheSchema = z.strictObject({
  /** `full` = base cache (non-SWA layers); `swa` = iSWA SWA cache; `indexer` = DSA indexer K cache. */
  kind: z.enum(["full", "swa", "indexer"]),
  /** kv_size per stream (the `cells` of the size line). */
  cells: z.number().int().nonnegative(),
  /** Number of streams (1 unified, n_seq otherwise). Total cells = cells × n_stream. */
  n_stream: z.number().int().positive(),
  /** Layers with own KV tensors in this cache (the `layers` of the size line). */
  layers: z.number().int().nonnegative(),
  /** K type printed in the size line (post auto-asymmetric). */
  type_k: KvTypeSchema,
  /** V type printed in the size line (the requested one under turbo layer-adaptive modes); null = K-only. */
  type_v: KvTypeSchema.nullable(),
  k_bytes: bytes,
  v_bytes: bytes,
  /** k_bytes + v_bytes (the size line's total). */
  bytes,
  /** Bytes in this cache's buffer NOT in the size line (TurboQuant rotation matrices, docs/memory-model.md#turboquant-rotation-buffers). */
  extra_bytes: bytes,
  /** Per-layer rows. */
  rows: z.array(KvLayerRowSchema),
});
export type KvCache = z.infer<typeof KvCacheSchema>;

export const RecurrentLayerRowSchema = z.strictObject({
  layer: z.number().int().nonnegative(),
  /** n_embd_r (conv / token-shift state width, f32 elements per cell). */
  r_width: z.number().int().nonnegative(),
  /** n_embd_s (SSM / WKV state width). */
  s_width: z.number().int().nonnegative(),
  r_bytes: bytes,
  s_bytes: bytes,
  device: z.string(),
});
export type RecurrentLayerRow = z.infer<typeof RecurrentLayerRowSchema>;

export const NoteSchema = z.strictObject({
  /**
   * Stable code, e.g. `turbo-auto-asymmetric-k`, `turbo-boundary-v`, `turbo-fa-forced`,
   * `turbo-head-padding`, `fa-auto-resolved`, `v-padded-no-fa`, `ctx-padded`, `ctx-seq-rounded`,
   * `ctx-exceeds-train`, `swa-capped`, `weights-fallback`, `weights-missing`,
   * `weights-imatrix-dependent`, `weights-mtp-not-loaded`, `compute-estimate`,
   * `overhead-uncalibrated`, `ollama-per-request-ctx`.
   */
  code: z.string(),
  /** `info` = the engine changed or interpreted the request; `warning` = the result is less certain. */
  level: z.enum(["info", "warning"]),
  message: z.string(),
});
export type Note = z.infer<typeof NoteSchema>;

export const BreakdownSchema = z.strictObject({
  engine: EngineProfileSchema,
  /** The architecture's `arch` and display name. */
  model: z.strictObject({ arch: z.string(), name: z.string().nullable() }),

  /** Context bookkeeping (docs/memory-model.md#context-cells). */
  context: z.strictObject({
    /** n_ctx as requested (0 resolved to context_length; ollama: num_ctx per request). */
    requested: z.number().int().nonnegative(),
    /** Total n_ctx passed to llama.cpp (ollama: num_ctx × n_seq; else = requested). */
    n_ctx_total_requested: z.number().int().nonnegative(),
    /** Allocated cells of the full cache = kv_size × n_stream (what `llama_context: n_ctx` prints). */
    allocated_cells: z.number().int().nonnegative(),
    /** `llama_context: n_ctx_seq` (per-sequence window). */
    n_ctx_seq: z.number().int().nonnegative(),
    n_stream: z.number().int().positive(),
    n_seq: z.number().int().positive(),
    kv_unified: z.boolean(),
    /** The model's n_ctx_train, null if unknown. */
    n_ctx_train: z.number().int().positive().nullable(),
  }),

  /** Effective settings after the engine's silent changes (compare with the request). */
  effective: z.strictObject({
    /** K type as the size line prints it (fork auto-asymmetric → q8_0). */
    type_k: KvTypeSchema,
    /** V type requested for the cache (boundary layers may differ: see kv rows). */
    type_v: KvTypeSchema,
    /** Flash attention as resolved (auto → on/off; fork turbo → on). */
    flash_attn: z.boolean(),
    n_ubatch: z.number().int().positive(),
    n_batch: z.number().int().positive(),
  }),

  /** Kind of every layer il = 0 … block_count − 1 after the per-arch rules (engine resolveLayers). */
  layer_kinds: z.array(LayerKindSchema),

  /** Attention KV caches (docs/memory-model.md#context-cells to #mla). */
  kv: z.strictObject({
    /** Σ K bytes over all caches (size lines). */
    k_bytes: bytes,
    /** Σ V bytes over all caches. */
    v_bytes: bytes,
    /** k_bytes + v_bytes. */
    bytes,
    /** Σ extra_bytes (rotation buffers), counted in totals but not in size lines. */
    extra_bytes: bytes,
    caches: z.array(KvCacheSchema),
    /** KV + extra bytes per buffer: tensor sizes after backend alignment and CUDA quantized-row padding, plus rotation buffers (the `KV buffer size` lines). */
    per_device: z.array(BufferBytesSchema),
  }),

  /** Recurrent state (docs/memory-model.md#recurrent-state); zeros when the model has none. Always f32. */
  recurrent: z.strictObject({
    /** r_bytes + s_bytes (the `llama_memory_recurrent: size =` total). */
    bytes,
    r_bytes: bytes,
    s_bytes: bytes,
    /** max(1, n_seq) × (1 + n_rs_seq): the size line's `cells`. */
    cells: z.number().int().nonnegative(),
    /** Recurrent layers actually holding state (NOT the size line's `layers`, which prints n_layer). */
    layers: z.number().int().nonnegative(),
    rows: z.array(RecurrentLayerRowSchema),
    per_device: z.array(BufferBytesSchema),
  }),

  /** Model weights (docs/memory-model.md#weights). */
  weights: z.strictObject({
    /** Σ tensor bytes (file's `ml.n_bytes`; 0 with source "none"). */
    bytes,
    /**
     * `tensor-table` exact from a GGUF header; `builder` exact tensor table built from the
     * architecture and ftype mixing rules; `params-x-bpw` labelled fallback; `none` unknown.
     */
    source: z.enum(["tensor-table", "builder", "params-x-bpw", "none"]),
    estimate: z.boolean(),
    /** ftype used (llama-quantize spelling), null if unknown. */
    ftype: z.string().nullable(),
    /** Bytes per buffer at runtime (CPU_Mapped token_embd, CUDA0 rest incl. a tied output copy). */
    per_device: z.array(BufferBytesSchema),
    /** Bytes of the tied-embedding duplicate (`output` = token_embd loaded twice); 0 otherwise. */
    tied_duplicate_bytes: bytes,
  }),

  /** Output (logits) buffer at init, host (docs/memory-model.md#output-buffer). */
  output: z.strictObject({
    bytes,
    /** Buffer name (`CUDA_Host`, `CPU`, `MTL0`?). */
    name: z.string(),
  }),

  /** Compute buffers: ESTIMATE calibrated on measured runs (docs/memory-model.md#compute-buffers). */
  compute: z.strictObject({
    /** Σ per_backend. */
    bytes,
    per_backend: z.array(BufferBytesSchema),
    estimate: z.literal(true),
    /** How it was estimated (model name and calibration set). */
    label: z.string(),
  }),

  /** Runtime memory outside llama.cpp's buffers (CUDA context, memory pool, Metal): ESTIMATE. */
  overhead: z.strictObject({
    bytes,
    device_bytes: bytes,
    host_bytes: bytes,
    parts: z.array(z.strictObject({ name: z.string(), host: z.boolean(), bytes })),
    estimate: z.literal(true),
    /** e.g. "CUDA context + VMM pool, calibrated on H100 (de3ff81)" or "Metal: uncalibrated". */
    label: z.string(),
    /** False where no measured run backs the numbers (Metal, CPU). */
    calibrated: z.boolean(),
  }),

  /** Totals per memory pool (weights + KV + recurrent + output + compute + overhead). */
  total: z.strictObject({
    device_bytes: bytes,
    host_bytes: bytes,
    /** device_bytes + host_bytes. */
    bytes,
  }),

  /**
   * Local linear model of total.bytes around this point: bytes_per_token = d total.bytes / d
   * allocated cell (full-attention KV per cell + context-proportional compute/overhead terms);
   * fixed_bytes = total.bytes − bytes_per_token × allocated_cells. Exact for KV-only lines.
   */
  bytes_per_token: z.number().nonnegative(),
  fixed_bytes: z.number().int(),

  /** Every silent change or interpretation the engine made, and every uncertainty. */
  notes: z.array(NoteSchema),
});
export type Breakdown = z.infer<typeof BreakdownSchema>;
