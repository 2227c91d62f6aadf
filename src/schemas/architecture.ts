import { z } from "zod";
import { LIMITS } from "./limits.ts";

/**
 * Model architecture as llama.cpp sees it: the hyper-parameters that decide KV cache, recurrent
 * state, output buffer, compute buffer and weights. One schema for presets (data/models/*.json,
 * field `architecture`), user-supplied JSON and GGUF headers (src/lib/gguf maps keys onto it).
 *
 * Conventions
 * - Field names follow llama.cpp's GGUF keys without the `{arch}.` prefix (docs/memory-model.md#gguf-keys).
 * - `null` = unknown. The engine never guesses: when a rule needs a null field it throws an
 *   `EngineError` naming the field (src/lib/engine/errors.ts). Omitted fields parse as `null`
 *   (or the documented default), so hand-written presets may leave out what does not apply.
 * - Per-layer arrays have exactly `block_count` entries (or, where llama.cpp allows it, only the
 *   trunk layers `block_count − nextn_predict_layers`; missing tail entries then count as the
 *   hard-coded per-arch default — see each field).
 * - Per-architecture rules that llama.cpp hard-codes in C++ (docs/memory-model.md#kv-layers, #swa-patterns, #hybrid-layer-patterns:
 *   SWA period of gemma3, Gemma 3n's KV-layer cut at 20, which layers of qwen35 are recurrent,
 *   Falcon-H1's parallel hybrid, …) live in the engine keyed by `arch`, NOT here. Fields below
 *   that repeat such a rule are optional overrides / GGUF values.
 */

const uint = z.number().int().nonnegative();
const posInt = z.number().int().positive();

/**
 * Bounded integers (src/schemas/limits.ts): every size that drives work has a ceiling far above
 * any real model, and the error names the limit and what it bounds.
 */
const capped = (base: z.ZodNumber, limit: number, what: string) =>
  base.max(limit, { error: (iss) => `${String(iss.input)} is above the limit of ${limit} (${what})` });
const layers = (base: z.ZodNumber) => capped(base, LIMITS.layers, "layers");
const heads = (base: z.ZodNumber) => capped(base, LIMITS.heads, "attention heads");
const width = (base: z.ZodNumber) => capped(base, LIMITS.width, "a width");
const ffn = (base: z.ZodNumber) => capped(base, LIMITS.ffn, "a feed-forward width");
const cells = (base: z.ZodNumber) => capped(base, LIMITS.cells, "tokens");
const experts = (base: z.ZodNumber) => capped(base, LIMITS.experts, "experts");
const perLayer = <T extends z.ZodType>(item: T) =>
  z.array(item).max(LIMITS.layers, {
    error: (iss) => `${(iss.input as unknown[]).length} entries is above the limit of ${LIMITS.layers} (layers)`,
  });

/**
 * One number for all layers or one per layer. The error is the one of the form the value has
 * (a number or an array), not zod's bare "Invalid input" for a union.
 */
const scalarOrPerLayer = (item: z.ZodNumber) =>
  z.union([item, perLayer(item)], {
    error: (iss) => {
      const forms = ((iss as { errors?: z.core.$ZodIssue[][] }).errors ?? []).filter(
        (list) => !list.some((i) => i.code === "invalid_type" && i.path.length === 0),
      );
      const first = forms[0]?.[0];
      if (!first) return "expected a number or an array of one number per layer";
      return `${first.path.length ? `[${first.path.join(".")}]: ` : ""}${first.message}`;
    },
  });

/** A value that is either one number for all layers or one per layer (GGUF scalar-or-array keys). */
export const PerLayerUintSchema = scalarOrPerLayer(uint);
const PerLayerHeadsSchema = scalarOrPerLayer(heads(uint));
const PerLayerFfnSchema = scalarOrPerLayer(ffn(uint));
export type PerLayerUint = z.infer<typeof PerLayerUintSchema>;

/**
 * Kind of one layer after the per-arch rules are applied (engine `resolveLayers`).
 * - `full`            full-attention KV layer (cache grows with n_ctx)
 * - `swa`             sliding-window / chunked-attention KV layer (iSWA SWA cache)
 * - `recurrent`       recurrent-state layer (Mamba/GDN/RWKV/short-conv …), no KV
 * - `recurrent+full`  both a full KV entry and recurrent state (Falcon-H1 parallel hybrid)
 * - `shared-kv`       reuses an earlier layer's KV (Gemma 3n / Gemma 4 tail): allocates nothing
 * - `none`            no KV and no state (Nemotron-H MLP-only blocks, head_count_kv 0 on Deci)
 * - `mtp`             NextN/MTP layer filtered out of KV and RS (qwen35, step35, …)
 */
export const LayerKindSchema = z.enum(["full", "swa", "recurrent", "recurrent+full", "shared-kv", "none", "mtp"]);
export type LayerKind = z.infer<typeof LayerKindSchema>;

/**
 * Multi-head latent attention (docs/memory-model.md#mla). Present only for MLA models
 * (`deepseek2`, Kimi K2, Kimi-Linear, BailingMoE3 …). llama.cpp's `is_mla()` is true iff both
 * `key_length_mla` and `value_length_mla` are present; a GGUF without them falls back to MHA and
 * must be mapped with `mla: null` and the MHA head counts.
 */
export const MlaSchema = z.strictObject({
  /** `{arch}.attention.kv_lora_rank` (512 on DeepSeek V3). The cache row is kv_lora_rank + rope_dim. */
  kv_lora_rank: width(posInt),
  /** `{arch}.attention.q_lora_rank` (1536 on DeepSeek V3); weights only. null if absent. */
  q_lora_rank: width(uint).nullable().default(null),
  /** `{arch}.rope.dimension_count` = qk_rope_head_dim (64 on DeepSeek V3). */
  rope_dim: width(posInt),
  /** `{arch}.attention.key_length_mla` = qk_nope + qk_rope head dim (192). */
  key_length_mla: width(posInt),
  /** `{arch}.attention.value_length_mla` = v_head_dim (128). */
  value_length_mla: width(posInt),
});
export type Mla = z.infer<typeof MlaSchema>;

/**
 * Recurrent-state family (docs/memory-model.md#recurrent-families). Selects the n_embd_r / n_embd_s formula:
 * - `mamba1`          r = (d_conv−1)·d_inner; s = d_state·d_inner                     (Jamba, Mamba)
 * - `mamba2`          r = (d_conv−1)·(d_inner + 2·n_group·d_state); s = d_state·d_inner
 *                     (Mamba2, Falcon-H1, Granite-hybrid, Nemotron-H)
 * - `gated-delta-net` same formula as mamba2 with the GDN key meanings (Qwen3-Next, Qwen3.5/3.6)
 * - `rwkv6`, `rwkv7`  r = token_shift_count·n_embd; s = n_embd·head_size
 * - `shortconv`       r = n_embd·(l_cache−1); s = 0                                    (LFM2)
 * - `kda`             r = 3·(d_conv−1)·n_head·head_size; s = head_size²·n_head          (Kimi-Linear)
 * - `minimax-linear`  r = 0; s = head_size²·n_head                                      (MiniMax-01)
 */
export const RecurrentFamilySchema = z.enum([
  "mamba1",
  "mamba2",
  "gated-delta-net",
  "rwkv6",
  "rwkv7",
  "shortconv",
  "kda",
  "minimax-linear",
]);
export type RecurrentFamily = z.infer<typeof RecurrentFamilySchema>;

/**
 * Recurrent state dimensions. All fields nullable; the engine requires the ones its family's
 * formula uses and refuses naming the first missing one.
 */
export const RecurrentSpecSchema = z.strictObject({
  family: RecurrentFamilySchema,
  /** `{arch}.ssm.conv_kernel` (d_conv; 4 on Mamba2/GDN). mamba*, gated-delta-net, kda. */
  d_conv: width(posInt).nullable().default(null),
  /** `{arch}.ssm.inner_size` (d_inner). GDN: linear_value_head_dim × linear_num_value_heads. */
  d_inner: width(posInt).nullable().default(null),
  /** `{arch}.ssm.state_size` (d_state). GDN: linear_key_head_dim. */
  d_state: width(posInt).nullable().default(null),
  /** `{arch}.ssm.group_count` (n_group; 0 for Mamba-1). GDN: linear_num_key_heads. */
  n_group: heads(uint).nullable().default(null),
  /** `{arch}.ssm.time_step_rank` (dt_rank; GDN: number of value heads). Weights only. */
  time_step_rank: width(uint).nullable().default(null),
  /**
   * Head size of the state: `{arch}.wkv.head_size` (rwkv6/7), `{arch}.kda.head_dim` (kda), the
   * linear-attention head dim (minimax-linear).
   */
  head_size: width(posInt).nullable().default(null),
  /** Number of state heads for kda / minimax-linear (`{arch}.attention.head_count`). */
  n_head: heads(posInt).nullable().default(null),
  /** `{arch}.token_shift_count` (rwkv6/7; 2 for RWKV-6/7 v1 checkpoints). */
  token_shift_count: width(posInt).nullable().default(null),
  /** `{arch}.shortconv.l_cache` (LFM2, 3). */
  l_cache: width(posInt).nullable().default(null),
});
export type RecurrentSpec = z.infer<typeof RecurrentSpecSchema>;

/** DeepSeek-V3.2 / GLM-DSA lightning indexer: an extra K-only cache (docs/memory-model.md#dsa-indexer). */
export const IndexerSchema = z.strictObject({
  /** `{arch}.attention.indexer.head_count` (64 on V3.2); compute only. */
  head_count: heads(posInt).nullable().default(null),
  /** `{arch}.attention.indexer.key_length` (128): K-cache width per layer, 1 head. */
  key_length: width(posInt),
  /** `{arch}.attention.indexer.top_k` (2048); compute only. */
  top_k: cells(posInt).nullable().default(null),
});
export type Indexer = z.infer<typeof IndexerSchema>;

export const ArchitectureSchema = z.strictObject({
  /**
   * `general.architecture` exactly as llama.cpp spells it: qwen3, qwen35, qwen35moe, qwen3next,
   * llama, llama4, gemma2, gemma3, gemma3n, gemma4, gpt-oss, deepseek2, glm4moe, mamba, mamba2,
   * jamba, granitehybrid, nemotron_h, nemotron_h_moe, falcon-h1, lfm2, rwkv6, rwkv7, phi3,
   * cohere2, … Selects the hard-coded per-arch rules of the engine.
   */
  arch: z.string().min(1).max(LIMITS.name),
  /** Display name (`general.name` or the preset's name). Informational. */
  name: z.string().max(LIMITS.name).nullable().default(null),

  /** `{arch}.block_count` = n_layer_all, INCLUDING NextN/MTP layers kept in the GGUF. */
  block_count: layers(posInt),
  /** `{arch}.nextn_predict_layers` (MTP/NextN layers at the end of the stack; 0 if none). */
  nextn_predict_layers: layers(uint).default(0),
  /** `{arch}.context_length` = n_ctx_train (used when n_ctx = 0). */
  context_length: cells(posInt).nullable().default(null),
  /** `{arch}.embedding_length` = n_embd. */
  n_embd: width(posInt).nullable().default(null),
  /** `{arch}.attention.head_count` (query heads): scalar or per-layer array. */
  n_head: PerLayerHeadsSchema.nullable().default(null),
  /**
   * `{arch}.attention.head_count_kv`: scalar or per-layer array; 0 on a layer = no attention
   * (hybrids mark recurrent layers with 0). Default in llama.cpp = n_head; null here = unknown.
   * MLA GGUFs store 1.
   */
  n_head_kv: PerLayerHeadsSchema.nullable().default(null),
  /** `{arch}.attention.key_length` (K head dim of full layers; MLA: kv_lora_rank + rope = 576). null → n_embd / n_head. */
  key_length: width(posInt).nullable().default(null),
  /** `{arch}.attention.value_length` (V head dim of full layers; MLA: kv_lora_rank = 512). null → n_embd / n_head. */
  value_length: width(posInt).nullable().default(null),
  /** `{arch}.attention.key_length_swa` (K head dim of SWA layers, Gemma 4). null → key_length. */
  key_length_swa: width(posInt).nullable().default(null),
  /** `{arch}.attention.value_length_swa` (V head dim of SWA layers, Gemma 4). null → value_length. */
  value_length_swa: width(posInt).nullable().default(null),

  /** `{arch}.attention.sliding_window` = n_swa (tokens). null = no SWA, or arch default (gemma2 4096, gpt-oss 128, llama4 8192 chunk). */
  sliding_window: cells(posInt).nullable().default(null),
  /**
   * `{arch}.attention.sliding_window_pattern`: a period p (layer il is SWA iff il % p < p − 1, or
   * with `swa_dense_first` iff il % p ≠ 0) or a per-layer bool array (true = SWA). null = the
   * arch's hard-coded pattern (gemma2 2, gemma3 6, gemma3n 5, gpt-oss 2, llama4 4, cohere2 4).
   */
  sliding_window_pattern: z
    .union([layers(posInt), perLayer(z.boolean())])
    .nullable()
    .default(null),
  /** `set_swa_pattern(p, dense_first = true)`: layer il is SWA iff il % p ≠ 0. */
  swa_dense_first: z.boolean().default(false),

  /** MLA latent dims (docs/memory-model.md#mla); null = not MLA. */
  mla: MlaSchema.nullable().default(null),
  /** DSA indexer K cache (deepseek32, glm-dsa); null = none. */
  indexer: IndexerSchema.nullable().default(null),

  /** Recurrent state dims (docs/memory-model.md#recurrent-families); null = no recurrent layers. */
  recurrent: RecurrentSpecSchema.nullable().default(null),
  /**
   * `{arch}.attention.recurrent_layers`: per-layer bool array (true = recurrent). Overrides the
   * arch rule for qwen3next/qwen35/qwen35moe. null = use the arch rule (interval / head_count_kv 0).
   */
  recurrent_layers: perLayer(z.boolean()).nullable().default(null),
  /** `{arch}.full_attention_interval` (Qwen3-Next/3.5: every 4th layer is full attention). null → 4 for those archs. */
  full_attention_interval: layers(posInt).nullable().default(null),

  /** Layers il ≥ this have no own KV (hparams.n_layer_kv_from_start). null → arch rule (gemma3n: 20; gemma4: block_count − shared_kv_layers). */
  n_layer_kv_from_start: layers(uint).nullable().default(null),
  /** `{arch}.attention.shared_kv_layers` (Gemma 4): trailing layers reusing earlier KV. */
  shared_kv_layers: layers(uint).nullable().default(null),

  /** `{arch}.feed_forward_length`: scalar or per-layer array (Nemotron-H uses 0 on Mamba/attention blocks). */
  feed_forward_length: PerLayerFfnSchema.nullable().default(null),
  /** `{arch}.expert_count` (0 / null = dense). */
  expert_count: experts(uint).nullable().default(null),
  /** `{arch}.expert_used_count`. */
  expert_used_count: experts(uint).nullable().default(null),
  /** `{arch}.expert_feed_forward_length` (per-expert FFN width). */
  expert_feed_forward_length: ffn(uint).nullable().default(null),
  /** `{arch}.expert_shared_count` (shared experts, DeepSeek/Qwen-MoE). */
  expert_shared_count: experts(uint).nullable().default(null),
  /** `{arch}.expert_shared_feed_forward_length` (shared-expert FFN width, Qwen-MoE). */
  expert_shared_feed_forward_length: ffn(uint).nullable().default(null),
  /** `{arch}.interleave_moe_layer_step` (Llama 4: layer il is MoE iff (il + 1) % step = 0); weights only. */
  interleave_moe_layer_step: layers(uint).nullable().default(null),
  /** `{arch}.leading_dense_block_count` (DeepSeek: first k dense blocks before MoE). */
  leading_dense_block_count: layers(uint).nullable().default(null),

  /** `{arch}.vocab_size` or length of `tokenizer.ggml.tokens` (logits / output buffer). */
  vocab_size: capped(posInt, LIMITS.vocab, "vocabulary entries").nullable().default(null),
  /** True when the GGUF has no `output.weight` (tied embeddings → token_embd duplicated on the output device, docs/memory-model.md#weights-runtime). */
  tied_embeddings: z.boolean().nullable().default(null),

  /** Total parameter count (text model, incl. embeddings), for the params × bpw fallback and display. */
  n_params: uint.nullable().default(null),
  /** Active parameters per token (MoE), display only. */
  n_params_active: uint.nullable().default(null),
  /** Vision encoder parameters (mmproj), counted only when the weights option asks for it. */
  n_params_vision: uint.nullable().default(null),
});

/** Parsed architecture (all defaults applied). */
export type Architecture = z.infer<typeof ArchitectureSchema>;
/** What a preset file or a caller may write (defaults optional). */
export type ArchitectureInput = z.input<typeof ArchitectureSchema>;
