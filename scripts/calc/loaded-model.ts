/**
 * What `--model` resolves to (a model the engine can size), the error it throws, and the one
 * GGUF-header → model conversion shared by local files, URLs and imports.
 */
import type { Architecture } from "../../src/schemas/architecture.ts";
import { GgmlTypeNameSchema, type TensorTable } from "../../src/schemas/tensor-table.ts";
import type { WeightVariant } from "../../src/schemas/model.ts";
import { FTYPE_BY_ID } from "../../src/lib/engine/ftypes.ts";
import type { GgufHeader } from "../../src/lib/gguf/header.ts";
import type { ggufToArchitecture } from "../../src/lib/gguf/map.ts";

/** A model the engine can size; `tensors` when the source had a tensor table. */
export interface LoadedModel {
  readonly architecture: Architecture;
  readonly tensors: TensorTable | null;
  readonly tensorsFtype: string | null;
  /** A preset's listed weight variants; null for a bare architecture or a GGUF. */
  readonly weights: WeightVariant[] | null;
  readonly source: string;
  /** Weight file type named by an Ollama tag's suffix (`qwen3:14b-q8_0` → Q8_0), else null. */
  readonly tagFtype?: string | null;
  /** Why tagFtype was chosen, in words (default: "the tag"). */
  readonly tagFtypeBasis?: string;
  /** A projector GGUF header that came with the model (an Ollama projector layer). */
  readonly projector?: GgufHeader | null;
  /** Lines printed above the breakdown (an import's bytes fetched, what was estimated). */
  readonly notes?: readonly string[];
}

/** Input problem with the model (exit 1): message names the file / field. */
export class ModelLoadError extends Error {}

/** A read GGUF header (or the headers of a split GGUF, first split first) as a sizable model. */
export function headerToModel(
  gguf: { ggufToArchitecture: typeof ggufToArchitecture },
  headers: readonly GgufHeader[],
  label: string,
): LoadedModel {
  const all = headers.flatMap((h) => h.tensors);
  let arch: Architecture;
  try {
    arch = gguf.ggufToArchitecture(headers[0].metadata, { tensors: all });
  } catch (e) {
    throw new ModelLoadError(`${label}: ${(e as Error).message}`);
  }
  const tensors: TensorTable = all.map((t) => {
    const type = GgmlTypeNameSchema.safeParse(t.type);
    if (!type.success)
      throw new ModelLoadError(`${label}: tensor ${t.name} has ggml type "${t.type}" the engine does not know`);
    return { name: t.name, dims: t.shape, type: type.data };
  });
  const ft = headers[0].metadata["general.file_type"];
  const tensorsFtype = typeof ft === "number" ? (FTYPE_BY_ID[ft] ?? `file_type ${ft}`) : null;
  return { architecture: arch, tensors, tensorsFtype, weights: null, source: label };
}
