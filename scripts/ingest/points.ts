/**
 * Parsed raw outputs → point pieces. One llama.cpp main context = one point; process-level
 * measurements (peak RSS, GPU peak, footprint) attach to the point of their case when the case has
 * exactly one. Config precedence per field: the log, then `case.json`, then the folder / file
 * name; nothing is defaulted (an absent field is unknown).
 */
import { KV_TYPES, type KvType } from "../../src/schemas/kv-type.ts";
import type {
  BufferRow,
  Measured,
  MeasuredMetric,
  MeasuredKvCache,
  MeasuredValue,
  Point,
  PointConfig,
  Source,
  SourceTool,
} from "../../src/schemas/run.ts";
import { MiB } from "../../src/lib/units.ts";
import { resolutionBytes } from "./parsers/common.ts";
import type { BufferLine, ContextFact, LlamaCppFacts, ModelLoadFact } from "./parsers/llama-cpp.ts";
import { preLoadProc, type MemprobeFacts } from "./parsers/memprobe.ts";
import type { NvidiaSmiFacts } from "./parsers/nvidia-smi.ts";
import type { TimeVFacts } from "./parsers/time-v.ts";
import type { TimeLFacts } from "./parsers/time-l.ts";
import type { FootprintFacts } from "./parsers/footprint.ts";
import type { VmmapFacts } from "./parsers/vmmap.ts";
import type { OllamaFacts, OllamaLoad } from "./parsers/ollama.ts";
import type { OllamaPsFacts } from "./parsers/ollama-ps.ts";

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

const intOf = (v: string | undefined): number | undefined =>
  v !== undefined && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;

export function isHostBuffer(name: string): boolean {
  return /^(CPU|Host)|_Host$|^CUDA_Host|^ROCm_Host/i.test(name);
}

function src(tool: SourceTool, file: string, line?: number, detail?: string): Source {
  const s: Source = { tool, file };
  if (line !== undefined && line > 0) s.line = line;
  if (detail) s.detail = detail;
  return s;
}

function mv(bytes: number, source: Source, resolution?: number, note?: string): MeasuredValue {
  const v: MeasuredValue = { bytes, source };
  if (resolution !== undefined) v.resolution_bytes = resolution;
  if (note) v.note = note;
  return v;
}

function bufferRows(lines: BufferLine[], file: string): BufferRow[] {
  return lines.map((b) => ({
    component: b.component === "state" ? "state" : b.component,
    device: b.device,
    host: isHostBuffer(b.device),
    bytes: b.bytes,
    source: src("llama.cpp", file, b.line, `${b.prefix}: ${b.component} buffer line`),
    resolution_bytes: MIB2_RES,
  }));
}

/** Everything a llama.cpp main context states about its point. */
export function applyContext(
  d: PointDraft,
  f: LlamaCppFacts,
  c: ContextFact,
  model: ModelLoadFact | undefined,
  file: string,
): void {
  d.raw_files.add(file);
  const p = c.params;
  d.n_ctx_allocated = intOf(p.n_ctx?.value) ?? d.n_ctx_allocated;
  d.n_ctx_seq = intOf(p.n_ctx_seq?.value) ?? d.n_ctx_seq;
  setConfig(d, "n_seq", intOf(p.n_seq_max?.value), "log");
  if (p.kv_unified) setConfig(d, "kv_unified", p.kv_unified.value === "true", "log");
  setConfig(d, "flash_attn", faOf(p.flash_attn?.value), "log");
  setConfig(d, "n_batch", intOf(p.n_batch?.value), "log");
  setConfig(d, "n_ubatch", intOf(p.n_ubatch?.value), "log");
  setConfig(d, "n_rs_seq", intOf(p.n_rs_seq?.value), "log");
  if (f.fit?.reduced) {
    setConfig(d, "n_ctx", f.fit.reduced.to, "log");
    d.notes.push(
      `--fit reduced the context from ${f.fit.reduced.from} to ${f.fit.reduced.to} (line ${f.fit.reduced.line})`,
    );
  }
  if (c.flashAttnResolved)
    d.notes.push(`flash attention auto resolved to ${c.flashAttnResolved.value} (line ${c.flashAttnResolved.line})`);

  // K/V types: the size line prints the effective K (after the fork's auto-asymmetric upgrade)
  const sized = c.caches.filter((k) => k.size);
  const kTypes = [...new Set(sized.map((k) => k.size!.k.type))];
  const vTypes = [...new Set(sized.map((k) => k.size!.v?.type).filter((t): t is string => !!t))];
  let kReq = kTypes.length === 1 ? kTypes[0] : undefined;
  const asym = f.turbo.autoAsymmetric;
  if (asym && kReq === asym.to && asym.from) {
    kReq = asym.from;
    d.notes.push(`TurboQuant auto-asymmetric: K requested ${asym.from}, stored as ${asym.to} (line ${asym.line})`);
  } else if (asym && kReq === asym.to)
    d.notes.push(
      `TurboQuant auto-asymmetric upgraded K to ${asym.to} (line ${asym.line}); the requested K type is not printed`,
    );
  if (kReq !== undefined && !(asym && !asym.from && kReq === asym.to)) {
    if (isKvType(kReq)) setConfig(d, "type_k", kReq, "log");
    else d.notes.push(`K type "${kReq}" is not one the engine models`);
  }
  if (vTypes.length === 1) {
    if (isKvType(vTypes[0])) setConfig(d, "type_v", vTypes[0], "log");
    else d.notes.push(`V type "${vTypes[0]}" is not one the engine models`);
  }
  if (f.turbo.boundaryV)
    d.notes.push(`TurboQuant boundary V: ${f.turbo.boundaryV.text} (line ${f.turbo.boundaryV.line})`);
  for (const z of f.turbo.zeroPadding)
    d.notes.push(`TurboQuant zero-padding ${z.which} head_dim ${z.from} → ${z.to} (line ${z.line})`);
  if (f.turbo.flashAttnForced) d.notes.push(`TurboQuant forced flash attention on (line ${f.turbo.flashAttnForced})`);

  // placement
  if (model?.offloaded) {
    const o = model.offloaded;
    setConfig(d, "n_gpu_layers", o.layers >= o.of ? -1 : o.layers, "log");
  }
  const kvDevices = c.caches.flatMap((k) => k.buffers.map((b) => b.device));
  if (kvDevices.length && model?.offloaded && model.offloaded.layers > 0)
    setConfig(
      d,
      "no_kv_offload",
      kvDevices.every((x) => isHostBuffer(x)),
      "log",
    );

  // caches
  for (const k of c.caches) {
    if (!k.size) {
      if (k.buffers.length) d.warnings.push({ file, line: k.line, message: "KV buffer lines without a size line" });
      continue;
    }
    const s = k.size;
    const kind = k.kind === "swa" ? "swa" : k.kind === "dsa-indexer" ? "indexer" : "full";
    const mc: MeasuredKvCache = {
      kind,
      k_bytes: s.k.bytes,
      v_bytes: s.v?.bytes ?? 0,
      bytes: s.bytes,
      type_k: s.k.type,
      type_v: s.v?.type ?? null,
      source: src("llama.cpp", file, s.line, `${s.prefix}: size line (${s.format})`),
    };
    if (s.cells !== undefined) mc.cells = s.cells;
    if (s.layers !== undefined) mc.layers = s.layers;
    if (s.nStream !== undefined) mc.n_stream = s.nStream;
    if (s.nSeqMax !== undefined) mc.n_seq_max = s.nSeqMax;
    d.caches.push(mc);
  }
  if (sized.length) {
    const first = sized[0].size!;
    const n = sized.length;
    const sum = (g: (x: (typeof sized)[number]) => number) => sized.reduce((a, x) => a + g(x), 0);
    const where = src("llama.cpp", file, first.line, n > 1 ? `Σ of ${n} KV size lines` : "KV size line");
    d.measured.kv_bytes = mv(
      sum((x) => x.size!.bytes),
      where,
      MIB2_RES * n,
    );
    d.measured.k_bytes = mv(
      sum((x) => x.size!.k.bytes),
      where,
      MIB2_RES * n,
    );
    d.measured.v_bytes = mv(
      sum((x) => x.size!.v?.bytes ?? 0),
      where,
      MIB2_RES * n,
    );
  }
  const rs = c.recurrent.filter((r) => r.size);
  if (rs.length) {
    const s = rs[rs.length - 1].size!;
    d.recurrent = {
      bytes: s.bytes,
      r_bytes: s.r.bytes,
      s_bytes: s.s.bytes,
      type_r: s.r.type,
      type_s: s.s.type,
      cells: s.cells,
      layers_printed: s.layers,
      n_seq: s.nSeq,
      ...(s.rsSeq !== undefined ? { rs_seq: s.rsSeq } : {}),
      source: src("llama.cpp", file, s.line, "recurrent size line"),
    };
    d.measured.recurrent_bytes = mv(
      rs.reduce((a, r) => a + r.size!.bytes, 0),
      src("llama.cpp", file, s.line, "recurrent size line"),
      MIB2_RES * rs.length,
    );
  }
  if (c.compute.length) {
    d.measured.compute_bytes = mv(
      c.compute.reduce((a, b) => a + b.bytes, 0),
      src(
        "llama.cpp",
        file,
        c.compute[0].line,
        `Σ of ${c.compute.length} compute buffer lines (${c.compute.map((b) => b.device).join(", ")})`,
      ),
      MIB2_RES * c.compute.length,
    );
    if (c.computeBlocks > 1)
      d.notes.push(`compute buffers were reserved ${c.computeBlocks} times; the last block is kept`);
  }
  if (c.output.length)
    d.measured.output_bytes = mv(
      c.output.reduce((a, b) => a + b.bytes, 0),
      src("llama.cpp", file, c.output[0].line, "output buffer line"),
      MIB2_RES * c.output.length,
    );
  if (model?.buffers.length)
    d.measured.model_bytes = mv(
      model.buffers.reduce((a, b) => a + b.bytes, 0),
      src(
        "llama.cpp",
        file,
        model.buffers[0].line,
        `Σ of model buffer lines (${model.buffers.map((b) => b.device).join(", ")})`,
      ),
      MIB2_RES * model.buffers.length,
    );
  d.buffers.push(
    ...bufferRows(model?.buffers ?? [], file),
    ...bufferRows(
      c.caches.flatMap((k) => k.buffers),
      file,
    ),
    ...bufferRows(
      c.recurrent.flatMap((r) => r.buffers),
      file,
    ),
    ...bufferRows(c.output, file),
    ...bufferRows(c.compute, file),
  );
  if (c.breakdown?.rows.length) {
    d.memory_breakdown = c.breakdown.rows.map((r) => {
      const row: NonNullable<Point["memory_breakdown"]>[number] = {
        device: r.name,
        host: r.kind === "host",
        self_bytes: r.selfMiB * MiB,
        model_bytes: r.modelMiB * MiB,
        context_bytes: r.contextMiB * MiB,
        compute_bytes: r.computeMiB * MiB,
        source: src("llama.cpp memory breakdown", file, r.line),
      };
      if (r.description) row.description = r.description;
      if (r.totalMiB !== undefined) row.total_bytes = r.totalMiB * MiB;
      if (r.freeMiB !== undefined) row.free_bytes = r.freeMiB * MiB;
      if (r.unaccountedMiB !== undefined) row.unaccounted_bytes = r.unaccountedMiB * MiB;
      return row;
    });
    for (const r of c.breakdown.rows)
      if (r.unaccountedMiB !== undefined && r.unaccountedMiB >= 0)
        d.buffers.push({
          component: "unaccounted",
          device: r.name,
          host: false,
          bytes: r.unaccountedMiB * MiB,
          source: src("llama.cpp memory breakdown", file, r.line, "unaccounted column"),
          resolution_bytes: MiB,
        });
  }
  for (const note of f.kvNotes) d.notes.push(`${note.text} (line ${note.line})`);
  if (c.repeats > 0)
    d.notes.push(`the log repeats this context identically ${c.repeats} more time(s); folded into one point`);
}

/** memprobe: requested config, per-stage device use, exact buffer bytes as a cross-validation. */
export function applyMemprobe(d: PointDraft, m: MemprobeFacts, file: string, kind: "log" | "stdout"): void {
  d.raw_files.add(file);
  if (m.requested) {
    const r = m.requested;
    setConfig(d, "n_ctx", intOf(r.n_ctx), "log");
    if (isKvType(r.type_k)) setConfig(d, "type_k", r.type_k, "log");
    if (isKvType(r.type_v)) setConfig(d, "type_v", r.type_v, "log");
    setConfig(d, "flash_attn", faOf(r.flash_attn), "log");
    setConfig(d, "n_batch", intOf(r.n_batch), "log");
    setConfig(d, "n_ubatch", intOf(r.n_ubatch), "log");
    setConfig(d, "n_seq", intOf(r.n_seq_max), "log");
    setConfig(d, "n_gpu_layers", intOf(r.n_gpu_layers), "log");
  }
  if (kind === "stdout" || !d.stages) {
    const stages = m.stages
      .filter((s) => (kind === "stdout" ? s.exact : true))
      .map((s) => ({
        stage: s.stage,
        device: s.device,
        used_bytes: s.usedBytes,
        source: src("memprobe", file, s.line, s.exact ? "MEM line (cudaMemGetInfo, bytes)" : "stage line (MiB)"),
      }));
    if (stages.length) d.stages = stages;
  }
  if (m.result?.n_ctx !== undefined && d.n_ctx_allocated !== undefined && m.result.n_ctx !== d.n_ctx_allocated)
    d.warnings.push({
      file,
      line: m.resultLine,
      message: `RESULT n_ctx=${m.result.n_ctx} differs from the log's n_ctx ${d.n_ctx_allocated}`,
    });
  // exact bytes of llama_get_memory_breakdown() must agree with the log's 2-decimal MiB
  if (m.buffers.length) {
    const ctxExact = m.buffers.reduce((a, b) => a + b.context, 0);
    const kv = (d.measured.kv_bytes?.bytes ?? 0) + (d.measured.recurrent_bytes?.bytes ?? 0);
    const kvBuf = d.buffers
      .filter((b) => b.component === "kv" || b.component === "rs")
      .reduce((a, b) => a + b.bytes, 0);
    if (kvBuf > 0 && Math.abs(ctxExact - kvBuf) > MIB2_RES * d.buffers.length)
      d.warnings.push({
        file,
        message: `memprobe context bytes ${ctxExact} disagree with the log's KV/RS buffer lines (${kvBuf} B)`,
      });
    else if (kvBuf > 0)
      d.notes.push(
        `exact context buffer bytes (memprobe MB lines): ${ctxExact} B${kv ? `; KV size lines: ${kv} B` : ""}`,
      );
    const compExact = m.buffers.reduce((a, b) => a + b.compute, 0);
    if (
      d.measured.compute_bytes &&
      Math.abs(compExact - d.measured.compute_bytes.bytes) > (d.measured.compute_bytes.resolution_bytes ?? 0)
    )
      d.warnings.push({
        file,
        message: `memprobe compute bytes ${compExact} disagree with the log's compute lines (${d.measured.compute_bytes.bytes} B)`,
      });
  }
  const pre = preLoadProc(m);
  if (pre)
    d.rssBaseline = {
      bytes: pre.rssBytes,
      source: src(
        "memprobe",
        file,
        pre.proc.line,
        `${pre.proc.fields.VmRSS_kB !== undefined ? "VmRSS" : "ru_maxrss"} at PROC stage=${pre.proc.stage} (the process before the model load)`,
      ),
      resolution_bytes: 1024,
    };
  if (!d.measured.peak_rss_bytes) {
    const hwm = m.proc.reduce((a, p) => Math.max(a, p.fields.VmHWM_kB ?? 0), 0);
    if (hwm > 0) {
      const line = m.proc.find((p) => p.fields.VmHWM_kB === hwm)?.line;
      d.measured.peak_rss_bytes = mv(hwm, src("memprobe", file, line, "VmHWM (/proc/self/status)"), 1024);
    }
  }
}

export function applyTimeV(d: PointDraft, t: TimeVFacts, file: string): void {
  d.raw_files.add(file);
  if (t.maxRssBytes !== undefined)
    d.measured.peak_rss_bytes = mv(
      t.maxRssBytes,
      src("time-v", file, t.maxRssLine, "Maximum resident set size (kbytes)"),
      512,
    );
  if (t.exitStatus !== undefined && t.exitStatus !== 0) {
    d.status = "failed";
    d.notes.push(`the process exited with status ${t.exitStatus} (time -v)`);
  }
}

export function applyTimeL(d: PointDraft, t: TimeLFacts, file: string): void {
  d.raw_files.add(file);
  if (t.maxRssBytes !== undefined)
    d.measured.peak_rss_bytes = mv(
      t.maxRssBytes,
      src("time-l", file, t.maxRssLine, "maximum resident set size (bytes)"),
      0,
    );
  if (t.peakFootprintBytes !== undefined)
    d.measured.peak_footprint_bytes = mv(
      t.peakFootprintBytes,
      src("time-l", file, t.peakFootprintLine, "peak memory footprint (bytes)"),
      0,
    );
}

export function applyFootprint(d: PointDraft, f: FootprintFacts, file: string): void {
  d.raw_files.add(file);
  const p = f.processes.reduce<FootprintFacts["processes"][number] | undefined>(
    (a, x) => (!a || (x.footprintBytes ?? 0) > (a.footprintBytes ?? 0) ? x : a),
    undefined,
  );
  if (!p) return;
  if (f.processes.length > 1)
    d.notes.push(`footprint lists ${f.processes.length} processes; the largest (${p.name} [${p.pid}]) is used`);
  const peak = p.physFootprintPeakBytes ?? p.physFootprintBytes ?? p.footprintBytes;
  const res = p.exact ? 0 : 512 * 1024;
  // time -l's lifetime maximum beats a footprint snapshot
  if (peak !== undefined && d.measured.peak_footprint_bytes?.source.tool !== "time-l")
    d.measured.peak_footprint_bytes = mv(
      peak,
      src(
        "footprint",
        file,
        p.line,
        p.physFootprintPeakBytes !== undefined
          ? "phys_footprint_peak"
          : p.physFootprintBytes !== undefined
            ? "phys_footprint"
            : "Footprint",
      ),
      res,
    );
  if (p.total?.dirty !== undefined)
    d.measured.dirty_bytes = mv(p.total.dirty, src("footprint", file, p.line, "TOTAL dirty"), res);
  if (f.errors.length) d.warnings.push({ file, message: `footprint reported: ${f.errors.join("; ")}` });
}

export function applyVmmap(d: PointDraft, v: VmmapFacts, file: string): void {
  d.raw_files.add(file);
  const peak = v.physFootprintPeakBytes ?? v.physFootprintBytes;
  if (peak !== undefined && !d.measured.peak_footprint_bytes)
    d.measured.peak_footprint_bytes = mv(
      peak,
      src(
        "vmmap",
        file,
        undefined,
        v.physFootprintPeakBytes !== undefined ? "Physical footprint (peak)" : "Physical footprint",
      ),
      v.resolutionBytes,
    );
  const total = v.regions.TOTAL;
  if (total?.dirty !== undefined && !d.measured.dirty_bytes)
    d.measured.dirty_bytes = mv(total.dirty, src("vmmap", file, total.line, "TOTAL dirty"), undefined);
}

/** GPU memory used = peak memory.used − the idle baseline (recorded, or the first sample). */
export function applyNvidiaSmi(
  d: PointDraft,
  n: NvidiaSmiFacts,
  file: string,
  baseline: { bytes: number; what: string } | undefined,
): void {
  d.raw_files.add(file);
  if (n.kind === "apps") {
    const peaks = Object.entries(n.apps);
    if (peaks.length)
      d.notes.push(
        `nvidia-smi per process: ${peaks.map(([pid, a]) => `${a.name ?? pid} peak ${a.peak.mib} MiB`).join(", ")}`,
      );
    return;
  }
  const gpus = Object.entries(n.gpus).filter(([, g]) => g.usedPeak);
  if (gpus.length === 0) return;
  if (gpus.length > 1) {
    d.notes.push(`nvidia-smi sampled ${gpus.length} GPUs; gpu_used_bytes is the sum of their peaks`);
  }
  let used = 0;
  let base = 0;
  let what = baseline?.what;
  for (const [, g] of gpus) {
    used += g.usedPeak!.bytes;
    if (!baseline) base += (g.usedFirstMiB ?? 0) * MiB;
  }
  if (baseline) base = baseline.bytes;
  else what = "first sample of this file (sampling started before the process)";
  const first = gpus[0][1].usedPeak!;
  d.measured.gpu_used_bytes = mv(
    Math.max(0, used - base),
    src(
      "nvidia-smi",
      file,
      first.line,
      `peak memory.used ${used / MiB} MiB over ${n.samples} samples − idle baseline ${base / MiB} MiB (${what})`,
    ),
    MiB,
  );
}

/** Ollama's own memory lines (when the runner forwarded no llama.cpp lines). */
export function applyOllamaLoad(d: PointDraft, o: OllamaFacts, l: OllamaLoad, file: string): void {
  d.raw_files.add(file);
  const a = l.runnerArgs;
  setConfig(d, "n_ctx", intOf(a["ctx-size"]), "log");
  setConfig(d, "n_batch", intOf(a["batch-size"]), "log");
  setConfig(d, "n_seq", intOf(a.parallel), "log");
  const ngl = intOf(a["n-gpu-layers"]);
  setConfig(d, "n_gpu_layers", ngl, "log");
  if (a["flash-attn"] !== undefined)
    setConfig(d, "flash_attn", a["flash-attn"] === "true" ? "on" : faOf(a["flash-attn"]), "log");
  const kvType = a["kv-cache-type"] ?? a["cache-type-k"];
  if (isKvType(kvType)) {
    setConfig(d, "type_k", kvType, "log");
    setConfig(d, "type_v", (isKvType(a["cache-type-v"]) ? a["cache-type-v"] : kvType) as KvType, "log");
  }
  const HB2 = 0.05 * 1024; // HumanBytes2 prints one decimal of the unit
  const res = (printed: string) => {
    const u = /([KMGT])iB/.exec(printed)?.[1];
    return Math.round(
      HB2 * (u === "K" ? 1 : u === "M" ? 1024 : u === "G" ? 1024 ** 2 : u === "T" ? 1024 ** 3 : 1 / 1024),
    );
  };
  if (l.kv.length) {
    const bytes = l.kv.reduce((x, k) => x + k.size.bytes, 0);
    d.measured.kv_bytes = mv(
      bytes,
      src("ollama", file, l.kv[0].size.line, `msg="kv cache" (${l.kv.map((k) => k.device).join(", ")})`),
      l.kv.reduce((x, k) => x + res(k.size.printed), 0),
    );
  }
  if (l.compute.length) {
    const bytes = l.compute.reduce((x, k) => x + k.size.bytes, 0);
    d.measured.compute_bytes = mv(
      bytes,
      src("ollama", file, l.compute[0].size.line, `msg="compute graph" (${l.compute.map((k) => k.device).join(", ")})`),
      l.compute.reduce((x, k) => x + res(k.size.printed), 0),
    );
  }
  if (l.weights.length) {
    const bytes = l.weights.reduce((x, k) => x + k.size.bytes, 0);
    d.measured.model_bytes = mv(
      bytes,
      src("ollama", file, l.weights[0].size.line, `msg="model weights"`),
      l.weights.reduce((x, k) => x + res(k.size.printed), 0),
    );
  }
  for (const [component, list] of [
    ["kv", l.kv],
    ["compute", l.compute],
    ["model", l.weights],
  ] as const)
    for (const x of list)
      d.buffers.push({
        component,
        device: x.device,
        host: isHostBuffer(x.device),
        bytes: x.size.bytes,
        source: src("ollama", file, x.size.line),
        resolution_bytes: res(x.size.printed),
      });
  if (l.offload) {
    const e = l.offload;
    d.notes.push(
      `Ollama's own ESTIMATE (msg=offload, line ${e.line}, not a measurement): required full ${e.requiredFull?.printed ?? "?"}, kv ${e.requiredKv?.printed ?? "?"}, graph full ${e.graphFull?.printed ?? "?"}, weights ${e.weightsTotal?.printed ?? "?"}, layers offloaded ${e.layersOffload ?? "?"}/${e.layersModel ?? "?"}`,
    );
  }
  if (l.total) d.notes.push(`Ollama total memory: ${l.total.printed} (line ${l.total.line})`);
  void o;
}

export function applyOllamaPs(d: PointDraft, p: OllamaPsFacts, file: string): void {
  d.raw_files.add(file);
  const row = p.rows[0];
  if (!row) return;
  if (row.context !== undefined) setConfig(d, "n_ctx", row.context, "log");
  d.notes.push(
    `ollama ps: ${row.name} SIZE ${row.sizeBytes !== undefined ? `${(row.sizeBytes / 1e9).toFixed(1)} GB` : "?"}, processor ${typeof row.processor === "object" ? `${row.processor.cpuPercent}% CPU / ${row.processor.gpuPercent}% GPU` : "unknown"} (Ollama's reported size, decimal GB)`,
  );
}

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
  return out;
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
  ]);
}

/**
 * Attach the pre-load RSS to the peak RSS it is part of (both readings of the same process in
 * one case). Kept apart from the tool's figure; the cross-check subtracts it.
 */
export function attachRssBaseline(d: PointDraft): void {
  const peak = d.measured.peak_rss_bytes;
  const base = d.rssBaseline;
  if (!peak || !base) return;
  if (base.bytes > peak.bytes) {
    d.warnings.push({
      file: base.source.file,
      line: base.source.line,
      message: `the RSS before the model load (${base.bytes} B) exceeds the peak RSS (${peak.bytes} B); not used as a baseline`,
    });
    return;
  }
  peak.baseline = base;
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
