/**
 * How a run's raw files are published: never under their own names. A raw file comes from a
 * stranger, and a static host picks the content type from the extension, so `evil.svg` or
 * `evil.html` published as is would run its script on the site's origin. Each is published as
 * `/runs/<id>/raw/<sha256 prefix>-<safe name>.txt`: flat, URL-safe (no `=`, `:` or spaces to
 * encode), always `.txt` (text/plain on every host, which browsers neither render nor run), and
 * the page's link carries the original name as its download name. Pure.
 */
import { isSafeRawPath } from "./raw-path.ts";

export { isSafeRawPath };

interface RawRef {
  path: string;
  sha256: string;
}

/** Longest safe-name part of a published name (the full name stays under 255 bytes). */
const MAX_NAME = 120;

/** The published file name: content-hash prefix, the last path segment made URL-safe, `.txt`. */
export function publishedRawName(f: RawRef): string {
  const last = f.path.split("/").pop() ?? "";
  const safe = last
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[._-]+/, "")
    .slice(0, MAX_NAME);
  return `${f.sha256.slice(0, 16)}-${safe || "file"}.txt`;
}

/** Where a raw file is published (relative to the site's base). */
export function rawFileHref(runId: string, f: RawRef): string {
  return `/runs/${runId}/raw/${publishedRawName(f)}`;
}

/** The name a download of the file gets: its stored name (`.gz` when stored compressed). */
export function rawDownloadName(f: RawRef): string {
  return f.path.split("/").pop() ?? f.path;
}
