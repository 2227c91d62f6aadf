/**
 * Node-only GGUF header reading from a local path (kept apart so the rest of src/lib/gguf stays
 * browser-safe). Ranges are read with positioned reads on one file handle: only the header plus
 * at most one 2 MB chunk is read, never the weights. (`fs.openAsBlob` is not used: Node 24
 * reports the size of files over 4 GiB modulo 2^32, which would truncate the reads.)
 */
import { open } from "node:fs/promises";
import { GgufReadError, readGgufHeaderFrom, readGgufHeaderFromUrl } from "./header.ts";
import type { GgufHeader, RangeSource } from "./header.ts";

export async function readGgufHeaderFromPath(path: string): Promise<GgufHeader> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (err) {
    throw new GgufReadError(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new GgufReadError(`${path}: not a regular file`);
    const size = st.size;
    const src: RangeSource = {
      size,
      async read(start, end) {
        const n = Math.max(0, Math.min(end, size) - start);
        const buf = new Uint8Array(n);
        let got = 0;
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, start + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === n ? buf : buf.subarray(0, got);
      },
    };
    return await readGgufHeaderFrom(src, path);
  } finally {
    await fh.close();
  }
}

/** A local path or an http(s) URL. */
export async function readGgufHeader(pathOrUrl: string): Promise<GgufHeader> {
  return /^https?:\/\//i.test(pathOrUrl) ? readGgufHeaderFromUrl(pathOrUrl) : readGgufHeaderFromPath(pathOrUrl);
}
