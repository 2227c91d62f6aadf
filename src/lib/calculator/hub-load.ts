/**
 * Import by Hugging Face id in the browser (loaded lazily with the import box): the Hub's file
 * list, then a GGUF repo's chosen file header (exact tensor table) or config.json + safetensors
 * headers (architecture, parameter count). Every byte fetched is counted and said. The base is a
 * mirror's when the user set one (HF_ENDPOINT's role). docs/memory-model.md#hf-import
 */
import { ggufToArchitecture } from "../gguf/index.ts";
import { FTYPE_BY_ID } from "../engine/weights.ts";
import { GgufChoiceError, importHf, resolveUrl } from "../import/hf-hub.ts";
import type { TensorTable } from "../../schemas/tensor-table.ts";
import { fetchedNote, HF_DEFAULT_BASE } from "./hub-ref.ts";
import type { LoadedModel } from "./view.ts";

export { GgufChoiceError };
// the island reads import failures in words from this lazy chunk (hub-ref.ts pulls the command builder)
export { importFailure } from "./hub-ref.ts";

export interface HfLoadOptions {
  /** The GGUF file of a GGUF repo (null: by the weights ftype in its name, or the only one). */
  file: string | null;
  ftype: string | null;
  base: string | null;
  fetch?: typeof fetch;
}

/** Import `owner/name[@rev]`; throws GgufChoiceError (with the files) when a GGUF repo needs a choice. */
export async function loadHf(id: string, o: HfLoadOptions): Promise<LoadedModel> {
  const endpoint = (o.base ?? HF_DEFAULT_BASE).replace(/\/+$/, "");
  const r = await importHf(id, { endpoint, ggufFile: o.file, ftype: o.file ? null : o.ftype, fetch: o.fetch });
  if (r.kind === "gguf") {
    const h = r.headers[0];
    const ft = h.metadata["general.file_type"];
    const tensors = r.headers.flatMap((x) =>
      x.tensors.map((t) => ({ name: t.name, dims: t.shape, type: t.type })),
    ) as TensorTable;
    const split = r.headers.length > 1 ? `, ${r.headers.length} splits` : "";
    return {
      kind: "hf",
      name: `${r.spec.repo}/${r.file}`,
      architecture: ggufToArchitecture(h.metadata, { tensors: r.headers.flatMap((x) => x.tensors) }),
      tensors,
      tensorsFtype: typeof ft === "number" ? (FTYPE_BY_ID[ft] ?? `ftype ${ft}`) : null,
      fileBytes: r.headers.reduce((s, x) => s + (x.fileSize ?? 0), 0) || null,
      url: resolveUrl(endpoint, r.spec, r.file),
      hfFile: r.file,
      importNote: fetchedNote(r.bytes, r.requests, `file list, GGUF header of ${r.file}${split}`),
    };
  }
  const st = r.safetensors;
  const what = st ? `file list, config.json, ${st.files} safetensors header(s)` : "file list, config.json";
  const defaults = r.arch.defaulted.length
    ? ` Keys taken from transformers' defaults: ${r.arch.defaulted.join(", ")}.`
    : "";
  return {
    kind: "hf",
    name: r.spec.rev === "main" ? r.spec.repo : `${r.spec.repo}@${r.spec.rev}`,
    architecture: r.arch.architecture,
    tensors: null,
    tensorsFtype: null,
    fileBytes: null,
    url: null,
    importNote: `${fetchedNote(r.bytes, r.requests, what)} Mapped ${r.arch.hfClass} → llama.cpp ${r.arch.architecture.arch}; weights sized for the chosen ftype.${defaults}`,
  };
}
