/**
 * The run's points: the drafts from raw outputs, merged with the declared points by id (a raw
 * value wins, a declared one fills the gaps), ids made unique, and the same configuration with
 * different measured values refused as contradictory input.
 */
import type { Point, RunInput } from "../../../src/schemas/run.ts";
import { IngestError } from "../errors.ts";
import { configKey, settleDidNotFit } from "../points/config.ts";
import type { PointDraft } from "../points/draft.ts";
import { attachRssBaseline } from "../points/memprobe.ts";
import { aggregate } from "../zod-errors.ts";
import type { RunDraft } from "./types.ts";

type DeclaredPoint = NonNullable<RunInput["points"]>[number];

function finishPoint(d: PointDraft): Point {
  attachRssBaseline(d);
  const p: Point = {
    id: d.id,
    status: d.status,
    config: d.config,
    config_sources: d.sources,
    measured: d.measured,
    caches: d.caches,
    buffers: d.buffers,
    raw_files: [...d.raw_files].sort(),
    notes: d.notes,
    warnings: d.warnings,
  };
  if (d.n_ctx_allocated !== undefined) p.n_ctx_allocated = d.n_ctx_allocated;
  if (d.n_ctx_seq !== undefined) p.n_ctx_seq = d.n_ctx_seq;
  if (d.recurrent) p.recurrent = d.recurrent;
  if (d.memory_breakdown) p.memory_breakdown = d.memory_breakdown;
  if (d.stages) p.stages = d.stages;
  return p;
}

/** A declared point joins the raw ones: new ids are added whole, known ids only fill gaps. */
function mergeDeclared(points: Point[], dp: DeclaredPoint, fromRunJson: boolean): void {
  const i = points.findIndex((p) => p.id === dp.id);
  const full: Point = {
    status: "ok",
    config_sources: Object.fromEntries(
      Object.keys(dp.config ?? {}).map((k) => [k, fromRunJson ? "reported" : "run.json"]),
    ),
    caches: [],
    buffers: [],
    raw_files: [],
    notes: [],
    warnings: [],
    ...dp,
  } as Point;
  if (i < 0) {
    points.push(full);
    return;
  }
  const p = points[i];
  for (const [k, v] of Object.entries(dp.config ?? {}))
    if ((p.config as Record<string, unknown>)[k] === undefined) {
      (p.config as Record<string, unknown>)[k] = v;
      p.config_sources[k] = "run.json";
    }
  for (const [k, v] of Object.entries(dp.measured ?? {}))
    if (!(k in p.measured)) (p.measured as Record<string, unknown>)[k] = v;
  for (const n of dp.notes ?? []) p.notes.push(n);
}

/** `id`, `id-2`, `id-3` … for repeated ids. */
function uniqueIds(points: Point[]): void {
  const seen = new Map<string, number>();
  for (const p of points) {
    const n = seen.get(p.id) ?? 0;
    seen.set(p.id, n + 1);
    if (n > 0) p.id = `${p.id}-${n + 1}`;
  }
}

/** Duplicate contexts with different values are contradictory input; equal ones are warned. */
function checkDuplicates(points: Point[], label: string): void {
  const errors: IngestError[] = [];
  const byKey = new Map<string, Point>();
  for (const p of points) {
    if (p.config.n_ctx === undefined && p.n_ctx_allocated === undefined) continue;
    const key = configKey(p);
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, p);
      continue;
    }
    for (const metric of ["kv_bytes", "recurrent_bytes", "compute_bytes"] as const) {
      const a = prev.measured[metric];
      const b = p.measured[metric];
      if (a && b && Math.abs(a.bytes - b.bytes) > (a.resolution_bytes ?? 0) + (b.resolution_bytes ?? 0))
        errors.push(
          new IngestError(
            `duplicate context with different values: points "${prev.id}" and "${p.id}" have the same configuration but ${metric} ${a.bytes} vs ${b.bytes}`,
            {
              file: label,
              path: `points[${points.indexOf(p)}].measured.${metric}`,
              value: b.bytes,
              expected: `${a.bytes} (as point "${prev.id}") or a different configuration`,
            },
          ),
        );
    }
    if (!errors.length) p.warnings.push({ message: `same configuration as point "${prev.id}"` });
  }
  if (errors.length) throw aggregate(errors);
}

/** The run's points, checked; throws when there are none or when they contradict each other. */
export function runPoints(d: RunDraft, declared: RunInput): Point[] {
  const points: Point[] = d.drafts.map(finishPoint);
  for (const dp of declared.points ?? []) mergeDeclared(points, dp, d.unit.kind === "run-json");
  for (const p of points) settleDidNotFit(p);
  if (points.length === 0)
    throw new IngestError(`no measured point found${d.info.length ? ` (${d.info.join("; ")})` : ""}`, {
      file: d.unit.label,
      expected:
        "a llama.cpp/Ollama log with KV or compute lines, or peak-memory outputs (time, footprint, vmmap, nvidia-smi), or points in run JSON",
    });
  uniqueIds(points);
  checkDuplicates(points, d.unit.label);
  return points;
}
