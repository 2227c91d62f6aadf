/**
 * Which llama.cpp the embedded runner ran: node-llama-cpp's version, the llama.cpp release its
 * prebuilt binaries were built from, and that release's source commit and date as recorded in the
 * git bundle the package ships (`llama/gitRelease.bundle`: its header names the commit; the first
 * object of its pack is that commit, whose committer date is the source date).
 */
import { openSync, readFileSync, readSync, closeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";

export function nodeLlamaCppDir(): string {
  // dist/index.js → package root
  return dirname(dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))));
}

export function nodeLlamaCppVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(nodeLlamaCppDir(), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export interface BundledSource {
  tag: string | null;
  commit: string;
  /** Committer date, YYYY-MM-DD (UTC). */
  date: string | null;
}

/** Parse the head of a git v2 bundle: `# v2 git bundle`, `<sha> <ref>` lines, blank line, PACK. */
export function parseBundleHead(buf: Buffer): { commit: string; date: string | null } | null {
  const text = buf.subarray(0, Math.min(buf.length, 4096)).toString("latin1");
  if (!text.startsWith("# v2 git bundle\n")) return null;
  const m = /^([0-9a-f]{40}) \S+$/m.exec(text);
  if (!m) return null;
  const pack = buf.indexOf("PACK");
  let date: string | null = null;
  if (pack > 0) {
    let i = pack + 12;
    let c = buf[i++];
    const type = (c >> 4) & 7;
    while (c & 0x80) c = buf[i++];
    if (type === 1) {
      try {
        const obj = inflateSync(buf.subarray(i), { finishFlush: 2 }).toString("utf8");
        const cm = /^committer .* (\d+) [+-]\d{4}$/m.exec(obj);
        if (cm) date = new Date(Number(cm[1]) * 1000).toISOString().slice(0, 10);
      } catch {
        /* date stays unknown */
      }
    }
  }
  return { commit: m[1], date };
}

export function bundledSource(): BundledSource | null {
  const dir = join(nodeLlamaCppDir(), "llama");
  let tag: string | null = null;
  try {
    tag = (JSON.parse(readFileSync(join(dir, "llama.cpp.info.json"), "utf8")) as { tag?: string }).tag ?? null;
  } catch {
    /* no info file */
  }
  let fd: number | undefined;
  try {
    fd = openSync(join(dir, "gitRelease.bundle"), "r");
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const head = parseBundleHead(buf.subarray(0, n));
    return head ? { tag, ...head } : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
