import { z } from "zod";
import { ArchitectureSchema } from "./architecture.ts";

/**
 * A model preset (data/models/<id>.json): what a user picks in the calculator and what the
 * /models table lists. The memory-relevant facts live in `architecture` (the engine's schema);
 * the rest is provenance and display. Unknown values are null, never guessed.
 */

const uint = z.number().int().nonnegative();
const slug = z.string().regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, "expected a lower-case slug");
const variantId = z.string().regex(/^[a-z0-9]+(?:[-._][a-z0-9]+)*$/, "expected a lower-case id (a-z, 0-9, - . _)");

/** verified = HF config.json / official card; corroborated = ≥ 2 independent derived sources agree; partial = KV numbers corroborated, other fields inferred. */
export const ModelStatusSchema = z.enum(["verified", "corroborated", "partial"]);
export type ModelStatus = z.infer<typeof ModelStatusSchema>;

/**
 * How trustworthy a weight size is:
 * - `exact`     bytes of the tensor data or the file, to the byte
 * - `displayed` a rounded size as a listing displays it ("17GB" on ollama.com; decimal units)
 * - `estimated` params × typical bpw of the ftype (data/quants/weight-ftypes.json)
 */
export const WeightBytesKindSchema = z.enum(["exact", "displayed", "estimated"]);
export type WeightBytesKind = z.infer<typeof WeightBytesKindSchema>;

/** How reliable the listing itself is (verified: read from the listing itself; secondary: a
 * third-party copy of the listing; unverified: a single weak source). */
export const ListingStatusSchema = z.enum(["verified", "secondary", "unverified"]);
export type ListingStatus = z.infer<typeof ListingStatusSchema>;

/** One downloadable weight file of the model: an Ollama tag or a GGUF on a hub. */
export const WeightVariantSchema = z.strictObject({
  /** Unique within the model: `ollama-qwen3.5-27b`, `gguf-q4_k_m`. */
  id: variantId,
  /** Ollama tag as pulled (`qwen3.5:27b`), null for non-Ollama files. */
  ollamaTag: z.string().nullable(),
  /** Other tags that pull the same blob (`qwen3.5:latest`). */
  aliases: z.array(z.string()),
  /** Who publishes the file when not Ollama's library (`bartowski`, `unsloth`, a measurement). */
  publisher: z.string().nullable(),
  /** Weight ftype id (data/quants/weight-ftypes.json), null when the listing does not say. */
  ftype: z.string().nullable(),
  /** What the listing says about the quant, verbatim ("Q4_K_M? (not shown)"). */
  ftypeStated: z.string().nullable(),
  /** Bytes, null when no size is known. */
  bytes: uint.nullable(),
  bytesKind: WeightBytesKindSchema,
  /** Verbatim size as listed ("17GB", "~9.0–9.3GB"). */
  statedAs: z.string().nullable(),
  /** The blob includes a vision tower (Ollama's qwen3.5 blobs do). null = unknown. */
  includesVision: z.boolean().nullable(),
  listingStatus: ListingStatusSchema,
  source: z.string().min(1),
  notes: z.string().nullable(),
  /** This variant is the preset's default weights (calculator and CLI); at most one per preset. */
  default: z.boolean().optional(),
});
export type WeightVariant = z.infer<typeof WeightVariantSchema>;

/**
 * Per-token and per-sequence figures computed BY HAND from the model's config.json with llama.cpp's
 * rules (docs/memory-model.md), independently of the engine. The catalog test compares the engine with them;
 * they are never shown as our result.
 */
export const ModelReferenceSchema = z.strictObject({
  /** K+V bytes per cell over full-context KV layers at f16 (MLA: K only). */
  kvBytesPerTokenF16: uint,
  /** K+V bytes per cell over SWA / chunked layers at f16. */
  swaKvBytesPerCellF16: uint,
  /** Recurrent conv + SSM state per sequence, f32. */
  recurrentStateBytesPerSeqF32: uint,
  /** Layers with a KV tensor (full + SWA). */
  kvLayers: uint,
  /** Layers with recurrent state. */
  recurrentLayers: uint,
  /** Where the figures come from. */
  source: z.string().min(1),
  /** The hand computation's own caveats (caveats the hand computation recorded). */
  notes: z.array(z.string()),
});
export type ModelReference = z.infer<typeof ModelReferenceSchema>;

/**
 * A source: a URL or `repo@commit: path`. A URL in it must parse (pages link it), so a typo fails
 * validation naming the file and the field instead of crashing the build in `new URL`.
 */
const SourceEntrySchema = z
  .string()
  .min(1)
  .refine((s) => [...s.matchAll(/https?:\/\/\S+/g)].every((m) => URL.canParse(m[0].replace(/[),.;]+$/, ""))), {
    error: (iss) => `not a valid URL: ${JSON.stringify(String(iss.input).slice(0, 120))}`,
  });

export const ModelSchema = z.strictObject({
  /** Equals the file name without `.json`: qwen3-14b, qwen3.5-27b. */
  id: slug,
  /** Display name: "Qwen3.5-27B". */
  name: z.string().min(1),
  family: z.string().min(1),
  /** Hugging Face repo id of the checkpoint the architecture describes. */
  hfId: z.string().nullable(),
  params: z.strictObject({
    /** Nominal total parameters, billions (model card / name). */
    totalB: z.number().positive().nullable(),
    /** Active parameters per token for MoE, billions. */
    activeB: z.number().positive().nullable(),
    /** "Effective" parameters (Gemma 3n E2B/E4B), billions. */
    effectiveB: z.number().positive().nullable(),
  }),
  context: z.strictObject({
    /** Context the model was trained / advertised for. */
    native: uint.nullable(),
    /** Largest supported context (with YaRN etc.); equals native when nothing larger is documented. */
    max: uint.nullable(),
    /** HF `max_position_embeddings` (≠ usable context for some models). */
    maxPositionEmbeddings: uint.nullable(),
  }),
  /** License name (SPDX id where one exists), null if unknown. */
  license: z.string().nullable(),
  status: ModelStatusSchema,
  /** Sources of the architecture (URLs or repo@commit: path), first = primary. */
  source: z.array(SourceEntrySchema).min(1),
  /** HF-side description of the attention layout (the config.json's attention type and layer pattern). */
  attention: z.strictObject({
    type: z.string().nullable(),
    layerPattern: z.string().nullable(),
  }),
  /** The checkpoint ships a vision encoder (counts toward weights in multimodal blobs). */
  visionEncoder: z.boolean().nullable(),
  notes: z.string().nullable(),
  /** The engine's architecture schema (src/schemas/architecture.ts), llama.cpp/GGUF semantics. */
  architecture: ArchitectureSchema,
  reference: ModelReferenceSchema,
  weights: z
    .array(WeightVariantSchema)
    .refine(
      (ws) => ws.filter((w) => w.default === true).length <= 1,
      "at most one weight variant may be marked default",
    )
    .refine(
      (ws) => ws.every((w) => w.default !== true || w.ftype !== null),
      "the default weight variant must name its ftype (the calculator sizes weights by ftype)",
    ),
});
export type Model = z.infer<typeof ModelSchema>;
/** What a preset file holds before defaults (architecture fields may be omitted). */
export type ModelInput = z.input<typeof ModelSchema>;
