/**
 * llama-bench `-o json` (an array of objects) and `-o jsonl` (one object per line)
 * (example: tests/fixtures/ingest/log-formats/llama-bench/). Unknown keys are ignored; `flash_attn` is a bool before 2026-05-31 and an
 * int (-1 auto, 0 off, 1 on) after. llama-bench reports no memory except `model_size` (bytes).
 * A record that is not valid JSON (e.g. elided with `...`) is read leniently field by field,
 * with a warning.
 */
import { WarningSink, lines, type ParseWarning } from "./common.ts";

export interface LlamaBenchRecord {
  buildCommit?: string;
  buildNumber?: number;
  cpuInfo?: string;
  gpuInfo?: string;
  backends?: string;
  modelFilename?: string;
  modelType?: string;
  modelSizeBytes?: number;
  modelParams?: number;
  nBatch?: number;
  nUbatch?: number;
  typeK?: string;
  typeV?: string;
  nGpuLayers?: number;
  flashAttn?: "on" | "off" | "auto";
  nPrompt?: number;
  nGen?: number;
  nDepth?: number;
  avgTs?: number;
  stddevTs?: number;
  test?: "pp" | "tg" | "pp+tg";
  lenient: boolean;
  line: number;
}

export interface LlamaBenchFacts {
  tool: "llama-bench";
  format: "json" | "jsonl";
  records: LlamaBenchRecord[];
  warnings: ParseWarning[];
}

type Json = Record<string, unknown>;

function fa(v: unknown): LlamaBenchRecord["flashAttn"] {
  if (v === true || v === 1 || v === "1" || v === "on") return "on";
  if (v === false || v === 0 || v === "0" || v === "off") return "off";
  if (v === -1 || v === "-1" || v === "auto") return "auto";
  return undefined;
}

function record(o: Json, line: number, lenient: boolean): LlamaBenchRecord {
  const s = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : undefined);
  const n = (k: string) => (typeof o[k] === "number" && Number.isFinite(o[k] as number) ? (o[k] as number) : undefined);
  const r: LlamaBenchRecord = {
    buildCommit: s("build_commit"),
    buildNumber: n("build_number"),
    cpuInfo: s("cpu_info"),
    gpuInfo: s("gpu_info"),
    backends: s("backends"),
    modelFilename: s("model_filename"),
    modelType: s("model_type"),
    modelSizeBytes: n("model_size"),
    modelParams: n("model_n_params"),
    nBatch: n("n_batch"),
    nUbatch: n("n_ubatch"),
    typeK: s("type_k"),
    typeV: s("type_v"),
    nGpuLayers: n("n_gpu_layers"),
    flashAttn: fa(o.flash_attn),
    nPrompt: n("n_prompt"),
    nGen: n("n_gen"),
    nDepth: n("n_depth"),
    avgTs: n("avg_ts"),
    stddevTs: n("stddev_ts"),
    lenient,
    line,
  };
  const p = r.nPrompt ?? 0;
  const g = r.nGen ?? 0;
  r.test = p > 0 && g === 0 ? "pp" : p === 0 && g > 0 ? "tg" : p > 0 && g > 0 ? "pp+tg" : undefined;
  return r;
}

/** Scalar `"key": value` pairs of a line that is not valid JSON. */
function lenientFields(text: string): Json {
  const o: Json = Object.create(null);
  const re = /"([A-Za-z_]\w*)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|true|false|null)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    try {
      o[m[1]] = JSON.parse(m[2]);
    } catch {
      /* leave the field out */
    }
  }
  return o;
}

export function parseLlamaBench(text: string): LlamaBenchFacts {
  const w = new WarningSink();
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) {
    const f: LlamaBenchFacts = { tool: "llama-bench", format: "json", records: [], warnings: [] };
    try {
      const arr = JSON.parse(text) as unknown;
      if (!Array.isArray(arr)) throw new Error("not an array");
      arr.forEach((o, i) => {
        if (typeof o === "object" && o !== null && !Array.isArray(o)) f.records.push(record(o as Json, i + 1, false));
        else w.add(i + 1, "", `element [${i}] is not an object`);
      });
    } catch (e) {
      w.add(1, trimmed.slice(0, 80), `llama-bench JSON does not parse: ${(e as Error).message}`);
    }
    f.warnings = w.list();
    return f;
  }
  const f: LlamaBenchFacts = { tool: "llama-bench", format: "jsonl", records: [], warnings: [] };
  for (const [raw, n] of lines(text)) {
    const l = raw.trim();
    if (!l) continue;
    let o: unknown;
    try {
      o = JSON.parse(l);
    } catch {
      const lf = lenientFields(l);
      if (Object.keys(lf).length === 0) {
        w.add(n, l, "not a JSON object");
        continue;
      }
      w.add(n, l, "record is not valid JSON; read its scalar fields one by one");
      f.records.push(record(lf, n, true));
      continue;
    }
    if (typeof o === "object" && o !== null && !Array.isArray(o)) f.records.push(record(o as Json, n, false));
    else w.add(n, l, "not a JSON object");
  }
  f.warnings = w.list();
  return f;
}
