/**
 * Builders of small, schema-valid run files for unit tests: Qwen3-14B Q4_K_M on llama.cpp
 * (profile "current"), measured by the "reported" tool, every point and run list empty unless given.
 */
import { RunSchema } from "../../src/schemas/run.ts";
import type { Run } from "../../src/schemas/run.ts";

export interface PointFields {
  id: string;
  status: string;
  config: Record<string, unknown>;
  measured?: Record<string, unknown>;
  buffers?: unknown[];
}

/** A run point with no config sources, caches, raw files, notes or warnings. */
export function runPoint(p: PointFields): Record<string, unknown> {
  return {
    id: p.id,
    status: p.status,
    config: p.config,
    config_sources: {},
    measured: p.measured ?? {},
    caches: [],
    buffers: p.buffers ?? [],
    raw_files: [],
    notes: [],
    warnings: [],
  };
}

export interface RunFields {
  id: string;
  date?: string;
  title: string;
  hardware?: Record<string, unknown>;
  backend: string;
  points: PointFields[];
}

/** A parsed run of Qwen3-14B Q4_K_M with the given points; `over` replaces top-level fields. */
export function qwen3Run(r: RunFields, over: Partial<Record<string, unknown>> = {}): Run {
  return RunSchema.parse({
    schema_version: 1,
    id: r.id,
    ...(r.date === undefined ? {} : { date: r.date }),
    title: r.title,
    hardware: r.hardware ?? {},
    runtime: { engine: "llama.cpp", profile: { name: "llama.cpp", revision: "current" }, backend: r.backend },
    model: { preset: "qwen3-14b", ftype: "Q4_K_M" },
    measurement: { tools: ["reported"] },
    points: r.points.map(runPoint),
    inferred: [],
    unknown: [],
    provenance: { content_hash: "0".repeat(64), parser_version: 1, input_kind: "run-json", sources: [], raw_files: [] },
    warnings: [],
    ...over,
  });
}
