/**
 * A GGUF read in the browser, header only (the weights are never read, nothing leaves the
 * machine for a local file): architecture by the GGUF mapping, exact tensor table for weights.
 * Loaded lazily by the island when the user picks a file or a URL.
 */
import { ggufToArchitecture, readGgufHeaderFromBlob, readGgufHeaderFromUrl } from "../gguf/index.ts";
import type { GgufHeader } from "../gguf/index.ts";
import { FTYPE_BY_ID } from "../engine/weights.ts";
import type { TensorTable } from "../../schemas/tensor-table.ts";
import type { LoadedModel } from "./view.ts";

function toLoaded(h: GgufHeader, name: string, url: string | null): LoadedModel {
  const architecture = ggufToArchitecture(h.metadata, { tensors: h.tensors });
  const ft = h.metadata["general.file_type"];
  const tensors = h.tensors.map((t) => ({ name: t.name, dims: t.shape, type: t.type })) as TensorTable;
  return {
    kind: "gguf",
    name,
    architecture,
    tensors,
    tensorsFtype: typeof ft === "number" ? (FTYPE_BY_ID[ft] ?? `ftype ${ft}`) : null,
    fileBytes: h.fileSize,
    url,
  };
}

export async function loadGgufFile(file: File): Promise<LoadedModel> {
  return toLoaded(await readGgufHeaderFromBlob(file, file.name), file.name, null);
}

export async function loadGgufUrl(url: string): Promise<LoadedModel> {
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() || url);
  return toLoaded(await readGgufHeaderFromUrl(url), name, url);
}
