/**
 * Incremental GGUF header parser (docs/memory-model.md#weights-tensor-table): magic, version, tensor and KV counts,
 * typed KV pairs, tensor infos. It reads from any range source and never touches tensor data.
 *
 * Why not @huggingface/gguf's parser: it copies every string out of a resizable ArrayBuffer and
 * re-parses a whole array when it straddles a chunk, which takes ~300 ms on a 152k-token
 * vocabulary; this one decodes views in place and resumes at the KV pair that ran short. The
 * tests parse the same files with @huggingface/gguf and require identical results.
 */
import { LIMITS, overLimit } from "../../schemas/limits.ts";
import { Cursor, NeedMore } from "./cursor.ts";
import { GGUF_TYPE_NAMES, GgufParseError } from "./raw-types.ts";
import type { GgufKvType, GgufRawHeader, GgufRawTensorInfo, GgufValue, RangeSource } from "./raw-types.ts";

export * from "./raw-types.ts";

// Header counts are bounded before anything is allocated (src/schemas/limits.ts).
const MAX_KV = LIMITS.ggufKv;
const MAX_TENSORS = LIMITS.ggufTensors;

/** Chunk size of each read; a header costs at most its own size plus one chunk. */
export const READ_CHUNK = 2 * 1024 * 1024;

/**
 * Feeds a Cursor from a range source: `resumable(step)` runs a step until it completes, fetching
 * more bytes whenever it runs short. A step may commit progress (`c.committed = c.pos` after each
 * finished item); a retry resumes there.
 */
class ChunkedReader {
  readonly c = new Cursor();
  bytesRead = 0;
  /** Backing store of c.buf, grown by doubling so that each byte is copied O(1) times. */
  private store = new Uint8Array(0);
  private readonly src: RangeSource;
  private readonly label: string;

  constructor(src: RangeSource, label: string) {
    this.src = src;
    this.label = label;
  }

  /** Read whole chunks past what we have, enough to cover `needRel` (relative to c.base). */
  async grow(needRel: number): Promise<void> {
    const { c, src } = this;
    const have = c.base + c.buf.length;
    const need = c.base + needRel;
    let end = have;
    while (end < need) end += READ_CHUNK;
    if (src.size !== null) end = Math.min(end, src.size);
    const more = await src.read(have, end);
    this.bytesRead += more.length;
    if (more.length < end - have || (src.size !== null && end >= src.size)) c.eof = true;
    // Linear cost: bytes of finished steps are dropped, and the buffer grows by doubling its
    // capacity (appending in place while it fits).
    const keep = c.buf.subarray(c.pos); // the step restarts at c.pos; what lies before it is parsed
    const size = keep.length + more.length;
    const offset = keep.byteOffset - this.store.byteOffset;
    if (offset + size <= this.store.length) {
      this.store.set(more, offset + keep.length);
      c.buf = this.store.subarray(offset, offset + size);
    } else {
      const next = new Uint8Array(Math.max(2 * size, 2 * READ_CHUNK));
      next.set(keep, 0);
      next.set(more, keep.length);
      this.store = next;
      c.buf = next.subarray(0, size);
    }
    c.base += c.pos;
    c.pos = 0;
    c.view = new DataView(c.buf.buffer, c.buf.byteOffset, c.buf.byteLength);
    if (more.length === 0 && need > have) throw new GgufParseError(`${this.label}: header truncated at byte ${have}`);
  }

  async resumable<T>(step: () => T): Promise<T> {
    const c = this.c;
    c.committed = c.pos;
    for (;;) {
      try {
        return step();
      } catch (e) {
        if (!(e instanceof NeedMore)) {
          if (e instanceof GgufParseError) throw new GgufParseError(`${this.label}: ${e.message}`);
          throw e;
        }
        c.pos = c.committed;
        await this.grow(e.need);
        c.committed = c.pos; // grow rebased the buffer: the resume point is now its start
      }
    }
  }
}

/** Magic, version, tensor count and KV count. */
function preamble(c: Cursor): readonly [number, number, number] {
  const magic = c.u32();
  if (magic !== 0x46554747)
    throw new GgufParseError(`not a GGUF file (magic ${magic.toString(16).padStart(8, "0")}, expected "GGUF")`);
  const ver = c.u32();
  if (ver !== 2 && ver !== 3) throw new GgufParseError(`unsupported GGUF version ${ver} (this reader handles 2 and 3)`);
  return [ver, c.u64n(), c.u64n()] as const;
}

/** The metadata pairs, committing after each (a retry resumes at the pair that ran short). */
async function readMetadata(
  r: ChunkedReader,
  nKv: number,
): Promise<{ metadata: Record<string, GgufValue>; types: Record<string, GgufKvType> }> {
  const c = r.c;
  const metadata: Record<string, GgufValue> = {};
  const types: Record<string, GgufKvType> = {};
  let kvDone = 0;
  await r.resumable(() => {
    for (; kvDone < nKv; kvDone++, c.committed = c.pos) {
      const key = c.string();
      const t = c.u32();
      if (t > 12) throw new GgufParseError(`key ${key}: unknown value type ${t}`);
      const start = c.pos;
      const value = c.value(t);
      metadata[key] = value;
      types[key] =
        t === 9
          ? { type: "array", itemType: GGUF_TYPE_NAMES[c.view.getUint32(start, true)] }
          : { type: GGUF_TYPE_NAMES[t] };
    }
  });
  return { metadata, types };
}

/** All tensor infos in one synchronous loop, committing after each (no await per tensor). */
async function readTensorInfos(r: ChunkedReader, nTensors: number): Promise<GgufRawTensorInfo[]> {
  const c = r.c;
  const tensorInfos: GgufRawTensorInfo[] = [];
  await r.resumable(() => {
    while (tensorInfos.length < nTensors) {
      const name = c.string();
      const nd = c.u32();
      if (nd < 1 || nd > 4) throw new GgufParseError(`tensor ${name}: ${nd} dimensions`);
      const shape: number[] = [];
      for (let d = 0; d < nd; d++) shape.push(c.u64n());
      const typeId = c.u32();
      const offset = c.u64n();
      tensorInfos.push({ name, shape, typeId, offset });
      c.committed = c.pos;
    }
  });
  return tensorInfos;
}

/**
 * Parse the header from a range source, reading chunk by chunk only as far as the header goes.
 * Returns the header and the number of bytes read.
 */
export async function parseGgufHeader(
  src: RangeSource,
  label: string,
): Promise<{ header: GgufRawHeader; bytesRead: number }> {
  const r = new ChunkedReader(src, label);
  await r.grow(Math.min(READ_CHUNK, src.size ?? READ_CHUNK));
  const [version, nTensors, nKv] = await r.resumable(() => preamble(r.c));
  if (nKv > MAX_KV)
    throw new GgufParseError(`${label}: ${overLimit("metadata key/value count", nKv, MAX_KV, "metadata pairs")}`);
  if (nTensors > MAX_TENSORS)
    throw new GgufParseError(`${label}: ${overLimit("tensor count", nTensors, MAX_TENSORS, "tensors")}`);
  const { metadata, types } = await readMetadata(r, nKv);
  const tensorInfos = await readTensorInfos(r, nTensors);
  return {
    header: { version, metadata, types, tensorInfos, headerEnd: r.c.base + r.c.pos },
    bytesRead: r.bytesRead,
  };
}
