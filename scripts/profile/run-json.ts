/**
 * The run folder's run.json (RunInputSchema: hardware, runtime and build, model file, measurement
 * method) and its provenance README, from what the profile knows after its steps.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import { RunInputSchema, type RunInput, type SourceTool } from "../../src/schemas/run.ts";
import type { Backend } from "../../src/schemas/runtime-config.ts";
import { isTurboType } from "../../src/schemas/kv-type.ts";
import { formatBinary } from "../../src/lib/format.ts";
import type { ProfileOptions } from "./args.ts";
import type { HardwareFacts } from "./hardware.ts";
import { nvidiaSmiAvailable } from "./memory.ts";
import type { ModelFileInfo } from "./model-file.ts";
import type { Step } from "./plan.ts";
import { modelForEngine } from "./predict.ts";
import type { EmbeddedRunner } from "./runner-embedded.ts";
import { bundledSource } from "./runtime-info.ts";
import type { StepResult } from "./types.ts";

export interface ServerVersion {
  text: string;
  build?: number;
  commit?: string;
}

/** `llama-server --version` (prints `version: <n> (<commit>)` and the compiler). */
export function serverVersion(server: string): ServerVersion | null {
  const r = spawnSync(server, ["--version"], { encoding: "utf8", timeout: 30_000 });
  const text = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  if (!text) return null;
  const m = /version:\s*(\d+)\s*\(([0-9a-f]+)\)/.exec(text);
  return { text, ...(m ? { build: Number(m[1]), commit: m[2] } : {}) };
}

/** What run.json is built from. */
export interface RunJsonInput {
  o: ProfileOptions;
  model: ModelFileInfo;
  hw: HardwareFacts;
  runner: EmbeddedRunner | null;
  srv: ServerVersion | null;
  backend: Backend;
  date: string;
  results: readonly StepResult[];
  baseline: { bytes: number } | null;
}

function hardwareInput({ hw, runner, backend }: RunJsonInput): RunInput["hardware"] {
  const gpu = hw.gpus[0];
  return {
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
  };
}

/** The embedded runner: node-llama-cpp's binary, its release and (when the bundle says) its source commit. */
function embeddedRuntime(runner: EmbeddedRunner): Partial<NonNullable<RunInput["runtime"]>> {
  const src = bundledSource();
  return {
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
  };
}

/** An external llama-server: what its --version printed. */
function serverRuntime(o: ProfileOptions, srv: ServerVersion | null): Partial<NonNullable<RunInput["runtime"]>> {
  return {
    ...(srv?.build !== undefined || srv?.commit
      ? {
          llama_cpp: {
            ...(srv.build !== undefined ? { build_number: srv.build } : {}),
            ...(srv.commit ? { commit: srv.commit } : {}),
          },
        }
      : {}),
    description: `external llama-server (${o.server})${srv ? `: ${srv.text.split("\n")[0]}` : ""}`,
  };
}

function runtimeInput({ o, runner, srv, backend }: RunJsonInput): RunInput["runtime"] {
  const turbo = o.kv.some((p) => isTurboType(p.k) || isTurboType(p.v));
  return {
    engine: turbo ? "turboquant" : runner ? "llama.cpp" : "unknown",
    backend,
    ...(runner ? embeddedRuntime(runner) : serverRuntime(o, srv)),
  };
}

function modelInput({ model }: RunJsonInput): RunInput["model"] {
  const em = modelForEngine(model);
  return {
    name: model.name ?? model.fileName,
    ...(model.arch ? { arch: model.arch } : {}),
    ...(em.arch ? { architecture: em.arch } : {}),
    ...(em.ftype ? { ftype: em.ftype } : {}),
    weights_bytes: model.header.tensorBytes,
    file_bytes: model.fileBytes,
    params: model.header.nParams,
    notes: `${model.fileName}; SHA-256 of the GGUF header (bytes 0–${model.header.dataOffset}): ${model.headerSha256}`,
  };
}

/** How the numbers were taken, in words. */
function method(o: ProfileOptions, runner: EmbeddedRunner | null): string {
  return runner
    ? "npm run profile (embedded runner): the model is loaded once; per configuration a context of exactly the requested size is created " +
        "(node-llama-cpp's auto-sizing and memory checks off), filled with real decode batches to the requested depth, then " +
        `${o.gen} greedy single-token decode steps; llama.cpp's own log lines are recorded per case, the process's /proc status ` +
        "(peak RSS reset between configurations) and device memory at each stage. Peak RSS includes the profiling process itself" +
        (runner.preLoadRssBytes !== null
          ? ` (Node.js and node-llama-cpp: ${formatBinary(runner.preLoadRssBytes)} of RSS before the model was loaded, the PROC stage before_model_load)`
          : "") +
        " and memory the allocator kept from earlier configurations (each case's PROC stage start shows the RSS it began with)."
    : "npm run profile (server runner): one llama-server process per configuration (-fit off), filled through /completion with token-id prompts, " +
        "its stderr recorded verbatim, /proc/<pid>/status sampled every 100 ms, stopped with SIGTERM.";
}

function measurementInput(r: RunJsonInput): RunInput["measurement"] {
  const tools: SourceTool[] = ["llama.cpp", "memprobe"];
  if (nvidiaSmiAvailable() && (r.backend === "cuda" || r.o.server)) tools.push("nvidia-smi");
  if (os.platform() === "darwin") tools.push("footprint");
  return {
    tools,
    ...(r.baseline
      ? {
          idle_gpu_baseline: {
            bytes: r.baseline.bytes,
            source: {
              tool: "nvidia-smi",
              file: "baseline/nvidia-smi-idle.csv",
              detail: "memory.used before the model was loaded",
            },
          },
        }
      : {}),
    method: method(r.o, r.runner),
  };
}

export function buildRunJson(r: RunJsonInput): RunInput {
  const { o, model, hw, runner } = r;
  const gpu = hw.gpus[0];
  const device = runner ? runner.deviceLabel : gpu ? gpu.name : `CPU (${hw.cpu})`;
  const ctxs = [...new Set(r.results.filter((x) => x.status !== "skipped").map((x) => x.step.n_ctx))].sort(
    (a, b) => a - b,
  );
  const release = runner?.info.release;
  const title =
    o.title ??
    `${model.name ?? model.fileName} at ${ctxs.join(", ")} tokens on ${device}, ${runner ? `llama.cpp ${release} (node-llama-cpp)` : "llama-server"}`;
  const input: RunInput = {
    schema_version: 1,
    date: r.date,
    title,
    ...(o.notes ? { notes: o.notes } : {}),
    hardware: hardwareInput(r),
    runtime: runtimeInput(r),
    model: modelInput(r),
    measurement: measurementInput(r),
  };
  return RunInputSchema.parse(input);
}

export function readme(
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
