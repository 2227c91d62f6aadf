/**
 * Reading an input exactly once. One pass over an open file handle hashes it, keeps its first
 * bytes for detection and, when a spool is given, copies it into the data dir's private spool;
 * everything after (parsing, gzip, staging) reads that copy, so what is stored is what was
 * hashed. The file is opened with O_NOFOLLOW (a path swapped for a symlink after the scan is
 * refused, never followed), its identity (device, inode) must be the one the scan saw, and its
 * size and modification time must not change while it is read.
 */
import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readdir, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { IngestError, osError } from "./errors.ts";

const CHUNK = 1 << 20;
export const SPOOL_PREFIX = ".ingest-spool-";

/** A private folder in the data dir holding one copy of each input (same file system as staging). */
export class Spool {
  readonly dir: string;
  private n = 0;
  private made = false;
  constructor(dataRoot: string) {
    this.dir = join(dataRoot, `${SPOOL_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  }
  async next(): Promise<string> {
    if (!this.made) await mkdir(this.dir, { recursive: true });
    this.made = true;
    return join(this.dir, String(this.n++));
  }
  owns(path: string): boolean {
    return path.startsWith(`${this.dir}/`);
  }
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Remove spools of ingests that are no longer running (called under the lock). */
export async function removeDeadSpools(root: string, alive: (pid: number) => boolean): Promise<string[]> {
  const notes: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const m = new RegExp(`^${SPOOL_PREFIX.replace(/\./g, "\\.")}(\\d+)-`).exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    await rm(join(root, name), { recursive: true, force: true });
    notes.push(`removed ${name}, the input copies of an ingest (process ${m[1]}) that is no longer running`);
  }
  return notes;
}

export interface ReadOnce {
  /** Where later reads go: the spool copy, or the file itself without a spool. */
  abs: string;
  size: number;
  sha256: string;
  head: Buffer;
}

/** The identity the scan saw (lstat / stat of the file). */
export interface Identity {
  dev: number;
  ino: number;
}

async function openNoFollow(abs: string, label: string): Promise<FileHandle> {
  try {
    return await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOOP")
      throw new IngestError("is a symbolic link where the scan saw a file (changed while ingest ran)", {
        file: label,
        expected: "inputs that do not change during ingest",
      });
    throw osError(e, label);
  }
}

/** Hash, sniff and (with a spool) copy `abs` in one read. */
export async function readOnce(
  abs: string,
  label: string,
  sniffBytes: number,
  opts: { spool?: Spool; identity?: Identity } = {},
): Promise<ReadOnce> {
  const fh = await openNoFollow(abs, label);
  let out: FileHandle | undefined;
  let dest = abs;
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new IngestError("not a regular file", { file: label, expected: "a file or a folder" });
    if (opts.identity && (st.dev !== opts.identity.dev || st.ino !== opts.identity.ino))
      throw new IngestError("was replaced by another file while ingest ran", {
        file: label,
        expected: "inputs that do not change during ingest",
      });
    if (opts.spool) {
      dest = await opts.spool.next();
      out = await open(dest, "wx");
    }
    const hash = createHash("sha256");
    const head = Buffer.alloc(Math.min(sniffBytes, st.size));
    // sized to the file (plus one byte to see its end): 20 000 small inputs, not 20 000 MiB of buffers
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, st.size + 1));
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      if (pos < head.length) chunk.copy(head, pos, 0, Math.min(bytesRead, head.length - pos));
      if (out) await out.write(chunk, 0, bytesRead, pos);
      pos += bytesRead;
    }
    const after = await fh.stat();
    if (pos !== st.size || after.size !== st.size || after.mtimeMs !== st.mtimeMs)
      throw new IngestError(`changed while it was being read (${st.size} bytes at the start, ${pos} read)`, {
        file: label,
        expected: "inputs that do not change during ingest (copy a log that is still being written first)",
      });
    return { abs: dest, size: pos, sha256: hash.digest("hex"), head };
  } finally {
    await fh.close();
    await out?.close();
  }
}
