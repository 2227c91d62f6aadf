/**
 * Import a model by its Ollama tag (browser-safe) through the registry's OCI layout:
 * `<base>/v2/<namespace>/<name>/manifests/<tag>` lists the layers; the model layer
 * (application/vnd.ollama.image.model) is a GGUF and the projector layer
 * (application/vnd.ollama.image.projector) an mmproj GGUF, both read header-only by range requests
 * on `<base>/v2/<namespace>/<name>/blobs/<digest>` (the registry redirects to its blob store; each
 * response is bounded again there). Base: `OLLAMA_REGISTRY`, default https://registry.ollama.ai.
 */
import { readGgufHeaderFrom, urlSource } from "../gguf/header.ts";
import type { GgufHeader } from "../gguf/header.ts";
import { READ_CHUNK } from "../gguf/parse.ts";
import { FetchMeter, getJson, ImportError, meteredFetch } from "./http.ts";

export const OLLAMA_DEFAULT_REGISTRY = "https://registry.ollama.ai";

export const OLLAMA_MEDIA = {
  model: "application/vnd.ollama.image.model",
  projector: "application/vnd.ollama.image.projector",
} as const;

export interface OllamaSpec {
  namespace: string;
  name: string;
  tag: string;
}

/** `name[:tag]` or `namespace/name[:tag]`; the tag defaults to `latest` as in `ollama pull`. */
export function parseOllamaSpec(s: string): OllamaSpec {
  const m = /^(?:([a-z0-9][a-z0-9._-]{0,63})\/)?([a-z0-9][a-z0-9._-]{0,127})(?::([\w][\w.-]{0,127}))?$/i.exec(s);
  if (!m || s.includes(".."))
    throw new ImportError(`ollama:${s}: not an Ollama tag (name[:tag] or namespace/name[:tag])`);
  return { namespace: m[1] ?? "library", name: m[2], tag: m[3] ?? "latest" };
}

export interface OllamaLayer {
  mediaType: string;
  digest: string;
  size: number;
}

export interface OllamaImport {
  spec: OllamaSpec;
  model: { layer: OllamaLayer; header: GgufHeader };
  projector: { layer: OllamaLayer; header: GgufHeader } | null;
  bytes: number;
  requests: number;
}

function layersOf(manifest: unknown, where: string): OllamaLayer[] {
  const layers = (manifest as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers)) throw new ImportError(`${where}: the manifest has no "layers" list`);
  return layers.map((l, i) => {
    const x = l as Partial<OllamaLayer>;
    if (typeof x?.mediaType !== "string" || typeof x.digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(x.digest))
      throw new ImportError(`${where}: layers[${i}] has no mediaType or a digest that is not sha256:<64 hex>`);
    return { mediaType: x.mediaType, digest: x.digest, size: typeof x.size === "number" ? x.size : 0 };
  });
}

const explain = (tag: string) => (status: number) =>
  status === 404
    ? `no such model or tag ${tag} in the registry`
    : status === 401 || status === 403
      ? `the registry refused access to ${tag}`
      : `the registry did not serve ${tag}`;

/** Fetch the manifest and read the model (and projector) GGUF headers. */
export async function importOllama(
  spec: string,
  opts: { registry?: string; fetch?: typeof fetch } = {},
): Promise<OllamaImport> {
  const s = parseOllamaSpec(spec);
  const base = (opts.registry ?? OLLAMA_DEFAULT_REGISTRY).replace(/\/+$/, "");
  const meter = new FetchMeter();
  const repo = `${base}/v2/${s.namespace}/${s.name}`;
  const url = `${repo}/manifests/${encodeURIComponent(s.tag)}`;
  const tag = `${s.namespace === "library" ? "" : `${s.namespace}/`}${s.name}:${s.tag}`;
  const manifest = await getJson(url, meter, explain(tag), {
    fetch: opts.fetch,
    headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" },
  });
  const layers = layersOf(manifest, url);
  const model = layers.find((l) => l.mediaType === OLLAMA_MEDIA.model);
  if (!model) throw new ImportError(`${url}: no ${OLLAMA_MEDIA.model} layer (is ${tag} a model?)`);
  const proj = layers.find((l) => l.mediaType === OLLAMA_MEDIA.projector) ?? null;
  const rf = meteredFetch(meter, READ_CHUNK, opts.fetch);
  const read = (l: OllamaLayer) => {
    const blob = `${repo}/blobs/${l.digest}`;
    return readGgufHeaderFrom(urlSource(blob, rf), `${tag} ${l.mediaType.split(".").pop()} blob ${blob}`);
  };
  const modelHeader = await read(model);
  const projHeader = proj ? await read(proj) : null;
  return {
    spec: s,
    model: { layer: model, header: modelHeader },
    projector: proj && projHeader ? { layer: proj, header: projHeader } : null,
    bytes: meter.bytes,
    requests: meter.requests,
  };
}
