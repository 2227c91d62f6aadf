/**
 * Where a run's raw files are published: /runs/<id>/raw/<path>, each path segment URL-encoded
 * (ingest keeps original names, spaces and unicode included). Pure.
 */
export function rawFileHref(runId: string, rawPath: string): string {
  return `/runs/${runId}/raw/${rawPath.split("/").map(encodeURIComponent).join("/")}`;
}

/** A raw path is published only if it stays inside the run's folder. */
export function isSafeRawPath(rawPath: string): boolean {
  if (rawPath === "" || rawPath.startsWith("/") || rawPath.includes("\\") || rawPath.includes("\0")) return false;
  return rawPath.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}
