/**
 * The placement flags a point's own `case.json` states (`placement`, in the placement schema),
 * read from the run's stored raw files at build time. The path is the one ingest stored for the
 * point, re-checked to stay inside the run's raw folder; a point without one has no flags.
 */
import { readFileSync } from "node:fs";
import type { Run } from "../../schemas/run.ts";
import { resolveInside } from "../../lib/runs/inside-dir.ts";
import { dataPath } from "../../content-layer/data-dir.ts";

/** Largest case.json read (a case file is a few hundred bytes). */
const MAX_CASE_BYTES = 64 * 1024;

export interface CaseFlags {
  /** The `placement` object (validated by the engine's schema where it is used). */
  placement: unknown;
  /** llama.cpp's arguments as the case ran them, for display; empty when not stated. */
  args: string[];
}

export function caseFlagsOf(run: Run): (pointId: string) => CaseFlags {
  const root = dataPath("raw", run.id);
  return (pointId) => {
    const p = run.points.find((x) => x.id === pointId);
    const rel = p?.raw_files.find((f) => f === `${pointId}/case.json`);
    if (!rel) return { placement: {}, args: [] };
    const text = readFileSync(resolveInside(root, rel), "utf8");
    if (text.length > MAX_CASE_BYTES) throw new Error(`${run.id}/${rel}: larger than ${MAX_CASE_BYTES} bytes`);
    const j = JSON.parse(text) as { placement?: unknown; args?: unknown };
    const args = Array.isArray(j.args) ? j.args.filter((a): a is string => typeof a === "string").slice(0, 64) : [];
    return { placement: j.placement ?? {}, args };
  };
}
