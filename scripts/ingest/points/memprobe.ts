/**
 * memprobe (the profile's probe, in the log or on stdout): requested config, per-stage device use,
 * exact buffer bytes cross-checked against the log, and the RSS before the model load.
 */
import { preLoadProc, type MemprobeFacts } from "../parsers/memprobe.ts";
import { faOf, intOf, isKvType, MIB2_RES, mv, setConfig, src, type PointDraft } from "./draft.ts";

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
