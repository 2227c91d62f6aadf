/**
 * Configuration from names and `case.json`, a case's outcome, duplicate keys, and the did-not-fit
 * rule: the pieces that decide what a point configures and whether it is a measurement.
 */
import { KV_TYPES, type KvType } from "../../../src/schemas/kv-type.ts";
import type { MeasuredMetric, Point, PointConfig } from "../../../src/schemas/run.ts";
import { faOf, isKvType, setConfig, type ConfigSource, type PointDraft } from "./draft.ts";

const KV_ALT = [...KV_TYPES].sort((x, y) => y.length - x.length).join("|");
const SEP = String.raw`(?:^|[_.\s/-])`;
const END = String.raw`(?=$|[_.\s/-])`;
const NAME_RULES: [RegExp, (m: RegExpExecArray, out: Partial<PointConfig>) => void][] = [
  [new RegExp(`${SEP}(?:ctx|c)-?(\\d+)(k)?${END}`, "i"), (m, o) => (o.n_ctx = Number(m[1]) * (m[2] ? 1024 : 1))],
  [new RegExp(`${SEP}(?:k|ctk)-(${KV_ALT})${END}`), (m, o) => (o.type_k = m[1] as KvType)],
  [new RegExp(`${SEP}(?:v|ctv)-(${KV_ALT})${END}`), (m, o) => (o.type_v = m[1] as KvType)],
  [new RegExp(`${SEP}fa-(on|off|auto)${END}`), (m, o) => (o.flash_attn = m[1] as "on" | "off" | "auto")],
  [new RegExp(`${SEP}np-?(\\d+)${END}`), (m, o) => (o.n_seq = Number(m[1]))],
  [new RegExp(`${SEP}ub-?(\\d+)${END}`), (m, o) => (o.n_ubatch = Number(m[1]))],
  [new RegExp(`${SEP}ngl-?(-?\\d+)${END}`), (m, o) => (o.n_gpu_layers = Number(m[1]))],
];

/**
 * The config a folder or file name states (documented naming): `ctx-32768` (or `ctx-32k`),
 * `k-q8_0`, `v-q4_0`, `fa-on|off|auto`, `np-4`, `ub-512`, `ngl-99`, separated by `_ . - /` or
 * spaces — e.g. `qwen3-14b-q4km_ctx-32768_k-q8_0_v-q4_0_fa-on` or `ctx-8192.time-v.txt`.
 */
export function configFromName(name: string): Partial<PointConfig> {
  const out: Partial<PointConfig> = {};
  for (const [re, apply] of NAME_RULES) {
    const m = re.exec(name);
    if (m) apply(m, out);
  }
  return out;
}

/** `case.json` of the measurement layout → the config it states. */
export function configFromCaseJson(j: Record<string, unknown>): Partial<PointConfig> {
  const out: Partial<PointConfig> = {};
  const int = (k: string) => (typeof j[k] === "number" && Number.isInteger(j[k]) ? (j[k] as number) : undefined);
  if (int("n_ctx") !== undefined) out.n_ctx = int("n_ctx");
  if (typeof j.type_k === "string" && isKvType(j.type_k)) out.type_k = j.type_k;
  if (typeof j.type_v === "string" && isKvType(j.type_v)) out.type_v = j.type_v;
  const fa =
    typeof j.flash_attn === "string" || typeof j.flash_attn === "number" || typeof j.flash_attn === "boolean"
      ? faOf(String(j.flash_attn))
      : undefined;
  if (fa) out.flash_attn = fa;
  if (int("n_batch") !== undefined) out.n_batch = int("n_batch");
  if (int("n_ubatch") !== undefined) out.n_ubatch = int("n_ubatch");
  if (int("n_seq_max") !== undefined) out.n_seq = int("n_seq_max");
  if (int("n_gpu_layers") !== undefined) out.n_gpu_layers = int("n_gpu_layers");
  Object.assign(out, placementFromCaseJson(j.placement));
  return out;
}

/**
 * `placement` of a case.json (the placement schema's spelling) → the point's placement flags;
 * passed as stated, so the run schema's bounds report a bad value with its path.
 */
function placementFromCaseJson(pl: unknown): Partial<PointConfig> {
  if (typeof pl !== "object" || pl === null) return {};
  const o = pl as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (Array.isArray(o.overrides) && o.overrides.length) out.tensor_overrides = o.overrides;
  if (o.cpu_moe !== undefined && o.cpu_moe !== false) out.cpu_moe = o.cpu_moe;
  if (o.n_cpu_moe !== undefined && o.n_cpu_moe !== 0) out.n_cpu_moe = o.n_cpu_moe;
  if (o.load_mode !== undefined) out.load_mode = o.load_mode;
  return out as Partial<PointConfig>;
}

/**
 * The outcome a `case.json` states. `npm run profile` writes `status` (`ok`, `did-not-fit` when
 * llama.cpp could not allocate, `failed`) and `exit_code`; the H100 layout only `exit_code`.
 * `did-not-fit` is a result, so it wins over a non-zero exit code; null = nothing to change.
 */
export function caseStatus(j: Record<string, unknown>): { status: Point["status"]; note: string } | null {
  const exit = typeof j.exit_code === "number" ? j.exit_code : undefined;
  const msg = typeof j.message === "string" && j.message.trim() ? `: ${j.message.trim()}` : "";
  if (j.status === "did-not-fit") return { status: "did-not-fit", note: `case.json: did not fit${msg}` };
  if (j.status === "failed") return { status: "failed", note: `case.json: failed${msg}` };
  if (j.status === "skipped") return { status: "failed", note: `case.json: skipped, not run${msg}` };
  if (exit !== undefined && exit !== 0)
    return {
      status: "failed",
      note: `case.json: exit_code ${exit}${j.status === undefined ? "" : ` (status ${JSON.stringify(j.status)})`}${msg}`,
    };
  return null;
}

export function applyConfig(d: PointDraft, c: Partial<PointConfig>, source: ConfigSource): void {
  for (const [k, v] of Object.entries(c)) setConfig(d, k as keyof PointConfig, v as never, source);
}

/** A stable key of what a point configures, for duplicate detection. */
export function configKey(d: { config: PointConfig; n_ctx_allocated?: number }): string {
  const c = d.config;
  return JSON.stringify([
    d.n_ctx_allocated ?? c.n_ctx,
    c.type_k,
    c.type_v,
    c.flash_attn,
    c.n_seq,
    c.kv_unified,
    c.n_ubatch,
    c.n_gpu_layers,
    c.no_kv_offload,
    c.tensor_overrides,
    c.cpu_moe,
    c.n_cpu_moe,
    c.load_mode,
  ]);
}

/**
 * A point that did not fit is a result, not a measurement: whatever was read up to the failed
 * allocation (a KV size line, the peak RSS so far) is not this configuration's memory. The
 * values move to a note (buffers, caches and raw files keep the detail); `measured` is emptied.
 */
export function settleDidNotFit(p: Point): void {
  if (p.status !== "did-not-fit") return;
  const keys = Object.keys(p.measured) as MeasuredMetric[];
  if (!keys.length) return;
  const list = keys.map((k) => `${k} ${p.measured[k]!.bytes} B (${p.measured[k]!.source.tool})`).join(", ");
  p.notes.push(`did not fit: readings up to the failed allocation, not measurements of this configuration: ${list}`);
  p.measured = {};
}
