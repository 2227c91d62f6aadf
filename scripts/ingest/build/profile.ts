/**
 * The engine profile a run is compared with: declared, else from the build date, else from the
 * log formats when they allow exactly one modelled revision (docs/memory-model.md#log-format-history).
 */
import { llamaCppRevisionForDate } from "../../../src/lib/engine/context.ts";
import { revisionsFor } from "../../../src/lib/runs/revisions.ts";
import type { RunDoc, RunDraft } from "./types.ts";

type Runtime = NonNullable<RunDoc["runtime"]>;

/** Record the date range the log formats imply, unless a build date is declared. */
function noteFormatRange(d: RunDraft, rt: Runtime): void {
  const range = d.facts.range;
  const lc = rt.llama_cpp;
  if (range && (range.from || range.to) && !lc?.build_date) {
    const r: Record<string, string> = {};
    if (range.from) r.from = range.from;
    if (range.to) r.to = range.to;
    rt.llama_cpp = { ...(lc ?? {}), format_date_range: r };
    d.inferred.push("runtime.llama_cpp.format_date_range");
  }
}

/** From the log formats: only when exactly one modelled revision fits their date range. */
function profileFromFormats(d: RunDraft, rt: Runtime, range: NonNullable<RunDraft["facts"]["range"]>): void {
  const revs = revisionsFor(range);
  if (revs.length === 1) {
    rt.profile = { name: "llama.cpp", revision: revs[0] };
    d.inferred.push("runtime.profile");
    d.info.push(`engine revision ${revs[0]} inferred from the log formats (${range.evidence.join("; ")})`);
  } else
    d.info.push(
      `build date unknown: the log formats allow engine revisions ${revs.join(", ") || "(none modelled)"}; the cross-check tries each`,
    );
}

/** Infer `runtime.profile` where none is declared. */
export function inferProfile(d: RunDraft, doc: RunDoc): void {
  const rt = (doc.runtime ??= {});
  const lc = rt.llama_cpp;
  noteFormatRange(d, rt);
  if (rt.profile || (rt.engine !== "llama.cpp" && rt.engine !== "ollama")) return;
  const buildDate = lc?.build_date;
  if (buildDate && rt.engine === "llama.cpp") {
    try {
      rt.profile = { name: "llama.cpp", revision: llamaCppRevisionForDate(buildDate) };
      d.inferred.push("runtime.profile");
    } catch (e) {
      d.info.push(`runtime.llama_cpp.build_date ${buildDate}: ${(e as Error).message}`);
    }
  } else if (rt.engine === "ollama") {
    rt.profile = { name: "ollama", revision: "2026-05" };
    d.inferred.push("runtime.profile");
  } else if (d.facts.range) profileFromFormats(d, rt, d.facts.range);
}
