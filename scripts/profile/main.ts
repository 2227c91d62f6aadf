/**
 * `npm run profile`: plan → (dry run: print and stop) → safety check per step → run each step with
 * the embedded runner (node-llama-cpp) or an external llama-server → a run folder that
 * `npm run ingest` takes as is. Exit 0 done, 1 failure, 2 usage error.
 */
import { accessSync, constants, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import { join, relative } from "node:path";
import { RunInputSchema, type RunInput, type SourceTool } from "../../src/schemas/run.ts";
import type { Backend, EngineProfile } from "../../src/schemas/runtime-config.ts";
import { isTurboType } from "../../src/schemas/kv-type.ts";
import { MiB } from "../../src/lib/units.ts";
import { printfMiB2 } from "./outcome.ts";
import { USAGE, UsageError, parseProfileArgs, type ProfileOptions } from "./args.ts";
import { stopAll } from "./children.ts";
import { detectHardware, hostSlug, metalWorkingSetFromLog, type HardwareFacts } from "./hardware.ts";
import { NvidiaSmiSampler, nvidiaSmiAvailable, nvidiaSmiQuery, smiMiB } from "./memory.ts";
import { ModelFileError, readModelFile, type ModelFileInfo } from "./model-file.ts";
import { OutputError, RunFolder, caseJson } from "./output.ts";
import { buildPlan, modelSlug, type Step } from "./plan.ts";
import { checkFit, freeHostBytes, modelForEngine, predictStep, type FreeMemory, type Prediction } from "./predict.ts";
import { TerminalProgress } from "./progress.ts";
import type { EmbeddedRunner } from "./runner-embedded.ts";
import { runServerStep } from "./runner-server.ts";
import { bundledSource, nodeLlamaCppVersion } from "./runtime-info.ts";
import { RunnerError, type StepResult } from "./types.ts";
import { formatBinary } from "../../src/lib/format.ts";

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** The command that reproduces one step with the embedded runner. */
export function stepCommand(o: ProfileOptions, s: Step): string {
  const parts = [
    "npm run profile --",
    `--model ${o.model}`,
    `--ctx ${s.n_ctx}`,
    `--kv ${s.type_k}/${s.type_v}`,
    `--fa ${s.flash_attn}`,
    `--parallel ${s.n_seq}`,
    `--ubatch ${s.n_ubatch}`,
    `--fill ${s.fill_tokens}`,
    `--gen ${s.gen_tokens}`,
  ];
  if (o.gpu !== "auto") parts.push(`--gpu ${o.gpu}`);
  if (o.threads) parts.push(`--threads ${o.threads}`);
  return parts.join(" ");
}

function fmtMiB(bytes: number | undefined): string {
  return bytes === undefined ? "—" : `${printfMiB2(bytes)} MiB`;
}

/** The plan table printed by --dry-run and before a run. */
export function planTable(
  steps: readonly Step[],
  preds: readonly Prediction[],
  verdicts: readonly { fits: boolean; reason: string }[],
): string {
  const rows = steps.map((s, i) => {
    const b = preds[i].breakdown;
    return [
      String(i + 1),
      s.name,
      String(s.n_ctx),
      `${s.type_k}/${s.type_v}`,
      String(s.fill_tokens),
      b ? fmtMiB(b.kv.bytes + b.recurrent.bytes) : "—",
      b ? fmtMiB(b.compute.bytes) : "—",
      b ? fmtMiB(preds[i].contextHostBytes + preds[i].contextDeviceBytes) : "—",
      b ? fmtMiB(b.total.bytes) : "—",
      verdicts[i].fits ? "yes" : "NO (skip)",
    ];
  });
  const head = [
    "#",
    "case",
    "n_ctx",
    "K/V",
    "fill",
    "KV+RS (exact)",
    "compute (est.)",
    "context (est.)",
    "total (est.)",
    "fits",
  ];
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const right = new Set([0, 2, 4, 5, 6, 7, 8]);
  return all
    .map((r) =>
      r
        .map((x, c) => (right.has(c) ? x.padStart(w[c]) : x.padEnd(w[c])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
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

interface ServerVersion {
  text: string;
  build?: number;
  commit?: string;
}

/** `llama-server --version` (prints `version: <n> (<commit>)` and the compiler). */
function serverVersion(server: string): ServerVersion | null {
  const r = spawnSync(server, ["--version"], { encoding: "utf8", timeout: 30_000 });
  const text = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  if (!text) return null;
  const m = /version:\s*(\d+)\s*\(([0-9a-f]+)\)/.exec(text);
  return { text, ...(m ? { build: Number(m[1]), commit: m[2] } : {}) };
}

async function currentFree(runner: EmbeddedRunner | null, backend: Backend): Promise<FreeMemory> {
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

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let opts: ProfileOptions | null;
  try {
    opts = parseProfileArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`npm run profile: ${err.message}\nRun with --help for the options.\n`);
      return 2;
    }
    throw err;
  }
  if (!opts) {
    io.out(USAGE);
    return 0;
  }
  const o = opts;

  let model: ModelFileInfo;
  try {
    model = await readModelFile(o.model);
  } catch (err) {
    if (err instanceof ModelFileError) {
      io.err(`npm run profile: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (model.fillerTokens.length === 0) {
    io.err(
      `npm run profile: --model ${o.model}: the GGUF has no vocabulary (tokenizer.ggml.tokens) to fill a context with\n`,
    );
    return 1;
  }

  let steps: Step[];
  try {
    steps = buildPlan(o);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`npm run profile: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  if (o.out !== null && !o.dryRun) {
    try {
      RunFolder.checkExplicit(o.out);
    } catch (err) {
      if (err instanceof OutputError) {
        io.err(`npm run profile: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  }

  if (o.server) {
    try {
      accessSync(o.server, constants.X_OK);
    } catch {
      io.err(`npm run profile: --server ${o.server}: not an executable file\n`);
      return 1;
    }
  }

  const hw = detectHardware();
  const libVersion = nodeLlamaCppVersion();
  let runner: EmbeddedRunner | null = null;
  if (!o.server) {
    try {
      // loaded on demand: node-llama-cpp is heavy, and usage errors or --server runs do not need it
      const { EmbeddedRunner } = await import("./runner-embedded.ts");
      runner = await EmbeddedRunner.open({ gpu: o.gpu, threads: o.threads, libraryVersion: libVersion });
    } catch (err) {
      if (err instanceof RunnerError) {
        io.err(`npm run profile: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  }

  try {
    return await run(o, model, steps, hw, runner, io);
  } finally {
    await runner?.dispose();
  }
}

async function run(
  o: ProfileOptions,
  model: ModelFileInfo,
  steps: Step[],
  hw: HardwareFacts,
  runner: EmbeddedRunner | null,
  io: Io,
): Promise<number> {
  const backend: Backend = runner ? runner.info.backend : guessServerBackend(hw);
  const engine = engineFor(o);
  const nGpuLayers = runner ? runner.nGpuLayers : backend === "cpu" ? 0 : -1;
  const em = modelForEngine(model);
  const preds = steps.map((s) => predictStep(em, s, backend, engine, nGpuLayers));
  const free0 = await currentFree(runner, backend);
  const verdicts = preds.map((p) => checkFit(p, free0, !runner));

  const runnerLabel = runner
    ? `embedded (node-llama-cpp ${runner.info.libraryVersion}, llama.cpp ${runner.info.release}, ${runner.info.gpu === false ? "CPU" : runner.info.gpu}, ${runner.info.threads} thread${runner.info.threads === 1 ? "" : "s"})`
    : `llama-server ${o.server}`;
  io.out(
    `Model ${model.fileName}: ${model.arch ?? "unknown arch"}, ${formatBinary(model.header.tensorBytes)} of weights` +
      `${em.error ? ` (the engine cannot size it: ${em.error})` : ""}\n` +
      `Runner ${runnerLabel}; engine rules ${engine.name} ${engine.revision}, backend ${backend}` +
      `${runner?.info.backendNote ? ` (${runner.info.backendNote})` : ""}\n` +
      `Free now: ${formatBinary(free0.hostBytes)} host${free0.deviceBytes !== null ? `, ${formatBinary(free0.deviceBytes)} device` : ""}` +
      ` (each step is checked again against the memory free when it starts)\n\n` +
      `${planTable(steps, preds, verdicts)}\n\n` +
      `KV+RS is byte-exact; compute and totals are the engine's estimates. "context" = what a step adds to the loaded model.\n`,
  );
  if (o.dryRun) {
    const n = verdicts.filter((v) => !v.fits).length;
    if (n)
      io.out(
        `${n} step(s) predicted not to fit would be skipped${o.force ? " — but --force runs them" : " (--force runs them anyway)"}.\n`,
      );
    io.out("Dry run: nothing was run.\n");
    return 0;
  }

  // Weights first: the embedded runner loads the model once, before any step.
  if (runner && preds[0]?.breakdown) {
    const b = preds[0].breakdown;
    const wDev = b.weights.per_device.filter((x) => !x.host).reduce((a, x) => a + x.bytes, 0);
    const wHost = b.weights.per_device.filter((x) => x.host).reduce((a, x) => a + x.bytes, 0);
    const needHost = free0.unified ? wHost + wDev : wHost;
    const tooBig =
      needHost > free0.hostBytes || (free0.deviceBytes !== null && !free0.unified && wDev > free0.deviceBytes);
    if (tooBig && !o.force) {
      io.err(
        `npm run profile: the model's weights (${formatBinary(wHost + wDev)}) do not fit the free memory ` +
          `(${formatBinary(free0.hostBytes)} host${free0.deviceBytes !== null ? `, ${formatBinary(free0.deviceBytes)} device` : ""}); --force to try anyway\n`,
      );
      return 1;
    }
  }

  const date = new Date().toISOString().slice(0, 10);
  const explicit = o.out !== null;
  let folder: RunFolder;
  try {
    folder = RunFolder.create(o.out ?? join("runs-out", `${date}-${modelSlug(o.model)}-${hostSlug()}`), explicit);
  } catch (err) {
    if (err instanceof OutputError) {
      io.err(`npm run profile: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  io.out(`Writing ${folder.root}/\n`);
  folder.log(`npm run profile -- ${process.argv.slice(2).join(" ")}`);
  folder.log(`runner: ${runnerLabel}`);
  folder.writeJson("provenance/plan.json", {
    model: { file: model.fileName, header_sha256: model.headerSha256, file_bytes: model.fileBytes },
    engine,
    backend,
    free_at_start: free0,
    steps: steps.map((s, i) => ({
      ...s,
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

  // Ctrl-C / SIGTERM: stop the current step, clean up children, keep what was measured.
  const ac = new AbortController();
  const progress = new TerminalProgress();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) return;
    ac.abort();
    folder.log(`${sig}: stopping`);
    progress.message(`${sig}: stopping the current step and cleaning up…`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let baselineMeasured: { bytes: number } | null = null;
  if (nvidiaSmiAvailable() && (backend === "cuda" || o.server)) {
    const d = folder.baselineDir();
    const smi = new NvidiaSmiSampler();
    smi.start(join(d, "nvidia-smi-idle.csv"), join(d, "nvidia-smi-apps-idle.csv"));
    // About 1 s of 100 ms samples, however late the sampler starts (capped at 30 s).
    await smi.waitForSamples(10, 1000, 30_000);
    await smi.stop();
    const used = smiMiB(nvidiaSmiQuery(["memory.used"])[0]?.["memory.used"]);
    if (used !== undefined) baselineMeasured = { bytes: used * MiB };
    folder.log("baseline: 1 s of nvidia-smi samples before the model was loaded");
  }

  if (runner) {
    progress.message(`Loading ${model.fileName}…`);
    try {
      await runner.loadModel(o.model, {
        size: model.header.tensorBytes,
        nParams: model.header.nParams,
        nVocab: model.nVocab ?? 0,
      });
    } catch (err) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      io.err(`npm run profile: ${err instanceof Error ? err.message : String(err)}\n`);
      folder.log(`model load failed: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
    const ws = metalWorkingSetFromLog(runner.modelLogLines.map((l) => l.text));
    if (ws !== undefined) hw.gpu_working_set_bytes = ws;
    folder.log(`model loaded: ${model.fileName}`);
  }
  const srvVersion = o.server ? serverVersion(o.server) : null;
  if (srvVersion) folder.log(`llama-server --version: ${srvVersion.text.replace(/\n/g, " | ")}`);

  const results: StepResult[] = [];
  const skipped: { step: Step; reason: string }[] = [];
  for (const [i, step] of steps.entries()) {
    if (ac.signal.aborted) break;
    progress.stepStarted(step, steps.length);
    const free = await currentFree(runner, backend);
    const verdict = checkFit(preds[i], free, !runner);
    if (!verdict.fits && !o.force) {
      const msg = `${i + 1}/${steps.length} ${step.name}: skipped — ${verdict.reason}; --force runs it`;
      progress.message(msg);
      folder.log(msg);
      skipped.push({ step, reason: verdict.reason });
      continue;
    }
    if (!verdict.fits) folder.log(`${step.name}: forced although ${verdict.reason}`);
    folder.log(`${step.name}: start (${verdict.reason})`);
    const dir = folder.caseDir(step);
    const result = runner
      ? await runner.runStep(step, dir, model.fillerTokens, progress, stepCommand(o, step), ac.signal)
      : await runServerStep(
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
          ac.signal,
        );
    folder.writeJson(
      join(relative(folder.root, dir), "case.json"),
      caseJson(result, {
        modelFile: model.fileName,
        model: [model.name, model.arch, model.fileTypeId !== null ? `general.file_type ${model.fileTypeId}` : null]
          .filter(Boolean)
          .join(", "),
        runner: runnerLabel,
        llamaCpp: runner
          ? `${runner.info.release} (${runner.info.repo}, node-llama-cpp ${runner.info.libraryVersion} ${runner.info.buildType} binary)`
          : (srvVersion?.text.split("\n")[0] ?? "unknown (llama-server --version printed nothing)"),
        device: runner
          ? runner.info.gpu === false
            ? null
            : runner.deviceLabel
          : hw.gpus.map((g) => g.name).join(", ") || null,
        cpu: hw.cpu,
        nGpuLayers,
        sampling: runner
          ? `/proc/self/status at stages${nvidiaSmiAvailable() && backend === "cuda" ? "; nvidia-smi -lms 100 from 0.3 s before the context to its disposal" : ""}`
          : `/proc/<pid>/status every 100 ms${nvidiaSmiAvailable() ? "; nvidia-smi -lms 100 from 0.3 s before the server started to its exit" : ""}`,
      }),
    );
    results.push(result);
    folder.log(`${step.name}: ${result.status}${result.message ? ` — ${result.message}` : ""}`);
    progress.stepFinished(result);
  }
  progress.done();
  await stopAll(o.stopTimeout * 1000);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);

  for (const s of skipped) results.push(skippedResult(s.step, s.reason));
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

  const ran = results.filter((r) => r.status !== "skipped");
  if (ran.length === 0) {
    io.err(
      ac.signal.aborted
        ? "npm run profile: interrupted before any step finished\n"
        : "npm run profile: no step ran (all were predicted not to fit; --force runs them)\n",
    );
    return ac.signal.aborted ? 130 : 1;
  }

  const runJson = buildRunJson(o, model, hw, runner, srvVersion, backend, date, results, baselineMeasured);
  folder.writeJson("run.json", runJson);
  folder.writeText("provenance/README.md", readme(model, runnerLabel, steps, results));

  // Measured KV (the log's size lines) against the engine: each cache to the printed 0.01 MiB.
  io.out("\n");
  for (const line of kvComparison(results, preds)) io.out(`${line}\n`);
  const failed = results.filter((r) => r.status === "failed").length;
  const dnf = results.filter((r) => r.status === "did-not-fit").length;
  io.out(
    `\n${results.filter((r) => r.status === "ok").length} ok, ${dnf} did not fit, ${failed} failed, ${skipped.length} skipped.\n` +
      `Next: npm run ingest -- ${folder.root}\n`,
  );
  if (ac.signal.aborted) return 130;
  return failed ? 1 : 0;
}

/** One line per measured step: the KV size lines as printed against the engine's bytes printed the same way. */
export function kvComparison(results: readonly StepResult[], preds: readonly Prediction[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const p = preds[r.step.index];
    if (r.status !== "ok" || !r.kvPrinted?.length || !p?.breakdown) continue;
    const want = p.breakdown.kv.caches.map((c) => printfMiB2(c.bytes));
    const got = r.kvPrinted;
    const same = want.length === got.length && want.every((w, i) => w === got[i]);
    out.push(
      `${r.step.name}: KV measured ${got.join(" + ")} MiB, engine ${want.join(" + ")} MiB${same ? " (equal)" : "  <-- DIFFERS"}`,
    );
  }
  return out;
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

function buildRunJson(
  o: ProfileOptions,
  model: ModelFileInfo,
  hw: HardwareFacts,
  runner: EmbeddedRunner | null,
  srv: ServerVersion | null,
  backend: Backend,
  date: string,
  results: readonly StepResult[],
  baseline: { bytes: number } | null,
): RunInput {
  const em = modelForEngine(model);
  const gpu = hw.gpus[0];
  const device = runner ? runner.deviceLabel : gpu ? gpu.name : `CPU (${hw.cpu})`;
  const src = runner ? bundledSource() : null;
  const turbo = o.kv.some((p) => isTurboType(p.k) || isTurboType(p.v));
  const ctxs = [...new Set(results.filter((r) => r.status !== "skipped").map((r) => r.step.n_ctx))].sort(
    (a, b) => a - b,
  );
  const release = runner?.info.release;
  const title =
    o.title ??
    `${model.name ?? model.fileName} at ${ctxs.join(", ")} tokens on ${device}, ${runner ? `llama.cpp ${release} (node-llama-cpp)` : "llama-server"}`;
  const tools: SourceTool[] = ["llama.cpp", "memprobe"];
  if (nvidiaSmiAvailable() && (backend === "cuda" || o.server)) tools.push("nvidia-smi");
  if (os.platform() === "darwin") tools.push("footprint");

  const input: RunInput = {
    schema_version: 1,
    date,
    title,
    ...(o.notes ? { notes: o.notes } : {}),
    hardware: {
      description: `${hw.cpu} (${hw.cpu_count} logical CPUs), ${formatBinary(hw.total_memory_bytes)} RAM${gpu ? `, ${hw.gpus.map((g) => g.name).join(" + ")}` : ""}`,
      total_memory_bytes: hw.total_memory_bytes,
      ...(gpu
        ? {
            gpu: {
              name: gpu.name,
              ...(gpu.memory_bytes !== undefined ? { memory_bytes: gpu.memory_bytes } : {}),
              ...(gpu.reserved_bytes !== undefined ? { reserved_bytes: gpu.reserved_bytes } : {}),
              ...(gpu.driver ? { driver: gpu.driver } : {}),
            },
          }
        : runner && runner.info.deviceNames.length
          ? { gpu: { name: runner.info.deviceNames.join(", ") } }
          : {}),
      ...(hw.gpu_working_set_bytes !== undefined ? { gpu_working_set_bytes: hw.gpu_working_set_bytes } : {}),
      ...(backend === "metal" ? { unified_memory: true } : gpu ? { unified_memory: false } : {}),
      os: hw.os,
      cpu: hw.cpu,
    },
    runtime: {
      engine: turbo ? "turboquant" : runner ? "llama.cpp" : "unknown",
      backend,
      ...(runner
        ? {
            llama_cpp: {
              version: runner.info.release,
              ...(src && src.tag === runner.info.release
                ? { commit: src.commit, ...(src.date ? { build_date: src.date } : {}) }
                : {}),
            },
            description:
              `node-llama-cpp ${runner.info.libraryVersion}, ${runner.info.buildType} llama.cpp binary ` +
              `(${runner.info.repo} ${runner.info.release}${src && src.tag === runner.info.release ? `, source commit ${src.commit.slice(0, 7)} of ${src.date ?? "unknown date"} from the package's gitRelease.bundle` : ""}), ` +
              `${runner.info.gpu === false ? "CPU" : runner.info.gpu} backend, ${runner.info.threads} thread${runner.info.threads === 1 ? "" : "s"}`,
          }
        : {
            ...(srv?.build !== undefined || srv?.commit
              ? {
                  llama_cpp: {
                    ...(srv.build !== undefined ? { build_number: srv.build } : {}),
                    ...(srv.commit ? { commit: srv.commit } : {}),
                  },
                }
              : {}),
            description: `external llama-server (${o.server})${srv ? `: ${srv.text.split("\n")[0]}` : ""}`,
          }),
    },
    model: {
      name: model.name ?? model.fileName,
      ...(model.arch ? { arch: model.arch } : {}),
      ...(em.arch ? { architecture: em.arch } : {}),
      ...(em.ftype ? { ftype: em.ftype } : {}),
      weights_bytes: model.header.tensorBytes,
      file_bytes: model.fileBytes,
      params: model.header.nParams,
      notes: `${model.fileName}; SHA-256 of the GGUF header (bytes 0–${model.header.dataOffset}): ${model.headerSha256}`,
    },
    measurement: {
      tools,
      ...(baseline
        ? {
            idle_gpu_baseline: {
              bytes: baseline.bytes,
              source: {
                tool: "nvidia-smi",
                file: "baseline/nvidia-smi-idle.csv",
                detail: "memory.used before the model was loaded",
              },
            },
          }
        : {}),
      method: runner
        ? "npm run profile (embedded runner): the model is loaded once; per configuration a context of exactly the requested size is created " +
          "(node-llama-cpp's auto-sizing and memory checks off), filled with real decode batches to the requested depth, then " +
          `${o.gen} greedy single-token decode steps; llama.cpp's own log lines are recorded per case, the process's /proc status ` +
          "(peak RSS reset between configurations) and device memory at each stage. Peak RSS includes the profiling process itself" +
          (runner.preLoadRssBytes !== null
            ? ` (Node.js and node-llama-cpp: ${formatBinary(runner.preLoadRssBytes)} of RSS before the model was loaded, the PROC stage before_model_load)`
            : "") +
          " and memory the allocator kept from earlier configurations (each case's PROC stage start shows the RSS it began with)."
        : "npm run profile (server runner): one llama-server process per configuration (-fit off), filled through /completion with token-id prompts, " +
          "its stderr recorded verbatim, /proc/<pid>/status sampled every 100 ms, stopped with SIGTERM.",
    },
  };
  return RunInputSchema.parse(input);
}

function readme(
  model: ModelFileInfo,
  runnerLabel: string,
  steps: readonly Step[],
  results: readonly StepResult[],
): string {
  const lines = [
    `# Profile of ${model.fileName}`,
    "",
    `Made by \`npm run profile -- ${process.argv.slice(2).join(" ")}\` on ${new Date().toISOString()}.`,
    `Runner: ${runnerLabel}.`,
    "",
    "One folder per configuration (llama.log, case.json, command.txt, memprobe-stdout.txt with PROC/MEM/RESULT lines" +
      " in the memprobe format, nvidia-smi CSVs on NVIDIA machines, footprint.txt on macOS). Ingest it with",
    "",
    "    npm run ingest -- <this folder>",
    "",
    "| case | status | note |",
    "|---|---|---|",
    ...results.map((r) => `| ${r.step.name} | ${r.status} | ${(r.message ?? "").replace(/\|/g, "\\|")} |`),
    "",
    `Planned steps: ${steps.length}. Steps predicted not to fit were skipped (no folder), unless --force.`,
    "",
  ];
  return lines.join("\n");
}
