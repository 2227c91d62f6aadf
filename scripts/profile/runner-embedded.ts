/**
 * The embedded runner: llama.cpp through node-llama-cpp's prebuilt binaries (never built from
 * source). The model is loaded once; each step creates a context of exactly the requested size
 * (the library's auto-sizing and memory checks off), fills it with real decode batches, decodes a
 * few tokens greedily, and records llama.cpp's own log lines and the process's memory.
 */
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import type { Llama, LlamaModel } from "node-llama-cpp";
import os from "node:os";
import type { Backend } from "../../src/schemas/runtime-config.ts";
import type { GpuChoice } from "./args.ts";
import { EmbeddedStep, sleep, type StepEnv } from "./embedded-step.ts";
import { LogRecorder, type RecordedLine } from "./llama-log.ts";
import { procLine, selfMemoryFields } from "./memory.ts";
import { errorLines } from "./outcome.ts";
import type { Step } from "./plan.ts";
import { RunnerError, type ProgressSink, type StepResult } from "./types.ts";

export { RunnerError };

export interface EmbeddedInfo {
  /** node-llama-cpp's backend: false (CPU), "cuda", "metal", "vulkan". */
  gpu: false | string;
  backend: Backend;
  /** Note when the engine's rules are a stand-in for this backend. */
  backendNote: string | null;
  release: string;
  repo: string;
  buildType: string;
  libraryVersion: string;
  threads: number;
  deviceNames: string[];
  systemInfo: string;
}

export class EmbeddedRunner {
  readonly log: LogRecorder;
  readonly info: EmbeddedInfo;
  private readonly llama: Llama;
  private model: LlamaModel | null = null;
  private modelLines: RecordedLine[] = [];
  /** PROC line of the process before the model was loaded (Node.js + the llama.cpp library). */
  private preLoadProc: string | null = null;
  /** RSS before the model was loaded, bytes (what the runtime itself costs). */
  preLoadRssBytes: number | null = null;
  private modelMeta: { size: number; nParams: number; nVocab: number } | null = null;
  private readonly t0 = performance.now();

  private constructor(llama: Llama, log: LogRecorder, info: EmbeddedInfo) {
    this.llama = llama;
    this.log = log;
    this.info = info;
  }

  /**
   * Load node-llama-cpp's prebuilt llama.cpp binary for `gpu` (never building from source).
   * Throws a RunnerError naming the cause if it cannot load.
   */
  static async open(opts: { gpu: GpuChoice; threads: number | null; libraryVersion: string }): Promise<EmbeddedRunner> {
    const log = new LogRecorder();
    let llama: Llama;
    try {
      llama = await getLlama({
        build: "never",
        gpu: opts.gpu === "off" ? false : opts.gpu,
        usePrebuiltBinaries: true,
        skipDownload: true,
        progressLogs: false,
        logLevel: LlamaLogLevel.debug,
        logger: (level, message) => log.push(level, message),
      });
    } catch (err) {
      throw new RunnerError(
        `node-llama-cpp could not load a prebuilt llama.cpp binary for --gpu ${opts.gpu} (build: "never", nothing is compiled): ${
          err instanceof Error ? err.message : String(err)
        }`,
      );
    }
    // Oversubscribed threads make llama.cpp's spin-waits crawl: default to the math cores.
    const threads = opts.threads ?? llama.cpuMathCores;
    llama.maxThreads = threads;
    const gpu = llama.gpu;
    let backend: Backend = "cpu";
    let backendNote: string | null = null;
    if (gpu === "cuda") backend = "cuda";
    else if (gpu === "metal") backend = "metal";
    else if (gpu !== false) {
      backend = "cuda";
      backendNote = `the engine has no ${gpu} rules; its predictions use the CUDA backend's (KV is exact either way)`;
    }
    const info: EmbeddedInfo = {
      gpu,
      backend,
      backendNote,
      release: llama.llamaCppRelease.release,
      repo: llama.llamaCppRelease.repo,
      buildType: llama.buildType,
      libraryVersion: opts.libraryVersion,
      threads,
      deviceNames: gpu === false ? [] : await llama.getGpuDeviceNames(),
      systemInfo: llama.systemInfo,
    };
    return new EmbeddedRunner(llama, log, info);
  }

  /** n_gpu_layers as recorded: -1 (all) on a GPU, 0 on the CPU. */
  get nGpuLayers(): number {
    return this.info.gpu === false ? 0 : -1;
  }

  get deviceLabel(): string {
    if (this.info.gpu === false) return `CPU (${os.cpus()[0]?.model?.trim() ?? "unknown"})`;
    return this.info.deviceNames.join(", ") || String(this.info.gpu);
  }

  private get devName(): string {
    if (this.info.gpu === "cuda") return "CUDA0";
    if (this.info.gpu === "metal") return "MTL0";
    if (this.info.gpu === "vulkan") return "Vulkan0";
    return "CPU";
  }

  async vramState(): Promise<{ total: number; free: number } | null> {
    if (this.info.gpu === false) return null;
    const s = await this.llama.getVramState();
    return { total: s.total, free: s.free };
  }

  /**
   * Load the model once (mmap, all layers on the GPU if there is one). `meta` (from the GGUF
   * header) goes into each case's RESULT line.
   */
  async loadModel(path: string, meta: { size: number; nParams: number; nVocab: number }): Promise<void> {
    const mark = this.log.mark();
    const pre = selfMemoryFields();
    this.preLoadProc = procLine("before_model_load", (performance.now() - this.t0) / 1000, pre.fields);
    this.preLoadRssBytes = pre.fields.VmRSS !== undefined ? pre.fields.VmRSS * 1024 : null;
    try {
      this.model = await this.llama.loadModel({
        modelPath: path,
        gpuLayers: this.info.gpu === false ? 0 : "max",
        ignoreMemorySafetyChecks: true,
        useMmap: true,
      });
    } catch (err) {
      await sleep(20);
      const errs = errorLines(this.log.since(mark));
      throw new RunnerError(
        `llama.cpp could not load ${path}: ${err instanceof Error ? err.message : String(err)}` +
          (errs.length ? `\n  ${errs.join("\n  ")}` : ""),
      );
    }
    await this.settle(mark, /load_tensors:.*buffer size|offloaded \d+\/\d+ layers/, 300);
    this.modelLines = this.log.since(mark);
    this.modelMeta = meta;
  }

  get modelLogLines(): readonly RecordedLine[] {
    return this.modelLines;
  }

  /** Run one step; never throws for allocation failures (they are a result). */
  async runStep(
    step: Step,
    dir: string,
    filler: readonly number[],
    progress: ProgressSink,
    command: string,
    signal: AbortSignal,
  ): Promise<StepResult> {
    if (!this.model) throw new RunnerError("loadModel() first");
    const env: StepEnv = {
      model: this.model,
      log: this.log,
      t0: this.t0,
      devName: this.devName,
      nGpuLayers: this.nGpuLayers,
      threads: this.info.threads,
      gpu: this.info.gpu,
      preLoadProc: this.preLoadProc,
      modelLines: this.modelLines,
      modelMeta: this.modelMeta,
      vramState: () => this.vramState(),
      settle: (start, marker, ms) => this.settle(start, marker, ms),
    };
    return new EmbeddedStep(env, { step, dir, filler, progress, command, signal }).run();
  }

  async dispose(): Promise<void> {
    await this.model?.dispose();
    this.model = null;
    await this.llama.dispose();
  }

  /** Log lines arrive from a native thread: wait for `marker` (or `ms`). */
  private async settle(start: number, marker: RegExp, ms: number): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      for (let i = start; i < this.log.lines.length; i++) if (marker.test(this.log.lines[i].text)) return;
      if (Date.now() > until) return;
      await sleep(5);
    }
  }
}
