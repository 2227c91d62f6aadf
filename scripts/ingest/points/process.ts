/**
 * Process-level measurements: peak RSS (time -v / -l), footprint and vmmap (macOS), GPU memory
 * used (nvidia-smi, less the idle baseline) and `ollama ps`.
 */
import { MiB } from "../../../src/lib/units.ts";
import type { FootprintFacts } from "../parsers/footprint.ts";
import type { NvidiaSmiFacts } from "../parsers/nvidia-smi.ts";
import type { OllamaPsFacts } from "../parsers/ollama-ps.ts";
import type { TimeLFacts } from "../parsers/time-l.ts";
import type { TimeVFacts } from "../parsers/time-v.ts";
import type { VmmapFacts } from "../parsers/vmmap.ts";
import { mv, setConfig, src, type PointDraft } from "./draft.ts";

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

export function applyOllamaPs(d: PointDraft, p: OllamaPsFacts, file: string): void {
  d.raw_files.add(file);
  const row = p.rows[0];
  if (!row) return;
  if (row.context !== undefined) setConfig(d, "n_ctx", row.context, "log");
  d.notes.push(
    `ollama ps: ${row.name} SIZE ${row.sizeBytes !== undefined ? `${(row.sizeBytes / 1e9).toFixed(1)} GB` : "?"}, processor ${typeof row.processor === "object" ? `${row.processor.cpuPercent}% CPU / ${row.processor.gpuPercent}% GPU` : "unknown"} (Ollama's reported size, decimal GB)`,
  );
}
