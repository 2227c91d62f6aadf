/**
 * The server runner: an external `llama-server` (any build, e.g. the TurboQuant fork), one process
 * per configuration, on a free loopback port:
 *
 *   llama-server -m <model> -c <n_ctx> -ctk <K> -ctv <V> -fa <on|off|auto> -np <n_seq> -ub <n_ubatch>
 *                -b <n_batch> -fit off --host 127.0.0.1 --port <free port> [--server-args …]
 *
 * `-fit off` stops llama.cpp from shrinking the context to the free memory, so the allocation is
 * the one asked for. The context is filled through the HTTP API: one `/completion` per slot with a
 * prompt of `fill` token ids (NORMAL tokens of the model's own vocabulary) and `n_predict = gen`.
 * stdout and stderr go verbatim to the case's llama.log; the process's memory is sampled from
 * /proc (VmHWM is the peak RSS of that process) and nvidia-smi. The server is stopped with SIGTERM,
 * then SIGKILL after a timeout — also on Ctrl-C and on errors.
 */
import type { Step } from "./plan.ts";
import { ServerStep } from "./server-step.ts";
import type { ServerOptions } from "./server-http.ts";
import type { ProgressSink, StepResult } from "./types.ts";

/** Run one step with its own llama-server; never throws for allocation failures (they are a result). */
export function runServerStep(
  step: Step,
  dir: string,
  filler: readonly number[],
  o: ServerOptions,
  progress: ProgressSink,
  signal: AbortSignal,
): Promise<StepResult> {
  return new ServerStep({ step, dir, filler, o, progress, signal }).run();
}
