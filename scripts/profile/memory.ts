/**
 * Memory readings of a profiled process, each written in the format of the tool that produced it
 * so that ingest's parsers read them:
 * - Linux `/proc/<pid>/status` (VmHWM = peak RSS, VmRSS, RssAnon, RssFile …) → `PROC` lines of the
 *   memprobe format (`PROC stage=… t=… VmHWM_kB=…`). Between configurations of one process the
 *   peak is reset by writing 5 to `/proc/<pid>/clear_refs` (Linux ≥ 4.0), so each case's VmHWM is
 *   that case's own peak.
 * - elsewhere `process.resourceUsage().maxRSS` (the process lifetime peak, KiB) → `ru_maxrss_kB`.
 * - device memory (`ggml_backend_dev_memory`, i.e. cudaMemGetInfo / Metal working set, through
 *   node-llama-cpp's VRAM state) → `MEM stage=… dev=… total_bytes= free_bytes= used_bytes=`.
 * - `nvidia-smi --query-gpu` / `--query-compute-apps` every 100 ms → CSV files, verbatim.
 * - macOS `footprint -p <pid> -f bytes` → its text output, verbatim.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { platform } from "node:os";
import { track } from "./children.ts";

/** /proc/<pid>/status fields recorded, as memprobe records them. */
export const PROC_FIELDS = ["VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem"];

/** kB values of /proc/<pid>/status; null where there is no procfs (macOS, Windows) or the pid is gone. */
export function readProcStatus(pid: number | "self" = "self"): Record<string, number> | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const out: Record<string, number> = {};
  for (const f of PROC_FIELDS) {
    const m = new RegExp(`^${f}:\\s+(\\d+) kB`, "m").exec(text);
    if (m) out[f] = Number(m[1]);
  }
  return out.VmHWM === undefined ? null : out;
}

/** Reset the peak RSS (VmHWM) to the current RSS. False where the kernel does not allow it. */
export function resetPeakRss(pid: number | "self" = "self"): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** One `PROC` line. `t` in seconds since the run started. */
export function procLine(stage: string, t: number, fields: Record<string, number>): string {
  const kv = Object.entries(fields)
    .map(([k, v]) => `${k}_kB=${v}`)
    .join(" ");
  return `PROC stage=${stage} t=${t.toFixed(3)} ${kv}`;
}

/** The process's own memory now: /proc where it exists, else the lifetime peak from getrusage. */
export function selfMemoryFields(): { fields: Record<string, number>; tool: "proc" | "getrusage" } {
  const p = readProcStatus("self");
  if (p) return { fields: p, tool: "proc" };
  return { fields: { ru_maxrss: process.resourceUsage().maxRSS }, tool: "getrusage" };
}

export function memLine(stage: string, t: number, dev: string, total: number, free: number): string {
  return `MEM stage=${stage} t=${t.toFixed(3)} dev=${dev} total_bytes=${total} free_bytes=${free} used_bytes=${total - free}`;
}

export function hasCommand(cmd: string, args: string[]): boolean {
  try {
    const r = spawnSync(cmd, args, { stdio: "ignore", timeout: 10_000 });
    return r.status === 0;
  } catch {
    return false;
  }
}

let nvidiaSmiCache: boolean | undefined;
/** nvidia-smi present and able to list a GPU. */
export function nvidiaSmiAvailable(): boolean {
  nvidiaSmiCache ??= hasCommand("nvidia-smi", ["-L"]);
  return nvidiaSmiCache;
}

export const NVSMI_GPU_QUERY = "timestamp,memory.used,memory.total";
export const NVSMI_APPS_QUERY = "pid,process_name,used_memory";

/**
 * Two `nvidia-smi -lms 100` samplers writing CSV (with header, units) straight to files, as the
 * H100 run did. `stop()` ends them and waits for their output to be flushed.
 */
export class NvidiaSmiSampler {
  private procs: ChildProcess[] = [];
  private done: Promise<void>[] = [];
  /** Lines the GPU sampler has printed so far (header included). */
  private gpuLines = 0;
  private gpuEnded = false;

  start(gpuCsv: string, appsCsv: string, intervalMs = 100): void {
    for (const [file, q] of [
      [gpuCsv, `--query-gpu=${NVSMI_GPU_QUERY}`],
      [appsCsv, `--query-compute-apps=${NVSMI_APPS_QUERY}`],
    ] as const) {
      const out = createWriteStream(file);
      const p = track(
        spawn("nvidia-smi", [q, "--format=csv", "-lms", String(intervalMs)], {
          stdio: ["ignore", "pipe", "ignore"],
        }),
      );
      p.stdout!.pipe(out);
      if (file === gpuCsv) {
        p.stdout!.on("data", (chunk: Buffer) => {
          for (const b of chunk) if (b === 10) this.gpuLines++;
        });
        p.on("close", () => (this.gpuEnded = true));
      }
      this.done.push(
        new Promise((resolve) => {
          let n = 0;
          const fin = () => {
            if (++n === 2) resolve();
          };
          p.on("close", fin);
          out.on("close", fin);
          p.on("error", () => {
            out.end();
            resolve();
          });
        }),
      );
      this.procs.push(p);
    }
  }

  /**
   * Resolves once the GPU sampler has printed `n` samples (after its header) and at least `minMs`
   * have passed, or it ended, or `maxMs` passed. Waiting on the samples rather than on a fixed time
   * keeps the baseline a real series of samples on a loaded machine, where a sampler starts late.
   */
  async waitForSamples(n: number, minMs: number, maxMs: number): Promise<void> {
    const start = Date.now();
    const enough = () => this.gpuLines - 1 >= n && Date.now() - start >= minMs;
    while (!enough() && !this.gpuEnded && Date.now() - start < maxMs) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
    await Promise.all(this.done);
    this.procs = [];
    this.done = [];
  }
}

/** A whole non-negative MiB figure from nvidia-smi's nounits output, else undefined. */
export function smiMiB(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;
}

/** `nvidia-smi --query-gpu=…` once, parsed (values without units). */
export function nvidiaSmiQuery(fields: string[]): Record<string, string>[] {
  const r = spawnSync("nvidia-smi", [`--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  if (r.status !== 0 || !r.stdout) return [];
  return r.stdout
    .trim()
    .split("\n")
    .map((line) => {
      const parts = line.split(", ");
      return Object.fromEntries(fields.map((f, i) => [f, (parts[i] ?? "").trim()]));
    });
}

/** macOS `footprint -p <pid> -f bytes` text, or null (other OS, or the tool refused). */
export function footprintText(pid: number): string | null {
  if (platform() !== "darwin") return null;
  const r = spawnSync("footprint", ["-p", String(pid), "-f", "bytes"], { encoding: "utf8", timeout: 30_000 });
  return r.status === 0 && r.stdout ? r.stdout : null;
}
