/**
 * Reduces a run file to what listings show (run-index.ts). Labels prefer catalog names; keys are
 * catalog ids where the run names one, else its own description, so facets group the same machine.
 */
import type { Run } from "../../schemas/run.ts";
import type { RunSummary } from "./run-index.ts";

export interface NameLookup {
  model: (id: string) => string | undefined;
  hardware: (id: string) => string | undefined;
}

export function runModel(run: Run, names?: NameLookup): { key: string; label: string } {
  const m = run.model;
  if (m.preset) return { key: m.preset, label: names?.model(m.preset) ?? m.name ?? m.preset };
  const label = m.name ?? m.arch ?? "unknown model";
  return { key: label, label };
}

export function runHardware(run: Run, names?: NameLookup): { key: string; label: string } {
  const h = run.hardware;
  if (h.preset) return { key: h.preset, label: names?.hardware(h.preset) ?? h.description ?? h.preset };
  const label = h.gpu?.name ?? h.description ?? "unknown hardware";
  return { key: label, label };
}

/** `${type_k}/${type_v}` of a point, with "?" for a type the point does not state. */
export function kvPair(config: { type_k?: unknown; type_v?: unknown }): string {
  return `${typeof config.type_k === "string" ? config.type_k : "?"}/${typeof config.type_v === "string" ? config.type_v : "?"}`;
}

export function summarizeRun(run: Run, flagged: number, names?: NameLookup): RunSummary {
  return {
    id: run.id,
    date: run.date ?? "",
    title: run.title,
    model: runModel(run, names),
    hardware: runHardware(run, names),
    kv: [...new Set(run.points.map((p) => kvPair(p.config)))].sort(),
    points: run.points.length,
    flagged,
  };
}
