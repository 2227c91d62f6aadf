/**
 * Read a GGUF header — metadata and tensor infos, never the weights. Browser-safe (no fs).
 * Sources:
 * - a `Blob` / `File` (browser upload, or node's file-backed Blob from `./node.ts`): ranges come
 *   from `Blob.slice()`, so only the header's bytes are ever loaded;
 * - an http(s) URL: HTTP range requests (a server that ignores `Range` is refused, not
 *   downloaded).
 * Reads go in 2 MB chunks, so a header costs at most its own size plus one chunk.
 */
import { ggmlTensorBytes, ggmlTypeById } from "./ggml-types.ts";
import { GgufParseError, parseGgufHeader, READ_CHUNK } from "./parse.ts";
import type { GgufKvType, GgufValue, RangeSource } from "./parse.ts";

export type { GgufKvType, GgufValue, RangeSource } from "./parse.ts";
export { READ_CHUNK } from "./parse.ts";
export type GgufMetadata = Record<string, GgufValue>;

export interface GgufTensor {
  name: string;
  /** ne0 first. */
  shape: number[];
  /** ggml type id as stored. */
  typeId: number;
  /** ggml type name (`q4_K`, `f32` …). */
  type: string;
  /** Offset inside the data section. */
  offset: number;
  /** Exact bytes: ne0 / blck × type_size × Π ne[1..] (`ggml_nbytes`). */
  bytes: number;
  elements: number;
}

export interface GgufHeader {
  version: number;
  metadata: GgufMetadata;
  /** GGUF value type of every key (arrays with their element type). */
  types: Record<string, GgufKvType>;
  tensors: GgufTensor[];
  /** Absolute offset of the data section: header end padded to `alignment`. */
  dataOffset: number;
  alignment: number;
  /** Σ tensor bytes: llama.cpp's model size (`print_info: file size`). */
  tensorBytes: number;
  /** Σ tensor elements (parameter count as llama.cpp counts it). */
  nParams: number;
  /** Total file size when the source knows it. */
  fileSize: number | null;
  /** Bytes read from the source to parse the header. */
  bytesRead: number;
  /** URL, file name or path. */
  source: string;
}

export class GgufReadError extends Error {}

/** A range source over a Blob (a browser `File`, or node's `fs.openAsBlob`). */
export function blobSource(blob: Blob): RangeSource {
  return {
    size: blob.size,
    async read(start, end) {
      return new Uint8Array(await blob.slice(start, Math.min(end, blob.size)).arrayBuffer());
    },
  };
}

/** A range source over HTTP(S) range requests. */
export function urlSource(url: string, fetchImpl: typeof fetch = fetch): RangeSource {
  const src: RangeSource = {
    size: null,
    async read(start, end) {
      if (src.size !== null && start >= src.size) return new Uint8Array(0);
      const res = await fetchImpl(url, { headers: { Range: `bytes=${start}-${end - 1}` } });
      if (res.status === 416) return new Uint8Array(0);
      if (res.status !== 206) {
        await res.body?.cancel();
        throw new GgufReadError(
          res.ok
            ? `${url}: the server ignored the Range request (HTTP ${res.status}); refusing to download the whole file`
            : `${url}: HTTP ${res.status} ${res.statusText}`,
        );
      }
      const total = res.headers.get("content-range")?.match(/\/\s*(\d+)\s*$/)?.[1];
      if (total !== undefined) src.size = Number(total);
      const buf = new Uint8Array(await res.arrayBuffer());
      if (buf.length > end - start)
        throw new GgufReadError(`${url}: server sent ${buf.length} B for a ${end - start} B range`);
      return buf;
    },
  };
  return src;
}

const padTo = (x: number, n: number): number => Math.ceil(x / n) * n;

/** Parse a header from any range source. `label` names the source in errors. */
export async function readGgufHeaderFrom(src: RangeSource, label: string): Promise<GgufHeader> {
  let parsed;
  try {
    parsed = await parseGgufHeader(src, label);
  } catch (err) {
    if (err instanceof GgufParseError || err instanceof GgufReadError)
      throw new GgufReadError(err.message, { cause: err });
    throw new GgufReadError(`${label}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const { header, bytesRead } = parsed;
  const alignRaw = header.metadata["general.alignment"];
  const alignment = alignRaw === undefined ? 32 : Number(alignRaw);
  if (!Number.isInteger(alignment) || alignment <= 0)
    throw new GgufReadError(`${label}: general.alignment ${String(alignRaw)} is not valid`);

  let tensorBytes = 0;
  let nParams = 0;
  const tensors: GgufTensor[] = header.tensorInfos.map((t) => {
    let info;
    try {
      info = ggmlTypeById(t.typeId);
    } catch {
      throw new GgufReadError(`${label}: tensor ${t.name} has ggml type id ${t.typeId}, unknown to upstream llama.cpp`);
    }
    const bytes = Number(ggmlTensorBytes(info, t.shape));
    const elements = t.shape.reduce((a, b) => a * b, 1);
    tensorBytes += bytes;
    nParams += elements;
    return { name: t.name, shape: t.shape, typeId: t.typeId, type: info.name, offset: t.offset, bytes, elements };
  });

  return {
    version: header.version,
    metadata: header.metadata,
    types: header.types,
    tensors,
    dataOffset: padTo(header.headerEnd, alignment),
    alignment,
    tensorBytes,
    nParams,
    fileSize: src.size,
    bytesRead,
    source: label,
  };
}

/** Read the header of a `Blob` / `File`. */
export async function readGgufHeaderFromBlob(blob: Blob, name?: string): Promise<GgufHeader> {
  const label = name ?? (typeof File !== "undefined" && blob instanceof File ? blob.name : "blob");
  return readGgufHeaderFrom(blobSource(blob), label);
}

/** Read the header of a GGUF at an http(s) URL with range requests. */
export async function readGgufHeaderFromUrl(url: string, opts: { fetch?: typeof fetch } = {}): Promise<GgufHeader> {
  if (!/^https?:\/\//i.test(url)) throw new GgufReadError(`${url}: not an http(s) URL`);
  return readGgufHeaderFrom(urlSource(url, opts.fetch), url);
}

/** Bytes a header read may cost at most: the header plus one read chunk. */
export function maxHeaderReadBytes(dataOffset: number): number {
  return dataOffset + READ_CHUNK;
}
