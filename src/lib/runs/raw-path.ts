/**
 * The one rule for every path a run file stores (raw files, their originals, a point's raw files,
 * a measured value's source file): relative, normalised, inside the run's raw folder. Run files
 * come from strangers (a pull request adds `data/runs/<id>.json`), so the schema refuses anything
 * else and every place that joins such a path onto a folder re-checks the result
 * (`resolveInside`). Pure string rules, shared by the schema, ingest, the build and the pages.
 */

/** Longest stored path (characters); real run folders use < 200. */
export const MAX_RAW_PATH_CHARS = 1024;
/** Longest path segment: the common file-system name limit. */
export const MAX_RAW_SEGMENT_CHARS = 255;

// C0/C1 controls and DEL: never part of a real file name, and they rewrite terminals.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `p` is not a safe stored path, or undefined when it is. */
export function rawPathProblem(p: string): string | undefined {
  if (typeof p !== "string" || p.length === 0) return "empty path";
  if (p.length > MAX_RAW_PATH_CHARS) return `longer than ${MAX_RAW_PATH_CHARS} characters`;
  if (p.includes("\0")) return "contains a NUL character";
  if (CONTROL.test(p)) return "contains a control character";
  if (p.includes("\\")) return "contains a backslash";
  if (p.startsWith("/")) return "is absolute";
  if (/^[A-Za-z]:/.test(p)) return "starts with a drive letter";
  if (/[\ud800-\udfff]/.test(p.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""))) return "is not valid Unicode";
  for (const seg of p.split("/")) {
    if (seg === "") return "has an empty segment (// or a trailing /)";
    if (seg === "." || seg === "..") return `has a "${seg}" segment`;
    if (seg.length > MAX_RAW_SEGMENT_CHARS) return `has a segment longer than ${MAX_RAW_SEGMENT_CHARS} characters`;
  }
  return undefined;
}

export function isSafeRawPath(p: string): boolean {
  return rawPathProblem(p) === undefined;
}

/** The same rule as one ECMAScript pattern, for JSON Schema readers (`data/schema/run.schema.json`). */
export const RAW_PATH_PATTERN =
  "^(?![A-Za-z]:)(?!\\.\\.?(?:/|$))[^/\\\\\\u0000-\\u001f\\u007f-\\u009f]{1,255}(?:/(?!\\.\\.?(?:/|$))[^/\\\\\\u0000-\\u001f\\u007f-\\u009f]{1,255})*$";

/** What the schema and errors say is expected. */
export const RAW_PATH_EXPECTED = `a relative path inside the run's folder ('/'-separated, no '..', '.', '\\', NUL or control characters, at most ${MAX_RAW_PATH_CHARS} characters)`;
