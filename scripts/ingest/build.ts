/**
 * Input unit (run JSON, run/measurement folder, bare raw output) → a validated Run plus the
 * files to store. Nothing here writes to the data dir: the whole invocation is built and
 * validated first, and only then committed (store.ts).
 *
 * Measurement-folder layout (what `npm run profile` writes and the H100 run uses):
 *   <root>/run.json                  optional run metadata (RunInputSchema, points optional)
 *   <root>/<case>/…                  one case per subfolder = one point (a log with several main
 *                                    contexts gives several points)
 *   <root>/baseline/                 idle GPU baseline (nvidia-smi CSV) and environment; not a point
 *   <root>/provenance/, smoke_…/     kept verbatim, not points
 *   <root>/<files>                   raw outputs at the top level are grouped by the config their
 *                                    names state (`ctx-32768`, `k-q8_0`, `v-q4_0`, `fa-on`, `np-4`)
 * Which context a raw file belongs to: the log's own `n_ctx` line, else its name (documented in
 * the methodology page).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import type { z } from "zod";
import { ArchitectureSchema, type Architecture } from "../../src/schemas/architecture.ts";
import { llamaCppRevisionForDate } from "../../src/lib/engine/context.ts";
import { FTYPE_BY_ID } from "../../src/lib/engine/weights.ts";
import { MiB } from "../../src/lib/units.ts";
import {
  RunInputSchema,
  RunSchema,
  type Point,
  type Run,
  type RunInput,
  type SourceTool,
} from "../../src/schemas/run.ts";
import { formatDateRange, type DateRange } from "./build-date.ts";
import { revisionsFor } from "../../src/lib/runs/revisions.ts";
import { type RawFacts, type Tool, parseRaw } from "./detect.ts";
import { IngestError, showValue } from "./errors.ts";
import { MAX_TEXT_BYTES, readText, type InputFile } from "./files.ts";
import { normaliseRunJson, parseJsonText } from "./json-input.ts";
import type { FootprintFacts } from "./parsers/footprint.ts";
import {
  createLlamaCppParser,
  mainContexts,
  modelOf,
  type LlamaCppFacts,
  type ModelLoadFact,
} from "./parsers/llama-cpp.ts";
import { runOnStream } from "./parsers/common.ts";
import { parseMemprobe, type MemprobeFacts } from "./parsers/memprobe.ts";
import type { NvidiaSmiFacts } from "./parsers/nvidia-smi.ts";
import { createOllamaParser, type OllamaFacts } from "./parsers/ollama.ts";
import type { OllamaPsFacts } from "./parsers/ollama-ps.ts";
import type { LlamaBenchFacts } from "./parsers/llama-bench.ts";
import type { TimeLFacts } from "./parsers/time-l.ts";
import type { TimeVFacts } from "./parsers/time-v.ts";
import type { VmmapFacts } from "./parsers/vmmap.ts";
import {
  applyConfig,
  applyContext,
  applyFootprint,
  applyMemprobe,
  applyNvidiaSmi,
  applyOllamaLoad,
  applyOllamaPs,
  applyTimeL,
  applyTimeV,
  applyVmmap,
  attachRssBaseline,
  caseStatus,
  configFromCaseJson,
  configFromName,
  configKey,
  newDraft,
  settleDidNotFit,
  type PointDraft,
} from "./points.ts";

/** Raise when parsers extract something new: `--reparse` then rebuilds older runs. */
export const PARSER_VERSION = 3;
/** Raw files above this many bytes are stored gzipped. */
export const RAW_GZIP_ABOVE = 1024 * 1024;
/** Logs above this are parsed streamed, line by line. */
export const STREAM_ABOVE = 8 * 1024 * 1024;

export type Unit =
  | { kind: "run-json"; label: string; file: InputFile }
  | { kind: "folder"; label: string; root: string; files: InputFile[] }
  | { kind: "raw"; label: string; file: InputFile };

export interface RawToStore {
  abs: string;
  /** Destination relative to data/raw/<id>/. */
  dest: string;
  gzip: boolean;
}

export interface SourceToStore {
  /** File name under data/sources/. */
  name: string;
  abs: string;
}

export interface BuiltRun {
  run: Run;
  raw: RawToStore[];
  sources: SourceToStore[];
  /** Informational lines for the summary (not stored). */
  info: string[];
  label: string;
}

export interface BuildOptions {
  /** Parsed `--meta` file and where it was read from. */
  meta?: { input: RunInput; file: InputFile };
  /** Keep this id (reparse). */
  forceId?: string;
  gzipAbove?: number;
}

interface ParsedFile {
  file: InputFile;
  tool?: Tool;
  facts?: RawFacts;
  json?: unknown;
  memprobeInLog?: MemprobeFacts;
}

/** Facts gathered for the run level; the first value wins, later disagreements are warned. */
class RunFacts {
  values = new Map<string, unknown>();
  warnings: Run["warnings"] = [];
  /** Intersection of the build-date ranges the logs' formats imply. */
  range?: DateRange;
  narrow(r: DateRange): void {
    if (!this.range) this.range = { ...r, evidence: [...r.evidence] };
    else {
      if (r.from && (!this.range.from || r.from > this.range.from)) this.range.from = r.from;
      if (r.to && (!this.range.to || r.to < this.range.to)) this.range.to = r.to;
      for (const e of r.evidence) if (!this.range.evidence.includes(e)) this.range.evidence.push(e);
    }
  }
  set(path: string, value: unknown, where?: string): void {
    if (value === undefined || value === null || value === "") return;
    if (!this.values.has(path)) this.values.set(path, value);
    else if (JSON.stringify(this.values.get(path)) !== JSON.stringify(value))
      this.warnings.push({
        file: where,
        message: `${path}: files disagree (${showValue(this.values.get(path))} vs ${showValue(value)}); keeping the first`,
      });
  }
  get<T>(path: string): T | undefined {
    return this.values.get(path) as T | undefined;
  }
}

async function parseFile(f: InputFile): Promise<ParsedFile> {
  // write-ups (README.md) quote log lines but are not outputs
  if (f.binary || /\.(md|markdown|html?)$/i.test(f.rel)) return { file: f };
  const tool = f.tool;
  if (!tool) return { file: f };
  if (tool === "run-json" || tool === "case-json") {
    const text = await readText(f, 16 * 1024 * 1024);
    return { file: f, tool, json: normaliseRunJson(parseJsonText(text, f.rel), f.rel) };
  }
  if ((tool === "llama.cpp" || tool === "ollama") && f.size > STREAM_ABOVE) {
    const stream = createReadStream(f.abs, { highWaterMark: 1 << 20 });
    const parser = tool === "llama.cpp" ? createLlamaCppParser() : createOllamaParser();
    const r = await runOnStream<RawFacts>(parser as never, stream);
    return { file: f, tool, facts: r.facts };
  }
  const text = await readText(f, MAX_TEXT_BYTES);
  const facts = parseRaw(tool, text);
  const p: ParsedFile = { file: f, tool, facts };
  if (tool === "llama.cpp" && text.includes("memprobe:")) p.memprobeInLog = parseMemprobe(text);
  return p;
}

const NON_POINT_DIRS = /^(baseline|provenance|\..*|smoke_.*)$/;

/** Group a folder's files into cases: subfolders, and top-level files by the config their names state. */
function groupCases(files: ParsedFile[]): {
  cases: Map<string, ParsedFile[]>;
  baseline: ParsedFile[];
  skipped: string[];
} {
  const cases = new Map<string, ParsedFile[]>();
  const baseline: ParsedFile[] = [];
  const skipped = new Set<string>();
  for (const p of files) {
    const parts = p.file.rel.split("/");
    if (parts.length === 1) {
      if (parts[0] === "run.json") continue;
      const c = configFromName(parts[0].replace(/\.[^.]*$/, ""));
      const key = Object.keys(c).length
        ? Object.entries(c)
            .map(([k, v]) => `${k}=${v}`)
            .join(",")
        : "";
      const list = cases.get(`file:${key}`) ?? [];
      list.push(p);
      cases.set(`file:${key}`, list);
      continue;
    }
    const top = parts[0];
    if (top === "baseline") baseline.push(p);
    if (NON_POINT_DIRS.test(top)) {
      skipped.add(top);
      continue;
    }
    const list = cases.get(`dir:${top}`) ?? [];
    list.push(p);
    cases.set(`dir:${top}`, list);
  }
  return { cases, baseline, skipped: [...skipped] };
}

const slugify = (s: string): string =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/\.+/g, ".")
    .replace(/^[-.]+|[-.]+$/g, "")
    .replace(/-+/g, "-");

/** `Q4_K - Medium` (print_info) → `Q4_K_M`; other spellings pass through upper-cased. */
export function ftypeFromPrintInfo(s: string): string {
  const m = /^(\S+?)\s*-\s*(Medium|Small|Large|Extra small|XS|XXS)\b/i.exec(s.trim());
  if (m) {
    const suffix =
      { medium: "M", small: "S", large: "L", "extra small": "XS", xs: "XS", xxs: "XXS" }[m[2].toLowerCase()] ?? m[2];
    return `${m[1].toUpperCase()}_${suffix}`;
  }
  const n = /^(\S+)/.exec(s.trim());
  return (n ? n[1] : s).toUpperCase().replace(/^ALL_/, "");
}

function runFactsFromLlama(rf: RunFacts, f: LlamaCppFacts, file: string): void {
  if (f.build) {
    rf.set("runtime.llama_cpp.commit", f.build.commit, file);
    if (f.build.number > 0) rf.set("runtime.llama_cpp.build_number", f.build.number, file);
  }
  const gpu = f.devices.find((d) => d.backend && d.backend !== "CPU");
  if (gpu) {
    rf.set("hardware.gpu.name", gpu.description, file);
    rf.set("gpu.usable_mib", gpu.totalMiB, file);
  }
  const bufDevices = [
    ...f.models.flatMap((m) => m.buffers.map((b) => b.device)),
    ...f.contexts.flatMap((c) => c.compute.map((b) => b.device)),
  ];
  const backend =
    bufDevices.some((d) => /^CUDA\d/.test(d)) || gpu?.backend === "CUDA"
      ? "cuda"
      : bufDevices.some((d) => /^(MTL|Metal)/.test(d)) || gpu?.backend === "Metal" || f.metal
        ? "metal"
        : bufDevices.length && bufDevices.every((d) => /^CPU/.test(d))
          ? "cpu"
          : undefined;
  rf.set("runtime.backend", backend, file);
  if (f.metal?.recommendedMaxWorkingSetBytes)
    rf.set("hardware.gpu_working_set_bytes", f.metal.recommendedMaxWorkingSetBytes, file);
  if (f.metal?.unifiedMemory !== undefined) rf.set("hardware.unified_memory", f.metal.unifiedMemory, file);
  if (f.metal?.gpuName) rf.set("hardware.gpu.name", f.metal.gpuName, file);
  const turbo =
    f.turbo.autoAsymmetric ||
    f.turbo.flashAttnForced ||
    f.turbo.rotationInit > 0 ||
    f.turbo.zeroPadding.length > 0 ||
    f.contexts.some((c) =>
      c.caches.some((k) => /^turbo/.test(k.size?.k.type ?? "") || /^turbo/.test(k.size?.v?.type ?? "")),
    );
  rf.set("engine", turbo ? "turboquant" : "llama.cpp", file);
  const m = modelOf(f);
  if (m) {
    const g = (k: string) => m.gguf[k]?.value;
    const arch = g("general.architecture") ?? m.info.arch?.value;
    rf.set("model.arch", arch, file);
    rf.set("model.name", g("general.name") ?? m.info["general.name"]?.value, file);
    const ft = g("general.file_type");
    const ftype =
      ft !== undefined && FTYPE_BY_ID[Number(ft)]
        ? FTYPE_BY_ID[Number(ft)]
        : m.info["file type"]
          ? ftypeFromPrintInfo(m.info["file type"].value)
          : undefined;
    rf.set("model.ftype", ftype, file);
    if (m.fileSize)
      rf.set(
        "model.log_file_size",
        `${m.fileSize.value} ${m.fileSize.unit}${m.fileSize.bpw ? ` (${m.fileSize.bpw} BPW)` : ""}`,
        file,
      );
    if (m.info["model params"]) rf.set("model.log_params", m.info["model params"].value, file);
    const a = architectureFromLog(m);
    if (a) rf.set("model.architecture", a, file);
  }
}

/**
 * Architecture from a log's GGUF key dump, for plain full-attention models whose keys are all
 * scalars (anything with sliding windows, MLA, recurrent state or experts needs the GGUF header).
 */
export function architectureFromLog(m: ModelLoadFact): Architecture | undefined {
  const gguf = m.gguf;
  const arch = gguf["general.architecture"]?.value;
  if (!arch) return undefined;
  const num = (k: string) => {
    const v = gguf[`${arch}.${k}`];
    return v !== undefined && !v.type.startsWith("arr[") && /^\d+$/.test(v.value) ? Number(v.value) : undefined;
  };
  const blocks = num("block_count");
  const heads = num("attention.head_count");
  const kvHeads = num("attention.head_count_kv");
  const embd = num("embedding_length");
  if (!blocks || !heads || kvHeads === undefined || !embd) return undefined;
  if (
    Object.keys(gguf).some((k) =>
      /sliding_window|kv_lora_rank|\.ssm\.|expert_count|nextn|recurrent|shared_kv|wkv|shortconv|full_attention_interval/.test(
        k,
      ),
    )
  )
    return undefined;
  const tokens = /^arr\[\w+,(\d+)\]$/.exec(gguf["tokenizer.ggml.tokens"]?.type ?? "");
  const nVocab =
    num("vocab_size") ??
    (tokens ? Number(tokens[1]) : undefined) ??
    (m.info.n_vocab && /^\d+$/.test(m.info.n_vocab.value) ? Number(m.info.n_vocab.value) : undefined);
  const doc = {
    arch,
    name: gguf["general.name"]?.value ?? null,
    block_count: blocks,
    context_length: num("context_length") ?? null,
    n_embd: embd,
    n_head: heads,
    n_head_kv: kvHeads,
    key_length: num("attention.key_length") ?? Math.floor(embd / heads),
    value_length: num("attention.value_length") ?? Math.floor(embd / heads),
    feed_forward_length: num("feed_forward_length") ?? null,
    vocab_size: nVocab ?? null,
  };
  const r = ArchitectureSchema.safeParse(doc);
  return r.success ? r.data : undefined;
}

function dateOf(s: unknown): string | undefined {
  return typeof s === "string" && /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : undefined;
}

function toolOfFacts(f: RawFacts): SourceTool {
  return f.tool === "footprint" ? "footprint" : (f.tool as SourceTool);
}

/** Build the points of one case (subfolder or group of top-level files). */
function buildCase(
  id: string,
  folderName: string | undefined,
  files: ParsedFile[],
  baseline: { bytes: number; what: string } | undefined,
  rf: RunFacts,
  rawPath: (f: InputFile) => string,
  tools: Set<SourceTool>,
): { drafts: PointDraft[]; info: string[] } {
  const drafts: PointDraft[] = [];
  const info: string[] = [];
  const logs = files.filter((p) => p.tool === "llama.cpp" && p.facts);
  const ollamaLogs = files.filter((p) => p.tool === "ollama" && p.facts);
  for (const p of logs) {
    const f = p.facts as LlamaCppFacts;
    tools.add("llama.cpp");
    runFactsFromLlama(rf, f, p.file.rel);
    rf.narrow(formatDateRange(f));
    const ctxs = mainContexts(f);
    if (ctxs.length === 0) {
      const why = f.contexts.length ? "only draft or --fit dry-run contexts" : "no context lines (n_ctx, KV, compute)";
      info.push(`${p.file.rel}: llama.cpp log with ${why}; no point`);
      continue;
    }
    ctxs.forEach((c, i) => {
      const d = newDraft(ctxs.length > 1 ? `${id}#${i + 1}` : id);
      applyContext(d, f, c, modelOf(f, c), rawPath(p.file));
      d.warnings.push(
        ...f.warnings.map((w) => ({
          file: rawPath(p.file),
          line: w.line || undefined,
          message: `${w.message}: ${w.text}`,
        })),
      );
      if (p.memprobeInLog && ctxs.length === 1) applyMemprobe(d, p.memprobeInLog, rawPath(p.file), "log");
      drafts.push(d);
    });
  }
  for (const p of ollamaLogs) {
    const o = p.facts as OllamaFacts;
    tools.add("ollama");
    rf.set("runtime.ollama_version", o.version, p.file.rel);
    rf.set("engine", "ollama", p.file.rel);
    const lctx = mainContexts(o.llama);
    if (lctx.length) {
      runFactsFromLlama(rf, o.llama, p.file.rel);
      rf.values.set("engine", "ollama");
      lctx.forEach((c, i) => {
        const d = newDraft(lctx.length > 1 ? `${id}#${i + 1}` : id);
        applyContext(d, o.llama, c, modelOf(o.llama, c), rawPath(p.file));
        const load = o.loads[Math.min(i, o.loads.length - 1)];
        if (load) applyOllamaLoad(d, o, { ...load, kv: [], compute: [], weights: [] }, rawPath(p.file));
        drafts.push(d);
      });
    } else {
      const loads = o.loads.filter((l) => l.kv.length || l.compute.length || l.weights.length);
      loads.forEach((l, i) => {
        const d = newDraft(loads.length > 1 ? `${id}#${i + 1}` : id);
        applyOllamaLoad(d, o, l, rawPath(p.file));
        drafts.push(d);
      });
      if (!loads.length) info.push(`${p.file.rel}: Ollama log without memory lines; no point`);
      if (o.loads.some((l) => l.offload))
        info.push(`${p.file.rel}: msg=offload lines are Ollama's estimates and are kept as notes, not measurements`);
    }
    const gpu = o.devices.find((x) => x.library && x.library !== "cpu");
    if (gpu) rf.set("hardware.gpu.name", gpu.description ?? gpu.name, p.file.rel);
  }
  const processFiles = files.filter((p) => p.facts && p.tool !== "llama.cpp" && p.tool !== "ollama");
  const caseJson = files.find((p) => p.tool === "case-json")?.json as Record<string, unknown> | undefined;
  const hasMeasurement = processFiles.some((p) =>
    ["time-v", "time-l", "footprint", "footprint-json", "vmmap", "nvidia-smi", "memprobe", "ollama-ps"].includes(
      p.tool!,
    ),
  );
  if (drafts.length === 0 && (hasMeasurement || caseJson)) drafts.push(newDraft(id));
  const single = drafts.length === 1 ? drafts[0] : undefined;
  for (const p of processFiles) {
    const f = p.facts!;
    const path = rawPath(p.file);
    if (p.tool === "llama-bench") {
      const b = f as LlamaBenchFacts;
      tools.add("llama-bench");
      const r = b.records[0];
      if (r) {
        rf.set("runtime.llama_cpp.commit", r.buildCommit, p.file.rel);
        if (r.buildNumber) rf.set("runtime.llama_cpp.build_number", r.buildNumber, p.file.rel);
        rf.set("hardware.gpu.name", r.gpuInfo, p.file.rel);
        rf.set("model.weights_bytes", r.modelSizeBytes, p.file.rel);
        rf.set("model.params", r.modelParams, p.file.rel);
      }
      info.push(`${p.file.rel}: llama-bench reports no memory except model_size; used for model and build facts`);
      continue;
    }
    if (!single) {
      if (drafts.length > 1)
        info.push(
          `${p.file.rel}: a process-level ${p.tool} output cannot be attributed to one of ${drafts.length} points; kept verbatim, not used`,
        );
      continue;
    }
    tools.add(toolOfFacts(f));
    switch (p.tool) {
      case "memprobe": {
        const m = f as MemprobeFacts;
        applyMemprobe(single, m, path, "stdout");
        if (m.result?.model_size) rf.set("model.weights_bytes", m.result.model_size, p.file.rel);
        if (m.result?.n_params) rf.set("model.params", m.result.n_params, p.file.rel);
        break;
      }
      case "time-v":
        applyTimeV(single, f as TimeVFacts, path);
        break;
      case "time-l":
        applyTimeL(single, f as TimeLFacts, path);
        break;
      case "footprint":
      case "footprint-json":
        applyFootprint(single, f as FootprintFacts, path);
        break;
      case "vmmap":
        applyVmmap(single, f as VmmapFacts, path);
        break;
      case "nvidia-smi": {
        const n = f as NvidiaSmiFacts;
        applyNvidiaSmi(single, n, path, baseline);
        const g = Object.values(n.gpus)[0];
        if (g?.totalMiB) rf.set("hardware.gpu.memory_bytes", g.totalMiB * MiB, p.file.rel);
        break;
      }
      case "ollama-ps":
        applyOllamaPs(single, f as OllamaPsFacts, path);
        break;
    }
    for (const w of (f as { warnings?: { line: number; text: string; message: string }[] }).warnings ?? [])
      single.warnings.push({
        file: path,
        line: w.line || undefined,
        message: w.text ? `${w.message}: ${w.text}` : w.message,
      });
  }
  if (caseJson) {
    const cj = files.find((p) => p.tool === "case-json")!;
    for (const d of drafts) {
      applyConfig(d, configFromCaseJson(caseJson), "case.json");
      d.raw_files.add(rawPath(cj.file));
      const st = caseStatus(caseJson);
      if (st) {
        d.status = st.status;
        d.notes.push(st.note);
      }
    }
    rf.set("date", dateOf(caseJson.start_utc), cj.file.rel);
    rf.set("hardware.gpu.name", typeof caseJson.device === "string" ? caseJson.device : undefined, cj.file.rel);
    rf.set(
      "hardware.gpu.driver",
      typeof caseJson.driver_version === "string" ? caseJson.driver_version : undefined,
      cj.file.rel,
    );
    if (typeof caseJson.llama_cpp_version === "string")
      rf.set("runtime.llama_cpp.version", caseJson.llama_cpp_version.split(/\s+/)[0], cj.file.rel);
  }
  if (folderName) for (const d of drafts) applyConfig(d, configFromName(folderName), "folder-name");
  for (const p of files) {
    const nameCfg = configFromName(basename(p.file.rel).replace(/\.[^.]*$/, ""));
    if (!folderName && Object.keys(nameCfg).length)
      for (const d of drafts) if (d.raw_files.has(rawPath(p.file))) applyConfig(d, nameCfg, "file-name");
  }
  for (const p of files)
    for (const d of drafts) if (p.tool === "memprobe" || p.tool === "case-json") d.raw_files.add(rawPath(p.file));
  return { drafts, info };
}

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

/** Zod issues → IngestErrors naming the JSON path, the value found and what was expected. */
export function zodErrors(err: z.ZodError, file: string, root: unknown, prefix = ""): IngestError[] {
  return err.issues.slice(0, 20).map((i) => {
    const path = i.path
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
      .join("")
      .replace(/^\./, "");
    let value: unknown = root;
    for (const p of i.path)
      value =
        value !== null && typeof value === "object"
          ? (value as Record<PropertyKey, unknown>)[p as PropertyKey]
          : undefined;
    const unknownKeys = i.code === "unrecognized_keys" ? (i as { keys?: string[] }).keys : undefined;
    return new IngestError(unknownKeys ? `unknown field(s) ${unknownKeys.join(", ")}` : i.message, {
      file,
      path: `${prefix}${path}` || "(document)",
      value: unknownKeys ? undefined : value,
      expected: unknownKeys ? "only the fields of the run schema (data/schema/run.schema.json)" : expectedOf(i),
    });
  });
}

function expectedOf(i: z.core.$ZodIssue): string | undefined {
  const x = i as unknown as Record<string, unknown>;
  if (i.code === "invalid_type") return String(x.expected);
  if (i.code === "too_small") return `${x.inclusive === false ? ">" : "≥"} ${String(x.minimum)}`;
  if (i.code === "too_big") return `${x.inclusive === false ? "<" : "≤"} ${String(x.maximum)}`;
  if (i.code === "invalid_value") return `one of ${(x.values as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
  if (i.code === "invalid_format") return String(x.format);
  return undefined;
}

/** The catalog as ingest needs it: model presets (architecture) and hardware ids. */
export interface CatalogLookup {
  /** The preset's architecture, `undefined` if it has none usable, `"missing"` if no such preset. */
  model(id: string): Architecture | undefined | "missing";
  /** Whether a hardware preset exists (`undefined`: no hardware catalog to check against). */
  hardware(id: string): boolean | undefined;
}

/** Build one Run from one input unit. Throws IngestError (possibly aggregated) on invalid input. */
export async function buildRun(unit: Unit, opts: BuildOptions, catalog: CatalogLookup): Promise<BuiltRun> {
  const gzipAbove = opts.gzipAbove ?? RAW_GZIP_ABOVE;
  const info: string[] = [];
  const rf = new RunFacts();
  const tools = new Set<SourceTool>();
  const raw: RawToStore[] = [];
  const sources: SourceToStore[] = [];
  let input: RunInput = {};
  let inputFile = unit.label;
  let drafts: PointDraft[] = [];
  let rawFiles: Run["provenance"]["raw_files"] = [];
  const hashParts: string[] = [unit.kind];

  const destOf = (f: InputFile) => (f.size > gzipAbove ? `${f.rel}.gz` : f.rel);
  const addRaw = (f: InputFile, tool?: Tool) => {
    raw.push({ abs: f.abs, dest: destOf(f), gzip: f.size > gzipAbove });
    const entry: Run["provenance"]["raw_files"][number] = {
      path: destOf(f),
      original: f.rel,
      sha256: f.sha256,
      bytes: f.size,
      gzipped: f.size > gzipAbove,
    };
    if (tool) entry.tool = tool;
    rawFiles.push(entry);
    hashParts.push(`${f.rel}\0${f.sha256}`);
  };

  if (unit.kind === "run-json") {
    const f = unit.file;
    const doc = normaliseRunJson(parseJsonText(await readText(f, 16 * 1024 * 1024), f.rel), f.rel);
    const r = RunInputSchema.safeParse(doc);
    if (!r.success) throw aggregate(zodErrors(r.error, f.rel, doc));
    input = r.data;
    hashParts.push(`${f.rel}\0${f.sha256}`);
    sources.push({ name: "", abs: f.abs });
    if (!input.points?.length)
      throw new IngestError("run JSON has no points", {
        file: f.rel,
        path: "points",
        expected: "at least one point (or a run folder with raw outputs)",
      });
  } else {
    const files = unit.kind === "folder" ? unit.files : [unit.file];
    if (unit.kind === "raw") {
      const f = unit.file;
      if (f.size === 0)
        throw new IngestError("empty file", { file: f.rel, expected: "a raw output of a supported tool" });
      if (f.binary)
        throw new IngestError("binary data, not a text output", { file: f.rel, expected: "a text log or tool output" });
      if (!f.tool)
        throw new IngestError("cannot tell which tool wrote this output", {
          file: f.rel,
          expected: `output of llama.cpp/llama-server, Ollama, ollama ps, llama-bench, footprint, vmmap, /usr/bin/time -l or -v, or nvidia-smi CSV`,
        });
    }
    const parsed: ParsedFile[] = [];
    for (const f of files) {
      if (f.size === 0) {
        if (unit.kind === "folder") info.push(`${f.rel}: empty, kept verbatim`);
        parsed.push({ file: f });
        continue;
      }
      const p = await parseFile(f);
      parsed.push(p);
    }
    for (const p of parsed) addRaw(p.file, p.facts || p.json !== undefined ? p.tool : undefined);
    const runJson = parsed.find((p) => p.file.rel === "run.json");
    if (runJson) {
      if (runJson.tool !== "run-json")
        throw new IngestError("run.json is not a JSON object", {
          file: `${unit.label}/run.json`,
          expected: "run metadata in the run schema",
        });
      const r = RunInputSchema.safeParse(runJson.json);
      if (!r.success) throw aggregate(zodErrors(r.error, `${unit.label}/run.json`, runJson.json));
      input = r.data;
      inputFile = `${unit.label}/run.json`;
    }
    const unparsed = new Map<string, number>();
    for (const p of parsed)
      if (!p.facts && p.json === undefined && p.file.size > 0) {
        const name = basename(p.file.rel);
        unparsed.set(name, (unparsed.get(name) ?? 0) + 1);
      }
    if (unparsed.size)
      info.push(
        `kept verbatim, not parsed (no known tool output): ${[...unparsed].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n)).join(", ")}`,
      );
    const rawPath = (f: InputFile) => destOf(f);
    if (unit.kind === "raw") {
      const p = parsed[0];
      const name = basename(p.file.rel);
      const { drafts: ds, info: i2 } = buildCase(
        slugify(name.replace(/\.[^.]*$/, "")) || "point",
        undefined,
        [p],
        undefined,
        rf,
        rawPath,
        tools,
      );
      drafts = ds;
      info.push(...i2);
      for (const d of drafts) applyConfig(d, configFromName(name.replace(/\.[^.]*$/, "")), "file-name");
    } else {
      const { cases, baseline, skipped } = groupCases(parsed);
      if (skipped.length) info.push(`not points: ${skipped.join(", ")}`);
      let base: { bytes: number; what: string; file: InputFile } | undefined;
      let baseSamples = 0;
      for (const b of baseline) {
        if (b.tool !== "nvidia-smi" || !b.facts) continue;
        const n = b.facts as NvidiaSmiFacts;
        for (const g of Object.values(n.gpus)) {
          // the idle baseline is the file with the most samples (the peak over them, conservatively)
          if (g.usedPeak && n.samples > baseSamples) {
            base = {
              bytes: g.usedPeak.bytes,
              what: `peak of ${n.samples} idle samples in ${b.file.rel}`,
              file: b.file,
            };
            baseSamples = n.samples;
          }
          if (g.totalMiB) rf.set("hardware.gpu.memory_bytes", g.totalMiB * MiB, b.file.rel);
          if (g.reservedMiB !== undefined) rf.set("hardware.gpu.reserved_bytes", g.reservedMiB * MiB, b.file.rel);
          if (g.name) rf.set("hardware.gpu.name", g.name, b.file.rel);
          if (g.driverVersion) rf.set("hardware.gpu.driver", g.driverVersion, b.file.rel);
        }
      }
      if (base) rf.set("measurement.idle_gpu_baseline", base);
      for (const [key, files] of [...cases.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        const isDir = key.startsWith("dir:");
        const name = key.slice(key.indexOf(":") + 1);
        if (!isDir && files.every((p) => !p.facts)) continue;
        const id = isDir ? name : name ? slugify(name.replace(/[=,]/g, "-")) : "point";
        const { drafts: ds, info: i2 } = buildCase(id, isDir ? name : undefined, files, base, rf, rawPath, tools);
        if (isDir && ds.length === 0) info.push(`${name}/: no measurement found; not a point`);
        for (const d of ds) drafts.push(d); // no push(...): case counts come from the input
        for (const i of i2) info.push(i);
      }
    }
  }

  // --meta: declared facts, stored under data/sources/
  let meta: RunInput = {};
  if (opts.meta) {
    meta = opts.meta.input;
    hashParts.push(`meta\0${opts.meta.file.sha256}`);
  }
  const declared = deepMerge(input, meta);

  // assemble the run document
  const inferred: string[] = [];
  const known = (path: string): unknown => {
    let v: unknown = declared;
    for (const p of path.split("."))
      v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
    return v;
  };
  const CHECKED = new Set([
    "runtime.llama_cpp.commit",
    "runtime.llama_cpp.version",
    "runtime.backend",
    "model.arch",
    "model.ftype",
    "model.weights_bytes",
    "model.params",
    "date",
  ]);
  const fill = (target: Record<string, unknown>, path: string, value: unknown) => {
    if (value === undefined) return;
    const decl = known(path);
    if (decl !== undefined) {
      const a = String(decl);
      const b = String(value);
      const same = a === b || (path === "runtime.llama_cpp.commit" && (a.startsWith(b) || b.startsWith(a)));
      if (CHECKED.has(path) && !same)
        rf.warnings.push({
          file: inputFile,
          message: `${path}: declared ${showValue(decl)} but the raw outputs say ${showValue(value)}; keeping the declared value`,
        });
      return;
    }
    const parts = path.split(".");
    let o = target;
    for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    if (o[parts[parts.length - 1]] === undefined) {
      o[parts[parts.length - 1]] = value;
      inferred.push(path);
    }
  };
  const doc: Record<string, unknown> = JSON.parse(JSON.stringify({ ...declared, points: undefined }));
  delete doc.points;
  for (const path of [
    "hardware.gpu.name",
    "hardware.gpu.memory_bytes",
    "hardware.gpu.reserved_bytes",
    "hardware.gpu.driver",
    "hardware.gpu_working_set_bytes",
    "hardware.unified_memory",
    "runtime.backend",
    "runtime.llama_cpp.commit",
    "runtime.llama_cpp.build_number",
    "runtime.llama_cpp.version",
    "runtime.ollama_version",
    "model.arch",
    "model.name",
    "model.ftype",
    "model.weights_bytes",
    "model.params",
    "date",
  ])
    fill(doc, path, rf.get(path));
  // hardware.gpu needs a name if anything about it is known
  const hw = (doc.hardware ??= {}) as Record<string, unknown>;
  if (hw.gpu && !(hw.gpu as Record<string, unknown>).name) delete hw.gpu;
  const engine = (known("runtime.engine") as string | undefined) ?? rf.get<string>("engine") ?? "unknown";
  const rt = (doc.runtime ??= {}) as Record<string, unknown>;
  if (rt.engine === undefined) {
    rt.engine = engine;
    if (engine !== "unknown") inferred.push("runtime.engine");
  }
  const notesModel: string[] = [];
  if (rf.get("model.log_file_size")) notesModel.push(`log: file size = ${rf.get<string>("model.log_file_size")}`);
  if (rf.get("model.log_params")) notesModel.push(`log: model params = ${rf.get<string>("model.log_params")}`);
  const md = (doc.model ??= {}) as Record<string, unknown>;
  if (notesModel.length && !md.notes) md.notes = notesModel.join("; ");
  if (!md.preset && !md.architecture && rf.get("model.architecture")) {
    md.architecture = rf.get("model.architecture");
    inferred.push("model.architecture");
  }

  // engine profile: declared, else from the build date, else from the log formats when unambiguous
  const unknownPaths: string[] = [];
  const range = rf.range;
  const lc = rt.llama_cpp as Record<string, unknown> | undefined;
  if (range && (range.from || range.to) && !lc?.build_date) {
    const r: Record<string, string> = {};
    if (range.from) r.from = range.from;
    if (range.to) r.to = range.to;
    rt.llama_cpp = { ...(lc ?? {}), format_date_range: r };
    inferred.push("runtime.llama_cpp.format_date_range");
  }
  if (!rt.profile && (rt.engine === "llama.cpp" || rt.engine === "ollama")) {
    const buildDate = lc?.build_date as string | undefined;
    if (buildDate && rt.engine === "llama.cpp") {
      try {
        rt.profile = { name: "llama.cpp", revision: llamaCppRevisionForDate(buildDate) };
        inferred.push("runtime.profile");
      } catch (e) {
        info.push(`runtime.llama_cpp.build_date ${buildDate}: ${(e as Error).message}`);
      }
    } else if (rt.engine === "ollama") {
      rt.profile = { name: "ollama", revision: "2026-05" };
      inferred.push("runtime.profile");
    } else if (range) {
      const revs = revisionsFor(range);
      if (revs.length === 1) {
        rt.profile = { name: "llama.cpp", revision: revs[0] };
        inferred.push("runtime.profile");
        info.push(`engine revision ${revs[0]} inferred from the log formats (${range.evidence.join("; ")})`);
      } else
        info.push(
          `build date unknown: the log formats allow engine revisions ${revs.join(", ") || "(none modelled)"}; the cross-check tries each`,
        );
    }
  }

  // points: raw-derived + declared (merged by id)
  const points: Point[] = drafts.map(finishPoint);
  for (const dp of declared.points ?? []) {
    const i = points.findIndex((p) => p.id === dp.id);
    const full: Point = {
      status: "ok",
      config_sources: Object.fromEntries(
        Object.keys(dp.config ?? {}).map((k) => [k, unit.kind === "run-json" ? "reported" : "run.json"]),
      ),
      caches: [],
      buffers: [],
      raw_files: [],
      notes: [],
      warnings: [],
      ...dp,
    } as Point;
    if (i < 0) points.push(full);
    else {
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
  }
  for (const p of points) settleDidNotFit(p);
  if (points.length === 0)
    throw new IngestError(`no measured point found${info.length ? ` (${info.join("; ")})` : ""}`, {
      file: unit.label,
      expected:
        "a llama.cpp/Ollama log with KV or compute lines, or peak-memory outputs (time, footprint, vmmap, nvidia-smi), or points in run JSON",
    });
  // unique point ids
  const seen = new Map<string, number>();
  for (const p of points) {
    const n = seen.get(p.id) ?? 0;
    seen.set(p.id, n + 1);
    if (n > 0) p.id = `${p.id}-${n + 1}`;
  }
  // duplicate contexts with different values are contradictory input
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
              file: unit.label,
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

  // unknowns a reader should see
  for (const path of [
    "date",
    "hardware.preset",
    "hardware.total_memory_bytes",
    "runtime.profile",
    "runtime.backend",
    "model.preset",
    "model.ftype",
    "model.weights_bytes",
  ]) {
    let v: unknown = doc;
    for (const p of path.split("."))
      v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
    if (v === undefined) unknownPaths.push(path);
  }

  // model preset reference must exist in the catalog
  const preset = md.preset as string | undefined;
  if (preset && catalog.model(preset) === "missing")
    throw new IngestError("unknown model preset", {
      file: inputFile,
      path: "model.preset",
      value: preset,
      expected: "an id of data/models/<id>.json",
    });
  const hwPreset = (doc.hardware as Record<string, unknown> | undefined)?.preset as string | undefined;
  if (hwPreset && catalog.hardware(hwPreset) === false)
    throw new IngestError("unknown hardware preset", {
      file: inputFile,
      path: "hardware.preset",
      value: hwPreset,
      expected: "an id in data/hardware/*.json",
    });

  // measurement block
  const ms = (doc.measurement ??= {}) as Record<string, unknown>;
  ms.tools = [...new Set([...((ms.tools as SourceTool[] | undefined) ?? []), ...tools])].sort();
  const ib = rf.get<{ bytes: number; what: string; file?: InputFile }>("measurement.idle_gpu_baseline");
  if (ib && !ms.idle_gpu_baseline) {
    ms.idle_gpu_baseline = {
      bytes: ib.bytes,
      source: { tool: "nvidia-smi", ...(ib.file ? { file: destOf(ib.file) } : {}), detail: ib.what },
      resolution_bytes: MiB,
    };
    inferred.push("measurement.idle_gpu_baseline");
  }

  const date = doc.date as string | undefined;
  const title = (doc.title as string | undefined) ?? defaultTitle(doc);
  const contentHash = createHash("sha256").update(hashParts.sort().join("\n")).digest("hex");
  const id = opts.forceId ?? (doc.id as string | undefined) ?? defaultId(doc, date, contentHash);
  if (unit.kind === "run-json") sources[0].name = `${id}.json`;
  if (opts.meta) sources.push({ name: `${id}.meta.json`, abs: opts.meta.file.abs });

  const run = {
    $schema: "../schema/run.schema.json",
    schema_version: 1,
    ...doc,
    id,
    title,
    measurement: ms,
    points,
    inferred: [...new Set(inferred)].sort(),
    unknown: unknownPaths,
    provenance: {
      input_kind: unit.kind,
      content_hash: contentHash,
      parser_version: PARSER_VERSION,
      sources: sources.map((s) => `data/sources/${s.name}`),
      raw_files: rawFiles.sort((a, b) => a.path.localeCompare(b.path)),
    },
    warnings: rf.warnings,
  };
  const v = RunSchema.safeParse(run);
  if (!v.success) throw aggregate(zodErrors(v.error, inputFile, run));
  rawFiles = [];
  return { run: v.data, raw, sources, info, label: unit.label };
}

function defaultTitle(doc: Record<string, unknown>): string {
  const m = (doc.model ?? {}) as Record<string, unknown>;
  const h = (doc.hardware ?? {}) as Record<string, unknown>;
  const r = (doc.runtime ?? {}) as Record<string, unknown>;
  const model = [m.name ?? m.preset ?? m.arch ?? "unknown model", m.ftype].filter(Boolean).join(" ");
  const hw = (h.gpu as Record<string, unknown> | undefined)?.name ?? h.preset ?? h.description ?? "unknown hardware";
  const rt = [r.engine, r.backend ? String(r.backend).toUpperCase() : undefined].filter(Boolean).join(" ");
  return `${model} on ${hw} (${rt})`;
}

function defaultId(doc: Record<string, unknown>, date: string | undefined, hash: string): string {
  const m = (doc.model ?? {}) as Record<string, unknown>;
  const h = (doc.hardware ?? {}) as Record<string, unknown>;
  const r = (doc.runtime ?? {}) as Record<string, unknown>;
  const model = slugify(String(m.preset ?? [m.name ?? m.arch ?? "model", m.ftype].filter(Boolean).join("-")));
  const hwName = h.preset
    ? String(h.preset).replace(/^(apple|nvidia|amd)-/, "")
    : slugify(
        String((h.gpu as Record<string, unknown> | undefined)?.name ?? h.description ?? "unknown-hw").replace(
          /^(NVIDIA|AMD|Apple)\s+/i,
          "",
        ),
      );
  const rt = slugify([r.engine, r.backend].filter((x) => x && x !== "unknown").join("-")) || "unknown-runtime";
  const parts = [date ?? "undated", model, hwName, rt].map(slugify).filter(Boolean);
  // default ids avoid dots (URL path segments, content-collection ids): llama.cpp → llama-cpp
  let id = parts.join("-").replace(/\./g, "-").replace(/-+/g, "-");
  if (id.length > 100) id = id.slice(0, 100).replace(/[-.]+$/, "");
  return date ? id : `${id}-${hash.slice(0, 8)}`;
}

/** Deep merge for metadata: `b` wins. */
function deepMerge<T extends Record<string, unknown>>(a: T, b: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" && !Array.isArray(cur))
      out[k] = deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>);
    else if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** Several errors as one (each line one error). */
export class AggregateIngestError extends IngestError {
  readonly errors: IngestError[];
  constructor(errors: IngestError[]) {
    super(errors.map((e) => e.format()).join("\n"));
    this.errors = errors;
  }
  override format(): string {
    return this.errors.map((e) => e.format()).join("\n");
  }
}

function aggregate(errors: IngestError[]): IngestError {
  return errors.length === 1 ? errors[0] : new AggregateIngestError(errors);
}

export { slugify };
