/**
 * The engine's CPU compute buffer against llama.cpp's own reservations (compute fixtures, see
 * src/schemas/compute-fixture.ts): one row per recorded case and a summary per geometry. Used by
 * the unit test that bounds the error and by the methodology report's table.
 */
import type { GgufMetadata, GgufValue } from "../gguf/header.ts";
import { ggufToArchitecture } from "../gguf/map.ts";
import type { ComputeFixture } from "../../schemas/compute-fixture.ts";
import { KvTypeSchema } from "../../schemas/kv-type.ts";
import { RuntimeConfigSchema } from "../../schemas/runtime-config.ts";
import { computeBreakdown } from "./breakdown.ts";

export interface ComputeFitCase {
  readonly geometry: string;
  readonly id: string;
  readonly measured: number;
  readonly engine: number;
  /** (engine − measured) / measured */
  readonly err: number;
}

export interface ComputeFitSummary {
  readonly geometry: string;
  readonly note: string;
  readonly cases: number;
  readonly within10: number;
  readonly meanAbsErr: number;
  readonly worst: ComputeFitCase;
}

/** Fixture metadata (vocabulary arrays stored as their length) → GGUF metadata. */
function metadataOf(meta: Record<string, unknown>): GgufMetadata {
  const out: GgufMetadata = {};
  for (const [k, raw] of Object.entries(meta)) {
    const v = raw as { type: string; value?: unknown; length?: number };
    out[k] =
      v.type === "array" && v.value === undefined
        ? new Array<GgufValue>(v.length ?? 0).fill(0)
        : (v.value as GgufValue);
  }
  return out;
}

export function computeFitCases(f: ComputeFixture): ComputeFitCase[] {
  const arch = ggufToArchitecture(metadataOf(f.metadata));
  const out: ComputeFitCase[] = [];
  for (const c of f.cases) {
    if (!c.ok || c.cpu_compute_mib === null) continue;
    const config = RuntimeConfigSchema.parse({
      n_ctx: c.n_ctx,
      n_seq: c.n_seq,
      kv_unified: false,
      n_batch: c.n_ubatch,
      n_ubatch: c.n_ubatch,
      flash_attn: c.flash_attn,
      type_k: KvTypeSchema.parse(c.type_k),
      type_v: KvTypeSchema.parse(c.type_v),
      n_gpu_layers: 0,
      backend: "cpu",
      engine: { name: "llama.cpp", revision: "current" },
    });
    const b = computeBreakdown(arch, config);
    const engine = b.compute.per_backend.filter((x) => x.name === "CPU").reduce((s, x) => s + x.bytes, 0);
    const measured = c.cpu_compute_mib * 1048576;
    out.push({ geometry: f.geometry, id: c.id, measured, engine, err: (engine - measured) / measured });
  }
  return out;
}

export function computeFitSummary(f: ComputeFixture, rows: readonly ComputeFitCase[]): ComputeFitSummary {
  const worst = rows.reduce((a, r) => (Math.abs(r.err) > Math.abs(a.err) ? r : a));
  return {
    geometry: f.geometry,
    note: f.note,
    cases: rows.length,
    within10: rows.filter((r) => Math.abs(r.err) <= 0.1).length,
    meanAbsErr: rows.reduce((s, r) => s + Math.abs(r.err), 0) / rows.length,
    worst,
  };
}
