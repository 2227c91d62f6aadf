/**
 * `--model hf:<owner/name>[@rev]` and `--model ollama:<name[:tag]>` for `npm run calc`: import
 * through src/lib/import (Hugging Face Hub / Ollama registry HTTP layouts, header-only reads) and
 * turn the result into a LoadedModel. Bases: --hf-endpoint / HF_ENDPOINT, --ollama-registry /
 * OLLAMA_REGISTRY.
 */
import { ggufToArchitecture } from "../../src/lib/gguf/map.ts";
import { FALLBACK_WEIGHTS_FTYPE } from "../../src/lib/catalog/weights.ts";
import { HfConfigError } from "../../src/lib/import/hf-config.ts";
import { HF_DEFAULT_ENDPOINT, importHf } from "../../src/lib/import/hf-hub.ts";
import { ImportError, normaliseBase } from "../../src/lib/import/http.ts";
import { importOllama, OLLAMA_DEFAULT_REGISTRY } from "../../src/lib/import/ollama.ts";
import { GgufReadError } from "../../src/lib/gguf/header.ts";
import { formatBinary } from "../../src/lib/format.ts";
import { headerToModel, ModelLoadError } from "./loaded-model.ts";
import type { LoadedModel } from "./loaded-model.ts";

export interface ImportOptions {
  ggufFile?: string | null;
  /** The --weights ftype: picks a GGUF repo's file. */
  ftype?: string | null;
  hfEndpoint?: string | null;
  ollamaRegistry?: string | null;
  fetch?: typeof fetch;
}

const fetchedLine = (bytes: number, requests: number, what: string): string =>
  `fetched ${bytes.toLocaleString("en-US")} B in ${requests} request${requests === 1 ? "" : "s"} (${what}); nothing else downloaded`;

async function fromHf(rest: string, o: ImportOptions): Promise<LoadedModel> {
  const endpoint = normaliseBase(o.hfEndpoint ?? process.env.HF_ENDPOINT ?? HF_DEFAULT_ENDPOINT, "HF_ENDPOINT");
  const r = await importHf(rest, { endpoint, ggufFile: o.ggufFile, ftype: o.ftype, fetch: o.fetch });
  const id = `hf:${r.spec.repo}@${r.spec.rev}`;
  if (r.kind === "gguf") {
    const m = headerToModel({ ggufToArchitecture }, r.headers, `${id} ${r.file}`);
    const split = r.headers.length > 1 ? `, ${r.headers.length} splits` : "";
    return { ...m, notes: [fetchedLine(r.bytes, r.requests, `file list, GGUF header of ${r.file}${split}`)] };
  }
  const st = r.safetensors;
  const dtypes = st
    ? Object.entries(st.dtypes)
        .map(([d, n]) => `${d} ${n.toLocaleString("en-US")}`)
        .join(", ")
    : null;
  const notes = [
    fetchedLine(
      r.bytes,
      r.requests,
      st ? `file list, config.json, ${st.files} safetensors header(s)` : "file list, config.json",
    ),
    `mapped ${r.arch.hfClass} → llama.cpp ${r.arch.architecture.arch}` +
      (st
        ? `; checkpoint ${st.nParams.toLocaleString("en-US")} parameters (${dtypes})`
        : "; no safetensors: parameter count unknown"),
  ];
  if (r.arch.defaulted.length > 0) notes.push(defaultsNote(r.arch.defaulted, r.arch.architecture.arch));
  return {
    architecture: r.arch.architecture,
    tensors: null,
    tensorsFtype: null,
    weights: null,
    source: `${id} config.json`,
    tagFtype: FALLBACK_WEIGHTS_FTYPE,
    tagFtypeBasis: `the default for an imported config; --weights <ftype> for another`,
    notes,
  };
}

/** Omitted config keys took the transformers class defaults, as llama.cpp's converter does (AutoConfig). */
function defaultsNote(keys: string[], arch: string): string {
  const vocab =
    arch === "gemma3" && keys.some((k) => k.startsWith("vocab_size"))
      ? "; llama.cpp's converter sizes the embedding by the tokenizer instead (Gemma3Model.modify_tensors drops rows past it), which is not read here, so the embedding and output weights may be over-counted by those rows"
      : "";
  return `config.json omits ${keys.length} key(s), taken from the transformers defaults as llama.cpp's converter does: ${keys.join(", ")}${vocab}`;
}

async function fromOllama(rest: string, o: ImportOptions): Promise<LoadedModel> {
  const registry = normaliseBase(
    o.ollamaRegistry ?? process.env.OLLAMA_REGISTRY ?? OLLAMA_DEFAULT_REGISTRY,
    "OLLAMA_REGISTRY",
  );
  const r = await importOllama(rest, { registry, fetch: o.fetch });
  const tag = `ollama:${r.spec.namespace === "library" ? "" : `${r.spec.namespace}/`}${r.spec.name}:${r.spec.tag}`;
  const m = headerToModel(
    { ggufToArchitecture },
    [r.model.header],
    `${tag} (model blob ${r.model.layer.digest.slice(0, 19)})`,
  );
  const notes = [
    fetchedLine(r.bytes, r.requests, `manifest, model GGUF header${r.projector ? ", projector GGUF header" : ""}`),
  ];
  if (r.projector) {
    const p = r.projector.header;
    notes.push(
      `projector blob: ${formatBinary(p.tensorBytes)} of tensors (exact, ${p.tensors.length} tensors, ` +
        `${String(p.metadata["general.architecture"] ?? "?")}); counted with --images N`,
    );
  }
  return { ...m, notes, projector: r.projector?.header ?? null };
}

/** Import an `hf:` or `ollama:` model; every failure is a ModelLoadError (exit 1) in words. */
export async function importModel(spec: string, o: ImportOptions = {}): Promise<LoadedModel> {
  const i = spec.indexOf(":");
  const scheme = spec.slice(0, i).toLowerCase();
  const rest = spec.slice(i + 1);
  try {
    return scheme === "hf" ? await fromHf(rest, o) : await fromOllama(rest, o);
  } catch (e) {
    if (e instanceof ImportError || e instanceof HfConfigError || e instanceof GgufReadError)
      throw new ModelLoadError(`${spec}: ${e.message}`);
    throw e;
  }
}
