import { z } from "zod";
import { GGML_TYPE_NAMES } from "./ggml-type.ts";

/** A ggml type name the engine knows (the table in ggml-type.ts). */
export const GgmlTypeNameSchema = z.enum(GGML_TYPE_NAMES);

/**
 * A model's tensor table, as read from a GGUF header's tensor infos (docs/memory-model.md#weights-tensor-table) or
 * built by the engine from an architecture and an ftype. The engine sums exact bytes from it:
 * bytes = ne0 / blck(type) × type_size(type) × Π ne[1..].
 */
export const TensorInfoSchema = z.strictObject({
  /** GGUF tensor name, e.g. `token_embd.weight`, `blk.0.attn_v.weight`, `output.weight`. */
  name: z.string().min(1),
  /** Dimensions ne0 first (GGUF order), e.g. token_embd [n_embd, n_vocab]. */
  dims: z.array(z.number().int().nonnegative()).min(1).max(4),
  /** ggml type name (`f32`, `q4_K`, `q6_K` …; map GGUF ids with ggmlTypeNameFromId). */
  type: GgmlTypeNameSchema,
});
export type TensorInfo = z.infer<typeof TensorInfoSchema>;

export const TensorTableSchema = z.array(TensorInfoSchema);
export type TensorTable = z.infer<typeof TensorTableSchema>;
