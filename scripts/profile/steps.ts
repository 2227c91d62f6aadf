/**
 * The steps of a session: Ctrl-C / SIGTERM stop the current step and keep what was measured;
 * each step is checked against the memory free when it starts (skipped unless --force), run by
 * the embedded runner or an external llama-server, and its case.json written.
 */
import { join, relative } from "node:path";
import { stopAll } from "./children.ts";
import { nvidiaSmiAvailable } from "./memory.ts";
import { caseJson, type RunFolder } from "./output.ts";
import type { Step } from "./plan.ts";
import { stepCommand } from "./plan-table.ts";
import { checkFit } from "./predict.ts";
import { TerminalProgress } from "./progress.ts";
import type { ServerVersion } from "./run-json.ts";
import { runServerStep } from "./runner-server.ts";
import { currentFree, type Session } from "./session.ts";
import type { StepResult } from "./types.ts";

/** What happens before the first step (each may touch the folder's log). */
export interface StepHooks {
  baseline: () => Promise<{ bytes: number } | null>;
  load: () => Promise<boolean>;
  version: () => ServerVersion | null;
}

export interface StepsOutcome {
  results: StepResult[];
  skipped: number;
  aborted: boolean;
  baselineMeasured: { bytes: number } | null;
  srvVersion: ServerVersion | null;
}

function skippedResult(step: Step, reason: string): StepResult {
  const now = new Date().toISOString();
  return {
    step,
    status: "skipped",
    message: reason,
    startUtc: now,
    endUtc: now,
    wallS: 0,
    filled: 0,
    fillS: 0,
    generated: 0,
    genS: 0,
    command: "",
    exitCode: 0,
  };
}

/** case.json's description of the run around the step: model, runner, build, device, sampling. */
function caseContext(s: Session, srvVersion: ServerVersion | null): Parameters<typeof caseJson>[1] {
  const { runner, model, hw, backend } = s;
  return {
    modelFile: model.fileName,
    model: [model.name, model.arch, model.fileTypeId !== null ? `general.file_type ${model.fileTypeId}` : null]
      .filter(Boolean)
      .join(", "),
    runner: s.runnerLabel,
    llamaCpp: runner
      ? `${runner.info.release} (${runner.info.repo}, node-llama-cpp ${runner.info.libraryVersion} ${runner.info.buildType} binary)`
      : (srvVersion?.text.split("\n")[0] ?? "unknown (llama-server --version printed nothing)"),
    device: runner
      ? runner.info.gpu === false
        ? null
        : runner.deviceLabel
      : hw.gpus.map((g) => g.name).join(", ") || null,
    cpu: hw.cpu,
    nGpuLayers: s.nGpuLayers,
    sampling: runner
      ? `/proc/self/status at stages${nvidiaSmiAvailable() && backend === "cuda" ? "; nvidia-smi -lms 100 from 0.3 s before the context to its disposal" : ""}`
      : `/proc/<pid>/status every 100 ms${nvidiaSmiAvailable() ? "; nvidia-smi -lms 100 from 0.3 s before the server started to its exit" : ""}`,
  };
}

/** Run one step with the session's runner. */
function runStep(
  s: Session,
  folder: RunFolder,
  step: Step,
  dir: string,
  progress: TerminalProgress,
  signal: AbortSignal,
): Promise<StepResult> {
  const { o, runner, model } = s;
  return runner
    ? runner.runStep(step, dir, model.fillerTokens, progress, stepCommand(o, step), signal)
    : runServerStep(
        step,
        dir,
        model.fillerTokens,
        {
          server: o.server!,
          model: o.model,
          extraArgs: o.serverArgs,
          stopTimeoutMs: o.stopTimeout * 1000,
          loadTimeoutMs: 600_000,
          note: (t) => folder.log(t),
        },
        progress,
        signal,
      );
}

/** Each step in order: checked against the free memory, run, recorded. */
async function stepLoop(
  s: Session,
  folder: RunFolder,
  progress: TerminalProgress,
  signal: AbortSignal,
  srvVersion: ServerVersion | null,
): Promise<{ results: StepResult[]; skipped: { step: Step; reason: string }[] }> {
  const { steps } = s;
  const results: StepResult[] = [];
  const skipped: { step: Step; reason: string }[] = [];
  for (const [i, step] of steps.entries()) {
    if (signal.aborted) break;
    progress.stepStarted(step, steps.length);
    const free = await currentFree(s.runner, s.backend);
    const verdict = checkFit(s.preds[i], free, !s.runner);
    if (!verdict.fits && !s.o.force) {
      const msg = `${i + 1}/${steps.length} ${step.name}: skipped — ${verdict.reason}; --force runs it`;
      progress.message(msg);
      folder.log(msg);
      skipped.push({ step, reason: verdict.reason });
      continue;
    }
    if (!verdict.fits) folder.log(`${step.name}: forced although ${verdict.reason}`);
    folder.log(`${step.name}: start (${verdict.reason})`);
    const dir = folder.caseDir(step);
    const result = await runStep(s, folder, step, dir, progress, signal);
    folder.writeJson(join(relative(folder.root, dir), "case.json"), caseJson(result, caseContext(s, srvVersion)));
    results.push(result);
    folder.log(`${step.name}: ${result.status}${result.message ? ` — ${result.message}` : ""}`);
    progress.stepFinished(result);
  }
  return { results, skipped };
}

/** Baseline, model load, then every step; "load-failed" when the model would not load. */
export async function runSteps(s: Session, folder: RunFolder, hooks: StepHooks): Promise<StepsOutcome | "load-failed"> {
  const ac = new AbortController();
  const progress = new TerminalProgress();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) return;
    ac.abort();
    folder.log(`${sig}: stopping`);
    progress.message(`${sig}: stopping the current step and cleaning up…`);
  };
  const off = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const baselineMeasured = await hooks.baseline();
  if (s.runner) progress.message(`Loading ${s.model.fileName}…`);
  if (!(await hooks.load())) {
    off();
    return "load-failed";
  }
  const srvVersion = hooks.version();
  if (srvVersion) folder.log(`llama-server --version: ${srvVersion.text.replace(/\n/g, " | ")}`);
  const { results, skipped } = await stepLoop(s, folder, progress, ac.signal, srvVersion);
  progress.done();
  await stopAll(s.o.stopTimeout * 1000);
  off();
  for (const x of skipped) results.push(skippedResult(x.step, x.reason));
  return { results, skipped: skipped.length, aborted: ac.signal.aborted, baselineMeasured, srvVersion };
}
