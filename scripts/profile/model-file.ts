/**
 * What the run records about the model file: name, size, the header (metadata and tensor table,
 * read without touching the weights) and the SHA-256 of the header bytes — bytes [0, dataOffset):
 * magic, metadata, tensor infos and the alignment padding before the tensor data. Two files with
 * the same header hash have the same geometry and tensor types, which is all that sizes memory;
 * hashing the whole file would read gigabytes of weights for nothing.
 */
import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { readGgufHeaderFromPath } from "../../src/lib/gguf/node.ts";
import type { GgufHeader } from "../../src/lib/gguf/header.ts";

export interface ModelFileInfo {
  path: string;
  fileName: string;
  fileBytes: number;
  header: GgufHeader;
  headerSha256: string;
  /** general.architecture */
  arch: string | null;
  /** general.name */
  name: string | null;
  /** general.file_type id, when stated. */
  fileTypeId: number | null;
  /** Token ids the runners may feed as filler: NORMAL tokens of the vocabulary (never control tokens). */
  fillerTokens: number[];
  nVocab: number | null;
}

export class ModelFileError extends Error {}

export async function sha256OfRange(path: string, end: number): Promise<string> {
  const fh = await open(path, "r");
  try {
    const hash = createHash("sha256");
    const buf = Buffer.alloc(1 << 20);
    let pos = 0;
    while (pos < end) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) throw new ModelFileError(`${path}: file ends at ${pos} B, inside its ${end}-byte header`);
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return hash.digest("hex");
  } finally {
    await fh.close();
  }
}

/** Token ids of type NORMAL (1), up to `max`, from `tokenizer.ggml.token_type`. */
export function normalTokens(meta: GgufHeader["metadata"], max = 4096): number[] {
  const types = meta["tokenizer.ggml.token_type"];
  const tokens = meta["tokenizer.ggml.tokens"];
  const out: number[] = [];
  if (Array.isArray(types)) {
    for (let i = 0; i < types.length && out.length < max; i++) if (Number(types[i]) === 1) out.push(i);
  } else if (Array.isArray(tokens)) {
    // no types: skip the first ids, where SentencePiece and GPT-2 vocabularies keep special tokens
    for (let i = Math.min(300, tokens.length - 1); i < tokens.length && out.length < max; i++) out.push(i);
  }
  return out;
}

export async function readModelFile(path: string): Promise<ModelFileInfo> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw new ModelFileError(`--model ${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!st.isFile()) throw new ModelFileError(`--model ${path}: not a regular file`);
  let header: GgufHeader;
  try {
    header = await readGgufHeaderFromPath(path);
  } catch (err) {
    throw new ModelFileError(`--model ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const meta = header.metadata;
  const str = (k: string) => (typeof meta[k] === "string" ? (meta[k] as string) : null);
  const ft = meta["general.file_type"];
  const tokens = meta["tokenizer.ggml.tokens"];
  return {
    path,
    fileName: basename(path),
    fileBytes: st.size,
    header,
    headerSha256: await sha256OfRange(path, header.dataOffset),
    arch: str("general.architecture"),
    name: str("general.name"),
    fileTypeId: typeof ft === "number" || typeof ft === "bigint" ? Number(ft) : null,
    fillerTokens: normalTokens(meta),
    nVocab: Array.isArray(tokens) ? tokens.length : null,
  };
}
