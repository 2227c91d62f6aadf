/**
 * A point under construction and the small pieces every source of points uses: config fields
 * with their precedence (the log, then `case.json`, then the folder / file name; nothing is
 * defaulted), sources, measured values and buffer rows.
 */
import { KV_TYPES, type KvType } from "../../../src/schemas/kv-type.ts";
import type {
  BufferRow,
  Measured,
  MeasuredKvCache,
  MeasuredValue,
  Point,
  PointConfig,
  Source,
  SourceTool,
} from "../../../src/schemas/run.ts";
import { MiB } from "../../../src/lib/units.ts";
import { resolutionBytes } from "../parsers/common.ts";
import type { BufferLine } from "../parsers/llama-cpp.ts";

/** ±0.005 MiB: the resolution of every `%.2f MiB` llama.cpp prints. */
export const MIB2_RES = resolutionBytes("0.00", MiB);

export type ConfigSource = Point["config_sources"][string];

/** A point under construction. */
export interface PointDraft {
  id: string;
  config: PointConfig;
  sources: Record<string, ConfigSource>;
  n_ctx_allocated?: number;
  n_ctx_seq?: number;
  measured: Measured;
  caches: MeasuredKvCache[];
  recurrent?: Point["recurrent"];
  buffers: BufferRow[];
  memory_breakdown?: Point["memory_breakdown"];
  stages?: Point["stages"];
  raw_files: Set<string>;
  notes: string[];
  warnings: Point["warnings"];
  status: Point["status"];
  /** RSS of the process before the model load (memprobe/profile PROC line), for peak_rss_bytes. */
  rssBaseline?: NonNullable<MeasuredValue["baseline"]>;
}

export function newDraft(id: string): PointDraft {
  return {
    id,
    config: {},
    sources: {},
    measured: {},
    caches: [],
    buffers: [],
    raw_files: new Set(),
    notes: [],
    warnings: [],
    status: "ok",
  };
}

/** Set a config field unless a higher-precedence source already set it; note disagreements. */
export function setConfig<K extends keyof PointConfig>(
  d: PointDraft,
  key: K,
  value: PointConfig[K] | undefined,
  source: ConfigSource,
): void {
  if (value === undefined) return;
  const cur = d.config[key];
  if (cur === undefined) {
    d.config[key] = value;
    d.sources[key] = source;
  } else if (JSON.stringify(cur) !== JSON.stringify(value))
    d.warnings.push({
      message: `${String(key)}: ${d.sources[key]} says ${JSON.stringify(cur)}, ${source} says ${JSON.stringify(value)}; keeping the ${d.sources[key]} value`,
    });
}

export function isKvType(t: string | undefined): t is KvType {
  return t !== undefined && (KV_TYPES as readonly string[]).includes(t);
}

export function faOf(v: string | undefined): "on" | "off" | "auto" | undefined {
  if (v === undefined) return undefined;
  const s = v.toLowerCase();
  if (s === "enabled" || s === "on" || s === "1" || s === "true") return "on";
  if (s === "disabled" || s === "off" || s === "0" || s === "false") return "off";
  if (s === "auto" || s === "-1") return "auto";
  return undefined;
}

export const intOf = (v: string | undefined): number | undefined =>
  v !== undefined && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;

export function isHostBuffer(name: string): boolean {
  return /^(CPU|Host)|_Host$|^CUDA_Host|^ROCm_Host/i.test(name);
}

export function src(tool: SourceTool, file: string, line?: number, detail?: string): Source {
  const s: Source = { tool, file };
  if (line !== undefined && line > 0) s.line = line;
  if (detail) s.detail = detail;
  return s;
}

export function mv(bytes: number, source: Source, resolution?: number, note?: string): MeasuredValue {
  const v: MeasuredValue = { bytes, source };
  if (resolution !== undefined) v.resolution_bytes = resolution;
  if (note) v.note = note;
  return v;
}

export function bufferRows(lines: BufferLine[], file: string): BufferRow[] {
  return lines.map((b) => ({
    component: b.component === "state" ? "state" : b.component,
    device: b.device,
    host: isHostBuffer(b.device),
    bytes: b.bytes,
    source: src("llama.cpp", file, b.line, `${b.prefix}: ${b.component} buffer line`),
    resolution_bytes: MIB2_RES,
  }));
}
