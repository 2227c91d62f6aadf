/**
 * The memory probe used for the H100 measurements and by `npm run profile`'s measurement layout:
 * `memprobe-stdout.txt` (machine-readable `MEM`, `PROC`, `MB`, `RESULT` lines, exact bytes) and
 * the `memprobe:` lines of its stderr log (requested configuration, per-stage device memory).
 * `MB` lines are `llama_get_memory_breakdown()` per buffer type in exact bytes.
 */
import { KiB, MiB } from "../../../src/lib/units.ts";
import { WarningSink, lines, normaliseLine, type ParseWarning } from "./common.ts";

export interface MemprobeStage {
  stage: string;
  t?: number;
  device: string;
  totalBytes: number;
  freeBytes: number;
  usedBytes: number;
  /** True when printed in exact bytes (stdout), false for the MiB of the log. */
  exact: boolean;
  line: number;
}

export interface MemprobeProc {
  stage: string;
  fields: Record<string, number>;
  line: number;
}

export interface MemprobeBuffer {
  buft: string;
  isHost: boolean;
  model: number;
  context: number;
  compute: number;
  line: number;
}

export interface MemprobeFacts {
  tool: "memprobe";
  requested?: Record<string, string> & { line?: string };
  requestedLine?: number;
  stages: MemprobeStage[];
  proc: MemprobeProc[];
  buffers: MemprobeBuffer[];
  result?: Record<string, number>;
  resultLine?: number;
  warnings: ParseWarning[];
}

function kv(s: string): Record<string, string> {
  const o: Record<string, string> = Object.create(null);
  for (const m of s.matchAll(/([\w.]+)=(\S+)/g)) o[m[1]] = m[2];
  return o;
}

const RE_LOG_STAGE =
  /memprobe:\s+\[(\w+)\]\s+(\S+):\s+device memory total\s*=\s*(\d+)\s*MiB,\s*free\s*=\s*(\d+)\s*MiB,\s*used\s*=\s*(\d+)\s*MiB/;
const RE_LOG_REQ = /memprobe:\s+(n_ctx\s*=.*)$/;

export function parseMemprobe(text: string): MemprobeFacts {
  const w = new WarningSink();
  const f: MemprobeFacts = { tool: "memprobe", stages: [], proc: [], buffers: [], warnings: [] };
  for (const [raw, n] of lines(text)) {
    const l = normaliseLine(raw).text;
    if (!l.trim()) continue;
    if (l.startsWith("MEM ")) {
      const o = kv(l);
      const total = Number(o.total_bytes);
      const free = Number(o.free_bytes);
      const used = Number(o.used_bytes);
      if (![total, free, used].every((x) => Number.isInteger(x) && x >= 0)) {
        w.add(n, l, "MEM line needs integer total_bytes, free_bytes, used_bytes");
        continue;
      }
      f.stages.push({
        stage: o.stage ?? "?",
        t: o.t ? Number(o.t) : undefined,
        device: o.dev ?? "?",
        totalBytes: total,
        freeBytes: free,
        usedBytes: used,
        exact: true,
        line: n,
      });
    } else if (l.startsWith("PROC ")) {
      const o = kv(l);
      const fields: Record<string, number> = {};
      for (const [k, v] of Object.entries(o)) if (k.endsWith("_kB")) fields[k] = Number(v) * KiB;
      f.proc.push({ stage: o.stage ?? "?", fields, line: n });
    } else if (l.startsWith("MB ")) {
      const o = kv(l);
      const nums = [o.model, o.context, o.compute].map(Number);
      if (!nums.every((x) => Number.isInteger(x) && x >= 0)) {
        w.add(n, l, "MB line needs integer model=, context=, compute= bytes");
        continue;
      }
      f.buffers.push({
        buft: o.buft ?? "?",
        isHost: o.is_host === "1",
        model: nums[0],
        context: nums[1],
        compute: nums[2],
        line: n,
      });
    } else if (l.startsWith("RESULT ")) {
      const o = kv(l);
      f.result = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v)]));
      f.resultLine = n;
    } else if (l.includes("memprobe:")) {
      let m = RE_LOG_STAGE.exec(l);
      if (m) {
        if (!f.stages.some((s) => s.stage === m![1] && s.exact))
          f.stages.push({
            stage: m[1],
            device: m[2],
            totalBytes: Number(m[3]) * MiB,
            freeBytes: Number(m[4]) * MiB,
            usedBytes: Number(m[5]) * MiB,
            exact: false,
            line: n,
          });
        continue;
      }
      m = RE_LOG_REQ.exec(l);
      if (m) {
        const o: Record<string, string> = Object.create(null);
        for (const p of m[1].matchAll(/(\w+)\s*=\s*([^,]+?)(?:\s+tokens)?(?=,|$)/g)) o[p[1]] = p[2].trim();
        f.requested = o;
        f.requestedLine = n;
      }
    }
  }
  f.warnings = w.list();
  return f;
}

/** The peak device use over the logged stages (bytes), preferring exact stdout values. */
export function peakStageUse(f: MemprobeFacts): MemprobeStage | undefined {
  const exact = f.stages.filter((s) => s.exact && s.stage !== "freed");
  const pool = exact.length ? exact : f.stages.filter((s) => s.stage !== "freed");
  return pool.reduce<MemprobeStage | undefined>((a, s) => (!a || s.usedBytes > a.usedBytes ? s : a), undefined);
}

/**
 * The PROC line of the process before the model was loaded: what the runtime itself holds
 * (interpreter, libraries, backend init), which no engine component models. memprobe and
 * `npm run profile --server` print it as stage `start`; the embedded profiler loads the model
 * once per run, so its pre-load line is `before_model_load` and its `start` is the step's own
 * start (model already loaded) — hence `before_model_load` wins.
 */
export function preLoadProc(f: MemprobeFacts): { proc: MemprobeProc; rssBytes: number } | undefined {
  for (const stage of ["before_model_load", "start"]) {
    const proc = f.proc.find((p) => p.stage === stage);
    // VmRSS from /proc; elsewhere the profiler records getrusage's maxrss (the peak so far)
    const rss = proc?.fields.VmRSS_kB ?? proc?.fields.ru_maxrss_kB;
    if (proc && rss !== undefined && Number.isFinite(rss)) return { proc, rssBytes: rss };
  }
  return undefined;
}
