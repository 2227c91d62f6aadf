/**
 * The run folder, in the measurement layout ingest reads (issue #5, "The H100 run"):
 *
 *   <out>/run.json                     run metadata (RunInput schema, no points)
 *   <out>/README.md                    how it was made, for a human reader
 *   <out>/baseline/                    idle GPU samples (nvidia-smi), when a GPU is present
 *   <out>/provenance/profile.log       the driver's own log: plan, predictions, skips, results
 *   <out>/provenance/plan.json         the plan with the engine's prediction per step
 *   <out>/<case>/                      one folder per configuration = one point:
 *       llama.log                      llama.cpp's log lines (`M.SS.mmm.uuu L text`)
 *       case.json                      parameters, status, timings, peak RSS and its source
 *       command.txt                    the command that reproduces the step
 *       memprobe-stdout.txt            memprobe-format lines: PROC (/proc status), MEM (device), RESULT
 *       nvidia-smi.csv, nvidia-smi-apps.csv   100 ms samples (NVIDIA only)
 *       footprint.txt                  `footprint -p <pid> -f bytes` (macOS only)
 *
 * Steps skipped before they ran get no case folder (nothing was measured); the provenance log
 * and plan.json list them.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Step } from "./plan.ts";
import type { StepResult } from "./types.ts";
import { formatTimestamp } from "./llama-log.ts";

export class OutputError extends Error {}

export class RunFolder {
  readonly root: string;
  private readonly t0 = performance.now();

  private constructor(root: string) {
    this.root = root;
  }

  /** An explicit --out must be absent or empty: checked before anything is loaded or run. */
  static checkExplicit(root: string): void {
    if (existsSync(root) && readdirSync(root).length > 0)
      throw new OutputError(`--out ${root}: folder exists and is not empty (choose a new folder)`);
  }

  /**
   * Create the folder. An explicit --out must be absent or empty (a run is never mixed into another);
   * the default name gets a `-2`, `-3` … suffix instead.
   */
  static create(root: string, explicit: boolean): RunFolder {
    let dir = root.replace(/[\\/]+$/, "");
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      if (explicit) throw new OutputError(`--out ${root}: folder exists and is not empty (choose a new folder)`);
      let i = 2;
      while (existsSync(`${dir}-${i}`) && readdirSync(`${dir}-${i}`).length > 0) i++;
      dir = `${dir}-${i}`;
    }
    mkdirSync(join(dir, "provenance"), { recursive: true });
    return new RunFolder(dir);
  }

  caseDir(step: Step): string {
    const d = join(this.root, step.name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  baselineDir(): string {
    const d = join(this.root, "baseline");
    mkdirSync(d, { recursive: true });
    return d;
  }

  /** One line of the driver log, timestamped like llama.cpp's. */
  log(text: string): void {
    appendFileSync(
      join(this.root, "provenance", "profile.log"),
      `${formatTimestamp(performance.now() - this.t0)} ${text}\n`,
    );
  }

  writeJson(rel: string, value: unknown): void {
    writeFileSync(join(this.root, rel), `${JSON.stringify(value, null, 2)}\n`);
  }

  writeText(rel: string, text: string): void {
    writeFileSync(join(this.root, rel), text);
  }
}

/** case.json: the step's parameters (same keys as the H100 run's) plus outcome and provenance. */
export function caseJson(
  r: StepResult,
  extra: {
    modelFile: string;
    model: string;
    runner: string;
    llamaCpp: string;
    /** GPU name(s); null on a CPU-only run (then `cpu` names the processor). */
    device: string | null;
    cpu: string;
    nGpuLayers: number;
    sampling: string;
  },
): Record<string, unknown> {
  const s = r.step;
  return {
    case: s.name,
    status: r.status,
    ...(r.message ? { message: r.message } : {}),
    model_file: extra.modelFile,
    model: extra.model,
    runner: extra.runner,
    n_ctx: s.n_ctx,
    type_k: s.type_k,
    type_v: s.type_v,
    flash_attn: s.flash_attn,
    n_batch: s.n_batch,
    n_ubatch: s.n_ubatch,
    n_seq_max: s.n_seq,
    n_gpu_layers: extra.nGpuLayers,
    fill_tokens: s.fill_tokens,
    gen_tokens: s.gen_tokens,
    filled_tokens: r.filled,
    generated_tokens: r.generated,
    fill_s: round3(r.fillS),
    gen_s: round3(r.genS),
    ...(r.nCtxAllocated !== undefined ? { n_ctx_allocated: r.nCtxAllocated } : {}),
    ...(extra.device ? { device: extra.device } : { cpu: extra.cpu }),
    llama_cpp_version: extra.llamaCpp,
    exit_code: r.exitCode,
    start_utc: r.startUtc,
    end_utc: r.endUtc,
    wall_s: round3(r.wallS),
    sampling: extra.sampling,
    ...(r.peakRssBytes !== undefined ? { peak_rss_bytes: r.peakRssBytes, peak_rss_source: r.peakRssSource } : {}),
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
