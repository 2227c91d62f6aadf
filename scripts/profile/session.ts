/**
 * One profiling session after the arguments are checked: predict every step, print the plan
 * (stop there on --dry-run), check the weights fit, open the run folder, take the idle GPU
 * baseline, load the model, run each step that fits (the steps: steps.ts), write run.json.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import type { Backend, EngineProfile } from "../../src/schemas/runtime-config.ts";
import { isTurboType } from "../../src/schemas/kv-type.ts";
import { MiB } from "../../src/lib/units.ts";
import { formatBinary } from "../../src/lib/format.ts";
import type { ProfileOptions } from "./args.ts";
import { hostSlug, metalWorkingSetFromLog, type HardwareFacts } from "./hardware.ts";
import { NvidiaSmiSampler, nvidiaSmiAvailable, nvidiaSmiQuery, smiMiB } from "./memory.ts";
import type { ModelFileInfo } from "./model-file.ts";
import { OutputError, RunFolder } from "./output.ts";
import { modelSlug, type Step } from "./plan.ts";
import { checkFit, freeHostBytes, modelForEngine, predictStep, type FreeMemory, type Prediction } from "./predict.ts";
import { kvComparison, planTable } from "./plan-table.ts";
import { buildRunJson, readme, serverVersion } from "./run-json.ts";
import type { EmbeddedRunner } from "./runner-embedded.ts";
import { runSteps } from "./steps.ts";
import type { StepResult } from "./types.ts";

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** What every part of a session reads. */
export interface Session {
  o: ProfileOptions;
  model: ModelFileInfo;
  steps: Step[];
  hw: HardwareFacts;
  runner: EmbeddedRunner | null;
  io: Io;
  backend: Backend;
  engine: EngineProfile;
  nGpuLayers: number;
  preds: Prediction[];
  free0: FreeMemory;
  runnerLabel: string;
}

function engineFor(o: ProfileOptions): EngineProfile {
  const turbo = o.kv.some((p) => isTurboType(p.k) || isTurboType(p.v));
  return turbo ? { name: "turboquant", revision: "2026-05" } : { name: "llama.cpp", revision: "current" };
}

function guessServerBackend(hw: HardwareFacts): Backend {
  if (hw.gpus.length) return "cuda";
  if (os.platform() === "darwin" && os.arch() === "arm64") return "metal";
  return "cpu";
}

export async function currentFree(runner: EmbeddedRunner | null, backend: Backend): Promise<FreeMemory> {
  const host = freeHostBytes();
  if (runner) {
    const vs = await runner.vramState();
    if (!vs) return { hostBytes: host, deviceBytes: null, unified: false };
    return { hostBytes: host, deviceBytes: vs.free, unified: backend === "metal" };
  }
  if (backend === "cuda" && nvidiaSmiAvailable()) {
    const free = smiMiB(nvidiaSmiQuery(["memory.free"])[0]?.["memory.free"]);
    return { hostBytes: host, deviceBytes: free !== undefined ? free * MiB : null, unified: false };
  }
  return { hostBytes: host, deviceBytes: null, unified: backend === "metal" };
}

/** The plan as printed before a run (and alone by --dry-run). */
function printPlan(s: Session, verdicts: { fits: boolean; reason: string }[]): void {
  const { model, runner, engine, backend, free0 } = s;
  const em = modelForEngine(model);
  s.io.out(
    `Model ${model.fileName}: ${model.arch ?? "unknown arch"}, ${formatBinary(model.header.tensorBytes)} of weights` +
      `${em.error ? ` (the engine cannot size it: ${em.error})` : ""}\n` +
      `Runner ${s.runnerLabel}; engine rules ${engine.name} ${engine.revision}, backend ${backend}` +
      `${runner?.info.backendNote ? ` (${runner.info.backendNote})` : ""}\n` +
      `Free now: ${formatBinary(free0.hostBytes)} host${free0.deviceBytes !== null ? `, ${formatBinary(free0.deviceBytes)} device` : ""}` +
      ` (each step is checked again against the memory free when it starts)\n\n` +
      `${planTable(s.steps, s.preds, verdicts)}\n\n` +
      `KV+RS is byte-exact; compute and totals are the engine's estimates. "context" = what a step adds to the loaded model.\n`,
  );
}

/** Weights first: the embedded runner loads the model once, before any step. False: refused (printed). */
function weightsFit(s: Session): boolean {
  const { runner, preds, free0 } = s;
  if (!runner || !preds[0]?.breakdown) return true;
  const b = preds[0].breakdown;
  const wDev = b.weights.per_device.filter((x) => !x.host).reduce((a, x) => a + x.bytes, 0);
  const wHost = b.weights.per_device.filter((x) => x.host).reduce((a, x) => a + x.bytes, 0);
  const needHost = free0.unified ? wHost + wDev : wHost;
  const tooBig =
    needHost > free0.hostBytes || (free0.deviceBytes !== null && !free0.unified && wDev > free0.deviceBytes);
  if (!tooBig || s.o.force) return true;
  s.io.err(
    `npm run profile: the model's weights (${formatBinary(wHost + wDev)}) do not fit the free memory ` +
      `(${formatBinary(free0.hostBytes)} host${free0.deviceBytes !== null ? `, ${formatBinary(free0.deviceBytes)} device` : ""}); --force to try anyway\n`,
  );
  return false;
}

/** provenance/plan.json: the model, the engine and every step with its prediction. */
function writePlan(s: Session, folder: RunFolder): void {
  const { model, preds } = s;
  folder.writeJson("provenance/plan.json", {
    model: { file: model.fileName, header_sha256: model.headerSha256, file_bytes: model.fileBytes },
    engine: s.engine,
    backend: s.backend,
    free_at_start: s.free0,
    steps: s.steps.map((st, i) => ({
      ...st,
      predicted: preds[i].breakdown
        ? {
            kv_bytes: preds[i].breakdown!.kv.bytes,
            recurrent_bytes: preds[i].breakdown!.recurrent.bytes,
            compute_bytes_estimate: preds[i].breakdown!.compute.bytes,
            context_host_bytes: preds[i].contextHostBytes,
            context_device_bytes: preds[i].contextDeviceBytes,
            total_bytes_estimate: preds[i].breakdown!.total.bytes,
          }
        : { error: preds[i].error },
    })),
  });
}

/** About 1 s of 100 ms nvidia-smi samples before the model is loaded (capped at 30 s). */
async function idleBaseline(s: Session, folder: RunFolder): Promise<{ bytes: number } | null> {
  if (!nvidiaSmiAvailable() || (s.backend !== "cuda" && !s.o.server)) return null;
  const d = folder.baselineDir();
  const smi = new NvidiaSmiSampler();
  smi.start(join(d, "nvidia-smi-idle.csv"), join(d, "nvidia-smi-apps-idle.csv"));
  await smi.waitForSamples(10, 1000, 30_000);
  await smi.stop();
  const used = smiMiB(nvidiaSmiQuery(["memory.used"])[0]?.["memory.used"]);
  folder.log("baseline: 1 s of nvidia-smi samples before the model was loaded");
  return used !== undefined ? { bytes: used * MiB } : null;
}

/** The session's predictions and what it prints about itself. */
async function startSession(
  base: Pick<Session, "o" | "model" | "steps" | "hw" | "runner" | "io">,
): Promise<{ s: Session; verdicts: { fits: boolean; reason: string }[] }> {
  const { o, model, steps, hw, runner } = base;
  const backend: Backend = runner ? runner.info.backend : guessServerBackend(hw);
  const engine = engineFor(o);
  const nGpuLayers = runner ? runner.nGpuLayers : backend === "cpu" ? 0 : -1;
  const em = modelForEngine(model);
  const preds = steps.map((st) => predictStep(em, st, backend, engine, nGpuLayers));
  const free0 = await currentFree(runner, backend);
  const verdicts = preds.map((p) => checkFit(p, free0, !runner));
  const runnerLabel = runner
    ? `embedded (node-llama-cpp ${runner.info.libraryVersion}, llama.cpp ${runner.info.release}, ${runner.info.gpu === false ? "CPU" : runner.info.gpu}, ${runner.info.threads} thread${runner.info.threads === 1 ? "" : "s"})`
    : `llama-server ${o.server}`;
  return { s: { ...base, backend, engine, nGpuLayers, preds, free0, runnerLabel }, verdicts };
}

/** The run folder (runs-out/<date>-<model>-<host>/ unless --out); null when refused (printed). */
function openFolder(s: Session, date: string): RunFolder | null {
  try {
    const explicit = s.o.out !== null;
    return RunFolder.create(s.o.out ?? join("runs-out", `${date}-${modelSlug(s.o.model)}-${hostSlug()}`), explicit);
  } catch (err) {
    if (err instanceof OutputError) {
      s.io.err(`npm run profile: ${err.message}\n`);
      return null;
    }
    throw err;
  }
}

/** Load the model into the embedded runner; false when it failed (printed and logged). */
async function loadModel(s: Session, folder: RunFolder): Promise<boolean> {
  const { runner, model } = s;
  if (!runner) return true;
  try {
    await runner.loadModel(s.o.model, {
      size: model.header.tensorBytes,
      nParams: model.header.nParams,
      nVocab: model.nVocab ?? 0,
    });
  } catch (err) {
    s.io.err(`npm run profile: ${err instanceof Error ? err.message : String(err)}\n`);
    folder.log(`model load failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
  const ws = metalWorkingSetFromLog(runner.modelLogLines.map((l) => l.text));
  if (ws !== undefined) s.hw.gpu_working_set_bytes = ws;
  folder.log(`model loaded: ${model.fileName}`);
  return true;
}

function writeResults(folder: RunFolder, results: readonly StepResult[]): void {
  writeFileSync(
    join(folder.root, "provenance", "results.json"),
    `${JSON.stringify(
      results.map((r) => ({
        case: r.step.name,
        status: r.status,
        message: r.message,
        kv_mib: r.kvMiB,
        peak_rss_bytes: r.peakRssBytes,
      })),
      null,
      2,
    )}\n`,
  );
}

export async function runSession(
  base: Pick<Session, "o" | "model" | "steps" | "hw" | "runner" | "io">,
): Promise<number> {
  const { s, verdicts } = await startSession(base);
  const { o, io } = s;
  printPlan(s, verdicts);
  if (o.dryRun) {
    const n = verdicts.filter((v) => !v.fits).length;
    if (n)
      io.out(
        `${n} step(s) predicted not to fit would be skipped${o.force ? " — but --force runs them" : " (--force runs them anyway)"}.\n`,
      );
    io.out("Dry run: nothing was run.\n");
    return 0;
  }
  if (!weightsFit(s)) return 1;
  const date = new Date().toISOString().slice(0, 10);
  const folder = openFolder(s, date);
  if (!folder) return 1;
  io.out(`Writing ${folder.root}/\n`);
  folder.log(`npm run profile -- ${process.argv.slice(2).join(" ")}`);
  folder.log(`runner: ${s.runnerLabel}`);
  writePlan(s, folder);
  const outcome = await runSteps(s, folder, {
    baseline: () => idleBaseline(s, folder),
    load: () => loadModel(s, folder),
    version: () => (o.server ? serverVersion(o.server) : null),
  });
  if (outcome === "load-failed") return 1;
  const { results, skipped, aborted, baselineMeasured, srvVersion } = outcome;
  writeResults(folder, results);
  const ran = results.filter((r) => r.status !== "skipped");
  if (ran.length === 0) {
    io.err(
      aborted
        ? "npm run profile: interrupted before any step finished\n"
        : "npm run profile: no step ran (all were predicted not to fit; --force runs them)\n",
    );
    return aborted ? 130 : 1;
  }
  const runJson = buildRunJson({
    o,
    model: s.model,
    hw: s.hw,
    runner: s.runner,
    srv: srvVersion,
    backend: s.backend,
    date,
    results,
    baseline: baselineMeasured,
  });
  folder.writeJson("run.json", runJson);
  folder.writeText("provenance/README.md", readme(s.model, s.runnerLabel, s.steps, results));
  // Measured KV (the log's size lines) against the engine: each cache to the printed 0.01 MiB.
  io.out("\n");
  for (const line of kvComparison(results, s.preds)) io.out(`${line}\n`);
  const failed = results.filter((r) => r.status === "failed").length;
  const dnf = results.filter((r) => r.status === "did-not-fit").length;
  io.out(
    `\n${results.filter((r) => r.status === "ok").length} ok, ${dnf} did not fit, ${failed} failed, ${skipped} skipped.\n` +
      `Next: npm run ingest -- ${folder.root}\n`,
  );
  if (aborted) return 130;
  return failed ? 1 : 0;
}
