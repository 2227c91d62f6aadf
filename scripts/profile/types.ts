/** Shared shapes of the profile runners. */
import type { Step } from "./plan.ts";

/**
 * - `ok`: allocated, filled and generated;
 * - `did-not-fit`: llama.cpp could not allocate (a result: the configuration exceeds the machine);
 * - `failed`: anything else (the runtime refused the configuration, the requested cache type was
 *   not the one allocated, the server crashed …);
 * - `skipped`: not run, predicted not to fit the free memory (use --force to try anyway).
 */
export type StepStatus = "ok" | "did-not-fit" | "failed" | "skipped";

export interface StepResult {
  step: Step;
  status: StepStatus;
  message?: string;
  startUtc: string;
  endUtc: string;
  wallS: number;
  /** Tokens decoded into each sequence by the fill, and seconds it took (all sequences). */
  filled: number;
  fillS: number;
  generated: number;
  genS: number;
  /** `llama_context: n_ctx` as logged (cells allocated, padded total). */
  nCtxAllocated?: number;
  /** KV cache types from the `llama_kv_cache: size =` line(s). */
  kvTypesSeen?: { k: string; v: string }[];
  /** KV MiB from the size line(s), ±5 KiB (`%.2f MiB`): the sum, and each line as printed. */
  kvMiB?: number;
  kvPrinted?: string[];
  /** Peak RSS of the process during the step, bytes, and where it came from. */
  peakRssBytes?: number;
  peakRssSource?: string;
  /** Peak device memory in use (MEM stages), bytes. */
  peakDeviceUsedBytes?: number;
  /** The command line that reproduces the step. */
  command: string;
  /** Process exit code (server runner) or 0/1 for the embedded runner's step. */
  exitCode: number;
}

/** Reports progress of the running step to the terminal. */
export interface ProgressSink {
  stepStarted(step: Step, total: number): void;
  phase(text: string): void;
  fill(done: number, total: number, tokensPerSecond: number): void;
  stepFinished(result: StepResult): void;
}

/** The embedded runtime could not start or load the model (exit 1, message for the user). */
export class RunnerError extends Error {}
