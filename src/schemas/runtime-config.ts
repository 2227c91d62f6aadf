import { z } from "zod";
import { LIMITS } from "./limits.ts";
import { ENGINE_REVISIONS } from "../lib/kv-types.ts";
import { KvTypeSchema } from "./kv-type.ts";

/**
 * How a model is run: the knobs that change allocated memory. One schema for the CLI
 * (`npm run calc`), the site's URL state and ingested runs (the run schema embeds it).
 *
 * Defaults are those of `llama-cli` at the reference build (docs/memory-model.md#defaults): n_seq 1, KV
 * NOT unified, flash attention auto, n_ubatch 512, n_batch 2048, f16/f16, all layers on the GPU.
 * (A default `llama-server` differs: n_seq 4 with unified KV — set them explicitly.)
 */

/**
 * Engine profile: which build's rules the engine applies. Rules changed by build date
 * (docs/memory-model.md#engine-revisions); a measured run is compared with its own build's revision.
 *
 * llama.cpp revisions (name = first build date of the rule set):
 * - `current`    since 2026-01-25 (d9c6ce46f): cells PAD(n_ctx, 256), SWA PAD(…, 256), MLA K-only
 * - `2025-11-07` 2025-11-07 (16bcc1259) → 2026-01-24: 256-padding as current, MLA stores K and V
 * - `2025-10-28` 2025-10-28 (85a7d8677) → 2025-11-06: no cell padding, MLA K+V
 * - `2025-07-16` 2025-07-16 (225e7a143) → 2025-10-27: per-stream PAD(ceil(n_ctx/n_seq), FA ? 256 : 32),
 *                SWA min(base, PAD(n_swa·(unified ? n_seq : 1) + n_ubatch, pad)), MLA K+V
 *
 * turboquant (TheTom/llama-cpp-turboquant, upstream rules as llama.cpp `current` plus docs/memory-model.md#turboquant):
 * - `2026-05` 69d8e4be: turbo4 68 B/128, turbo3 50 B/128 (3.125 bpv), turbo2 34 B/128 (2.125 bpv)
 * - `2026-03` build of late March 2026 (the original report's): turbo3 14 B/32 (3.5 bpv),
 *             turbo2 10 B/32 (2.5 bpv), turbo4 68 B/128
 *
 * ollama (docs/memory-model.md#ollama): `num_ctx` is PER REQUEST: llama-server is launched with
 * `-c num_ctx × n_seq`; one KV type for K and V (type_k must equal type_v); llama.cpp `current` rules.
 * - `2026-05` (PR #16031, llama-server backend)
 */
export const EngineProfileSchema = z.discriminatedUnion("name", [
  z.strictObject({
    name: z.literal("llama.cpp"),
    revision: z.enum(ENGINE_REVISIONS["llama.cpp"]).default("current"),
  }),
  z.strictObject({
    name: z.literal("turboquant"),
    revision: z.enum(ENGINE_REVISIONS.turboquant).default("2026-05"),
  }),
  z.strictObject({
    name: z.literal("ollama"),
    revision: z.enum(ENGINE_REVISIONS.ollama).default("2026-05"),
  }),
]);
export type EngineProfile = z.infer<typeof EngineProfileSchema>;
export type EngineName = EngineProfile["name"];

/** Compute-buffer and runtime-overhead rules (and buffer names) of a backend. */
export const BackendSchema = z.enum(["cuda", "metal", "cpu"]);
export type Backend = z.infer<typeof BackendSchema>;

/** `-fa on|off|auto`; auto resolves to on when the backend supports FA for the types (docs/memory-model.md#quantized-v-needs-fa). */
export const FlashAttnSchema = z.enum(["on", "off", "auto"]);
export type FlashAttn = z.infer<typeof FlashAttnSchema>;

export const RuntimeConfigSchema = z.strictObject({
  /**
   * `-c` / `n_ctx`: requested context. llama.cpp and turboquant: TOTAL over all sequences;
   * ollama: `num_ctx` per request (× n_seq). 0 = the model's training context (context_length).
   */
  n_ctx: z
    .number()
    .int()
    .nonnegative()
    .max(LIMITS.cells, { error: (iss) => `${String(iss.input)} is above the limit of ${LIMITS.cells} (tokens)` })
    .default(0),
  /** `-ctk` K cache type. */
  type_k: KvTypeSchema.default("f16"),
  /** `-ctv` V cache type (quantized V needs flash attention upstream). */
  type_v: KvTypeSchema.default("f16"),
  /** `-np` / `n_seq_max`: parallel sequences (1 … 256, LLAMA_MAX_SEQ). */
  n_seq: z.number().int().min(1).max(256).default(1),
  /**
   * `llama_context_params.n_outputs_max`: the most outputs (logits rows) a ubatch's graph is reserved
   * for; absent = every token (llama-completion). A draft model's context gets n_parallel
   * (common/speculative.cpp `common_base_params_to_speculative`, de3ff81): docs/memory-model.md#draft-outputs.
   */
  n_outputs_max: z.number().int().min(1).max(LIMITS.cells).optional(),
  /** `--kv-unified`: one stream shared by all sequences (false = one stream per sequence). */
  kv_unified: z.boolean().default(false),
  /** `--swa-full`: SWA layers get full-size caches. */
  swa_full: z.boolean().default(false),
  /** `-fa on|off|auto`. */
  flash_attn: FlashAttnSchema.default("auto"),
  /** `-ub` physical batch (enters the SWA cell count and the compute buffer). */
  n_ubatch: z.number().int().positive().max(LIMITS.batch).default(512),
  /** `-b` logical batch. */
  n_batch: z.number().int().positive().max(LIMITS.batch).default(2048),
  /**
   * `-ngl`: layers offloaded to the device, counting the output layer first (docs/memory-model.md#offload).
   * -1 = all (llama.cpp's default "auto/all"); 0 = CPU only.
   */
  n_gpu_layers: z.number().int().min(-1).max(LIMITS.cells).default(-1),
  /** `--no-kv-offload`: KV cache and recurrent state in host memory. */
  no_kv_offload: z.boolean().default(false),
  /** Backend whose compute-buffer/overhead rules apply; `cpu` = no device. */
  backend: BackendSchema.default("cuda"),
  /** Which build's rules (see EngineProfileSchema). */
  engine: EngineProfileSchema.default({ name: "llama.cpp", revision: "current" }),
  /** Recurrent rollback snapshots (`n_rs_seq`, speculative MTP/EAGLE drafting); 0 normally. */
  n_rs_seq: z.number().int().nonnegative().max(65_536).default(0),
  /**
   * Weight file type for presets without a tensor table, llama-quantize spelling: F32, F16, BF16,
   * Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q4_K_M, Q4_K_S, Q4_0, Q3_K_M, … null = use the model's tensor
   * table if given, else no weights (the breakdown says so).
   */
  weights_ftype: z.string().nullable().default(null),
  /**
   * Count the vision encoder (mmproj, `--mmproj`) too: n_params_vision × 2 B (F16, how mmproj
   * files usually ship), on the device; labelled estimate. Off by default (text-only use).
   */
  vision_weights: z.boolean().default(false),
});

/** Parsed runtime config (defaults applied). */
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;
/** Partial input accepted by `RuntimeConfigSchema.parse` (every field has a default). */
export type RuntimeConfigInput = z.input<typeof RuntimeConfigSchema>;
