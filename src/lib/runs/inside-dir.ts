/**
 * Defence in depth for stored paths: join a run's stored relative path onto its folder and check
 * the result is still inside that folder, whatever the schema let through. Node only (used by
 * ingest, `--reparse` and the build's copy step).
 */
import path from "node:path";
import { rawPathProblem } from "./raw-path.ts";

export class PathEscapeError extends Error {
  readonly root: string;
  readonly rel: string;
  constructor(root: string, rel: string, why: string) {
    super(`stored path ${JSON.stringify(rel)} ${why}: it must stay inside ${root}`);
    this.root = root;
    this.rel = rel;
  }
}

/** `root/rel`, refusing a `rel` that is not a safe stored path or that resolves outside `root`. */
export function resolveInside(root: string, rel: string): string {
  const problem = rawPathProblem(rel);
  if (problem) throw new PathEscapeError(root, rel, problem);
  const base = path.resolve(root);
  const full = path.resolve(base, ...rel.split("/"));
  if (full === base || !full.startsWith(base + path.sep)) throw new PathEscapeError(root, rel, "resolves outside");
  return full;
}
