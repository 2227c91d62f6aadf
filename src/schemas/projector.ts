/**
 * Projector facts per catalog preset (data/projectors.json): the vision tower's geometry as the
 * model's published config.json states it (`vision_config`), from which the engine builds the
 * projector's tensor table the way llama.cpp's converter writes an F16 mmproj
 * (src/lib/engine/vision-tensors.ts) — weights exact for that file, tokens and compute by the
 * projector rules (docs/memory-model.md#vision-projectors). The LLM's width comes from the preset.
 */
import { z } from "zod";

export const ProjectorFactsSchema = z
  .object({
    /** Catalog preset id (data/models/<model>.json). */
    model: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    /** llama.cpp's `clip.projector_type`. */
    type: z.enum(["gemma3", "qwen3vl_merger"]),
    /** vision_config: hidden_size, intermediate_size, layers (num_hidden_layers / depth), heads. */
    hiddenSize: z.number().int().positive(),
    intermediateSize: z.number().int().positive(),
    layers: z.number().int().positive().max(256),
    heads: z.number().int().positive(),
    imageSize: z.number().int().positive(),
    patchSize: z.number().int().positive(),
    /** Qwen3-VL family: deepstack_visual_indexes and num_position_embeddings. */
    deepstack: z.array(z.number().int().nonnegative()).default([]),
    positionEmbeddings: z.number().int().positive().nullable().default(null),
    /** Tokens per image the model card or config states (Gemma 3: mm_tokens_per_image); null: by image size. */
    statedTokensPerImage: z.number().int().positive().nullable(),
    source: z.array(z.string().min(1)).min(1),
  })
  .strict();
export type ProjectorFacts = z.infer<typeof ProjectorFactsSchema>;

export const ProjectorsFileSchema = z
  .object({ about: z.string(), projectors: z.array(ProjectorFactsSchema) })
  .strict()
  .refine((f) => new Set(f.projectors.map((p) => p.model)).size === f.projectors.length, "one entry per model");
