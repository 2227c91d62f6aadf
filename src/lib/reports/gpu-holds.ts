/**
 * "What the GPU really holds" as pure data: for each point of a CUDA run, what llama.cpp's own
 * buffer lines, its memory breakdown and nvidia-smi say the process held, each beside the
 * engine's figure for the same part (calculated with the run's own build rules).
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown, BufferBytes } from "../../schemas/breakdown.ts";
import type { EngineProfile } from "../../schemas/runtime-config.ts";
import type { Point, Run } from "../../schemas/run.ts";
import { computeBreakdown } from "../engine/index.ts";
import { CROSSCHECK_TABLE, comparedValue, engineConfig } from "../runs/crosscheck.ts";
import { pointSeries } from "../runs/run-view.ts";
import { kvPair } from "../runs/run-summary.ts";

export type PartKey =
  "weights_device" | "weights_host" | "kv" | "compute_device" | "compute_host" | "runtime" | "gpu_used" | "peak_rss";

export const PART_LABEL: Record<PartKey, string> = {
  weights_device: "Weights on the GPU",
  weights_host: "Weights mapped on the host",
  kv: "KV cache",
  compute_device: "Compute buffer (GPU)",
  compute_host: "Compute buffer (pinned host)",
  runtime: "Runtime beyond llama.cpp's buffers",
  gpu_used: "GPU memory used (nvidia-smi peak − idle)",
  peak_rss: "Peak RSS less the process before the model load",
};

export interface Part {
  key: PartKey;
  measured: number | null;
  calculated: number | null;
  /** The calculated figure is an estimate (compute, runtime, totals that include them). */
  estimate: boolean;
}

export interface GpuRow {
  pointId: string;
  ctx: number | null;
  kv: string;
  fa: string;
  series: string;
  parts: Part[];
  error: string | null;
}

const sum = (rows: readonly { bytes: number }[]): number => rows.reduce((a, r) => a + r.bytes, 0);
const onDevice = (rows: readonly BufferBytes[], host: boolean) => sum(rows.filter((r) => r.host === host));

function measuredBuffers(p: Point, component: string, host: boolean): number | null {
  const rows = p.buffers.filter((b) => b.component === component && b.host === host);
  return rows.length ? sum(rows) : null;
}

function calculatedParts(b: Breakdown): Record<PartKey, number> {
  const rss = CROSSCHECK_TABLE.find((r) => r.metric === "peak_rss_bytes")!;
  return {
    weights_device: onDevice(b.weights.per_device, false),
    weights_host: onDevice(b.weights.per_device, true),
    kv: onDevice(b.kv.per_device, false),
    compute_device: onDevice(b.compute.per_backend, false),
    compute_host: onDevice(b.compute.per_backend, true),
    runtime: b.overhead.device_bytes,
    gpu_used: b.total.device_bytes,
    peak_rss: rss.calculated(b),
  };
}

const ESTIMATE: Record<PartKey, boolean> = {
  weights_device: false,
  weights_host: false,
  kv: false,
  compute_device: true,
  compute_host: true,
  runtime: true,
  gpu_used: true,
  peak_rss: true,
};

export function gpuRows(run: Run, arch: Architecture | { error: string }, profile: EngineProfile): GpuRow[] {
  const rows = run.points
    .filter((p) => p.status === "ok")
    .map((p): GpuRow => {
      let calc: Record<PartKey, number> | null = null;
      let error: string | null = "error" in arch ? arch.error : null;
      if (!("error" in arch)) {
        try {
          calc = calculatedParts(computeBreakdown(arch, engineConfig(run, p, profile).config));
        } catch (e) {
          error = (e as Error).message;
        }
      }
      const measured: Record<PartKey, number | null> = {
        weights_device: measuredBuffers(p, "model", false),
        weights_host: measuredBuffers(p, "model", true),
        kv: measuredBuffers(p, "kv", false) ?? p.measured.kv_bytes?.bytes ?? null,
        compute_device: measuredBuffers(p, "compute", false),
        compute_host: measuredBuffers(p, "compute", true),
        runtime: measuredBuffers(p, "unaccounted", false),
        gpu_used: p.measured.gpu_used_bytes?.bytes ?? null,
        // as the cross-check compares it: less the pre-load RSS where the run recorded one
        peak_rss: p.measured.peak_rss_bytes ? comparedValue(p.measured.peak_rss_bytes).bytes : null,
      };
      const parts = (Object.keys(PART_LABEL) as PartKey[]).map((key) => ({
        key,
        measured: measured[key],
        calculated: calc ? calc[key] : null,
        estimate: ESTIMATE[key],
      }));
      return {
        pointId: p.id,
        ctx: typeof p.config.n_ctx === "number" ? p.config.n_ctx : null,
        kv: kvPair(p.config),
        fa: p.config.flash_attn ?? "?",
        series: pointSeries(p),
        parts,
        error,
      };
    });
  return rows.sort((a, b) => b.fa.localeCompare(a.fa) || a.kv.localeCompare(b.kv) || (a.ctx ?? 0) - (b.ctx ?? 0));
}

export function part(row: GpuRow, key: PartKey): Part {
  return row.parts.find((p) => p.key === key)!;
}
