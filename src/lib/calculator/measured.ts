/**
 * Measured points on the calculator's chart. A run's point is compared with the engine at the
 * point's OWN configuration (its context, K/V types, sequences, profile), never with the user's
 * current settings, so the delta is a statement about the engine, not about the settings.
 *
 * Which runs match the model (documented tolerance):
 * - a run that names the catalog model (`model.preset`) matches it;
 * - otherwise the run's architecture must have the same `arch` as the model, the same KV bytes per
 *   token at f16 and the same recurrent bytes per sequence (within MATCH_TOLERANCE = 0.5 %),
 *   so a run of a differently-sized sibling never lands on this model's lines.
 *
 * Which quantity a point shows (first present): GPU memory used (vs total device bytes), peak
 * phys_footprint / peak RSS (vs total bytes), KV (vs KV bytes), recurrent state, compute buffers.
 * On the "total" chart a point sits at calculated total + (measured − calculated of its quantity):
 * the total the engine would report if its own figure for that quantity were replaced by the
 * measurement. The residual view shows (measured − calculated) / calculated.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { EngineProfile, RuntimeConfig } from "../../schemas/runtime-config.ts";
import type { MeasuredMark } from "../../charts/memory-vs-context.ts";
import { computeBreakdown } from "../engine/breakdown.ts";
import type { MeasuredMetricName, MeasuredRunOption } from "./catalog.ts";
import { KV_TYPES } from "../kv-types.ts";
import { formatBinary } from "../format.ts";

export const MATCH_TOLERANCE = 0.005;

/** Quantities in order of preference, with the engine figure each is compared with. */
const QUANTITIES: {
  metric: MeasuredMetricName;
  label: string;
  calc: (b: Breakdown) => number;
  pool: "device" | "total" | "part";
}[] = [
  { metric: "gpu_used_bytes", label: "GPU memory used", calc: (b) => b.total.device_bytes, pool: "device" },
  { metric: "peak_footprint_bytes", label: "peak phys_footprint", calc: (b) => b.total.bytes, pool: "total" },
  { metric: "peak_rss_bytes", label: "peak RSS", calc: (b) => b.total.bytes, pool: "total" },
  { metric: "kv_bytes", label: "KV cache", calc: (b) => b.kv.bytes, pool: "part" },
  { metric: "recurrent_bytes", label: "recurrent state", calc: (b) => b.recurrent.bytes, pool: "part" },
  { metric: "compute_bytes", label: "compute buffers", calc: (b) => b.compute.bytes, pool: "part" },
];

export interface Geometry {
  arch: string;
  kvPerTokenF16: number;
  recurrentPerSeq: number;
}

/** KV bytes per allocated cell at f16 and recurrent bytes per sequence, by the engine itself. */
export function geometry(a: Architecture): Geometry | null {
  try {
    const b = computeBreakdown(a, {
      n_ctx: 4096,
      type_k: "f16",
      type_v: "f16",
      n_seq: 1,
      kv_unified: true,
      swa_full: true,
      flash_attn: "on",
      n_ubatch: 512,
      n_batch: 2048,
      n_gpu_layers: -1,
      no_kv_offload: false,
      backend: "cpu",
      engine: { name: "llama.cpp", revision: "current" },
      n_rs_seq: 0,
      weights_ftype: null,
      vision_weights: false,
    });
    return { arch: a.arch, kvPerTokenF16: b.kv.bytes / b.context.allocated_cells, recurrentPerSeq: b.recurrent.bytes };
  } catch {
    return null;
  }
}

const close = (a: number, b: number) => (a === b ? true : Math.abs(a - b) <= MATCH_TOLERANCE * Math.max(a, b));

export function runMatches(
  run: MeasuredRunOption,
  modelId: string | null,
  model: Geometry | null,
  runArch: Architecture | null,
): boolean {
  if (modelId !== null && run.modelId === modelId) return true;
  if (!model || !runArch || runArch.arch !== model.arch) return false;
  const g = geometry(runArch);
  return g !== null && close(g.kvPerTokenF16, model.kvPerTokenF16) && close(g.recurrentPerSeq, model.recurrentPerSeq);
}

const KV = new Set<string>(KV_TYPES);

function profileOf(run: MeasuredRunOption): EngineProfile {
  if (run.profile) return run.profile as EngineProfile;
  if (run.engine === "turboquant") return { name: "turboquant", revision: "2026-05" };
  if (run.engine === "ollama") return { name: "ollama", revision: "2026-05" };
  return { name: "llama.cpp", revision: "current" };
}

export interface MeasuredInput {
  run: MeasuredRunOption;
  /** Architecture the point is computed with (run's own, else the matched model's). */
  arch: Architecture;
  /** Pool the chart plots (device on CUDA, total elsewhere). */
  chartPool: "device" | "total";
  /** Colour per requested `typeK/typeV`, grey otherwise. */
  colourOf: (key: string) => string;
}

/** Marks for one matching run; points the engine cannot size are skipped with a reason. */
export function measuredMarks(inp: MeasuredInput): { marks: MeasuredMark[]; skipped: string[] } {
  const { run, arch } = inp;
  const marks: MeasuredMark[] = [];
  const skipped: string[] = [];
  for (const p of run.points) {
    const c = p.config;
    if (c.n_ctx === undefined || c.n_ctx <= 0) {
      skipped.push(`${run.id}/${p.id}: no requested context`);
      continue;
    }
    const q = QUANTITIES.find((x) => p.values[x.metric] !== undefined);
    if (!q) continue;
    const typeK = (c.type_k && KV.has(c.type_k) ? c.type_k : "f16") as KvType;
    const typeV = (c.type_v && KV.has(c.type_v) ? c.type_v : "f16") as KvType;
    const backend = (c.backend ?? run.backend ?? "cuda") as RuntimeConfig["backend"];
    const config: RuntimeConfig = {
      n_ctx: c.n_ctx,
      type_k: typeK,
      type_v: typeV,
      n_seq: c.n_seq ?? 1,
      kv_unified: c.kv_unified ?? false,
      swa_full: false,
      flash_attn: (c.flash_attn ?? "auto") as RuntimeConfig["flash_attn"],
      n_ubatch: c.n_ubatch ?? 512,
      n_batch: 2048,
      n_gpu_layers: c.n_gpu_layers ?? -1,
      no_kv_offload: false,
      backend,
      engine: profileOf(run),
      n_rs_seq: 0,
      weights_ftype: c.weights_ftype ?? run.ftype ?? null,
      vision_weights: false,
    };
    let b: Breakdown;
    try {
      b = computeBreakdown(arch, config);
    } catch (e) {
      skipped.push(`${run.id}/${p.id}: ${(e as Error).message}`);
      continue;
    }
    const measured = p.values[q.metric]!;
    const calc = q.calc(b);
    if (calc <= 0) continue;
    const poolCalc = inp.chartPool === "device" ? b.total.device_bytes : b.total.bytes;
    const placed = poolCalc + (measured.bytes - calc);
    const deltaPct = ((measured.bytes - calc) / calc) * 100;
    const sign = deltaPct >= 0 ? "+" : "−";
    marks.push({
      ctx: c.n_ctx,
      bytes: placed,
      calcBytes: calc,
      deltaPct,
      colour: inp.colourOf(`${typeK}/${typeV}`),
      title: [
        `Run: ${run.title} (${run.id}${run.date ? `, ${run.date}` : ""})`,
        `Point: ${p.id}: context ${c.n_ctx}${p.nCtxAllocated ? ` (${p.nCtxAllocated} cells)` : ""}, K ${typeK}, V ${typeV}, ` +
          `-np ${config.n_seq}${config.kv_unified ? " unified" : ""}, FA ${config.flash_attn}, ${config.backend}, ` +
          `${config.engine.name} ${config.engine.revision}`,
        `Tool: ${measured.tool}`,
        `Build: ${run.build}`,
        `Measured ${q.label}: ${formatBinary(measured.bytes)}`,
        `Calculated: ${formatBinary(calc)}`,
        `Delta: ${sign}${Math.abs(deltaPct).toFixed(2)} %`,
      ].join("\n"),
    });
  }
  return { marks, skipped };
}
