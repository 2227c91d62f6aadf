/**
 * The embedded runner: llama.cpp through node-llama-cpp's prebuilt binaries (never built from
 * source). The model is loaded once; each step creates a context of exactly the requested size
 * (the library's auto-sizing and memory checks off), fills it with real decode batches, decodes a
 * few tokens greedily, and records llama.cpp's own log lines and the process's memory.
 */
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import os from "node:os";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import type { Backend } from "../../src/schemas/runtime-config.ts";
import type { GpuChoice } from "./args.ts";
import { LogRecorder, formatLine, type RecordedLine } from "./llama-log.ts";
import {
  NvidiaSmiSampler,
  footprintText,
  memLine,
  nvidiaSmiAvailable,
  procLine,
  resetPeakRss,
  selfMemoryFields,
} from "./memory.ts";
import { classifyFailure, errorLines, kvSizeLines, kvTypeMismatch, loggedNCtx } from "./outcome.ts";
import type { Step } from "./plan.ts";
import { RunnerError, type ProgressSink, type StepResult } from "./types.ts";

export { RunnerError };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    const model = this.model;
    const mark = this.log.mark();
    const start = performance.now();
    const startUtc = new Date().toISOString();
    // the runtime's own RSS before the model existed: what a step's peak includes besides llama.cpp
    const mem: string[] = this.preLoadProc ? [this.preLoadProc] : [];
    const t = () => (performance.now() - this.t0) / 1000;
    let peakDevUsed: number | undefined;
    const stage = async (name: string) => {
      const { fields } = selfMemoryFields();
      const vs = await this.vramState();
      if (vs) {
        mem.push(memLine(name, t(), this.devName, vs.total, vs.free));
        if (name !== "freed") peakDevUsed = Math.max(peakDevUsed ?? 0, vs.total - vs.free);
      }
      mem.push(procLine(name, t(), fields));
      return fields;
    };

    this.log.note(
      `n_ctx = ${step.n_ctx}, n_batch = ${step.n_batch}, n_ubatch = ${step.n_ubatch}, n_seq_max = ${step.n_seq}, ` +
        `type_k = ${step.type_k}, type_v = ${step.type_v}, flash_attn = ${step.flash_attn}, n_gpu_layers = ${this.nGpuLayers}, ` +
        `fill = ${step.fill_tokens} tokens, gen = ${step.gen_tokens} tokens`,
    );
    const peakReset = resetPeakRss();
    await stage("start");

    const smi = this.info.gpu === "cuda" && nvidiaSmiAvailable() ? new NvidiaSmiSampler() : null;
    smi?.start(join(dir, "nvidia-smi.csv"), join(dir, "nvidia-smi-apps.csv"));
    if (smi) await smi.waitForSamples(3, 300, 30_000);

    let status: StepResult["status"] = "ok";
    let message: string | undefined;
    let filled = 0;
    let generated = 0;
    let fillS = 0;
    let genS = 0;
    let ctx: LlamaContext | null = null;
    let peakFields: Record<string, number> | null = null;

    const fail = async (err: unknown, during: string) => {
      await sleep(30);
      const lines = this.log.since(mark);
      const text = err instanceof Error ? err.message : String(err);
      status = signal.aborted
        ? "failed"
        : classifyFailure(
            lines.map((l) => l.text),
            text,
          );
      const errs = errorLines(lines);
      message = signal.aborted
        ? `interrupted during ${during}`
        : `${status === "did-not-fit" ? "did not fit" : "failed"} during ${during}: ${text}${errs.length ? ` | ${errs.join(" | ")}` : ""}`;
    };

    progress.phase("creating context");
    try {
      ctx = await model.createContext({
        contextSize: step.n_ctx_seq,
        sequences: step.n_seq,
        batchSize: step.n_batch,
        flashAttention: step.flash_attn === "auto" ? "auto" : step.flash_attn === "on",
        experimentalKvCacheKeyType: step.type_k.toUpperCase() as never,
        experimentalKvCacheValueType: step.type_v.toUpperCase() as never,
        ignoreMemorySafetyChecks: true,
        failedCreationRemedy: false,
        performanceTracking: true,
        threads: this.info.threads,
      });
    } catch (err) {
      await fail(err, "context creation");
    }

    if (ctx) {
      await this.settle(mark, /sched_reserve: reserve took|compute buffer size/, 300);
      const mismatch = kvTypeMismatch(kvSizeLines(this.log.since(mark).map((l) => l.text)), step.type_k, step.type_v);
      if (mismatch) {
        status = "failed";
        message = mismatch;
        this.log.note(mismatch, "E");
      }
    }

    if (ctx && status === "ok") {
      await stage("context_created");
      const seqs: LlamaContextSequence[] = [];
      for (let s = 0; s < step.n_seq; s++) seqs.push(ctx.getSequence());
      const tokensOf = (s: number, n: number) =>
        Array.from({ length: n }, (_, i) => filler[(s * 7919 + i * 31) % filler.length] as Token);
      try {
        // Fill: all but the last token without logits, in chunks so progress can be shown.
        progress.phase("filling");
        const fillStart = performance.now();
        const chunk = Math.max(step.n_batch, 256);
        const body = step.gen_tokens > 0 ? step.fill_tokens - 1 : step.fill_tokens;
        let doneAll = 0;
        await Promise.all(
          seqs.map(async (seq, s) => {
            const toks = tokensOf(s, step.fill_tokens);
            for (let i = 0; i < body; i += chunk) {
              if (signal.aborted) throw new Error("interrupted");
              const part = toks.slice(i, Math.min(body, i + chunk));
              await seq.evaluateWithoutGeneratingNewTokens(part);
              doneAll += part.length;
              const el = (performance.now() - fillStart) / 1000;
              progress.fill(doneAll, step.fill_tokens * step.n_seq, el > 0 ? doneAll / el : 0);
            }
          }),
        );
        // The last fill token is decoded with logits, then `gen` greedy single-token steps.
        const its = seqs.map((seq, s) => {
          const last = tokensOf(s, step.fill_tokens)[step.fill_tokens - 1];
          return seq.evaluate([last], { temperature: 0 })[Symbol.asyncIterator]();
        });
        if (step.gen_tokens > 0) await Promise.all(its.map((it) => it.next()));
        fillS = (performance.now() - fillStart) / 1000;
        filled = step.fill_tokens;
        progress.fill(
          step.fill_tokens * step.n_seq,
          step.fill_tokens * step.n_seq,
          (filled * step.n_seq) / Math.max(fillS, 1e-9),
        );
        this.log.note(
          `filled ${filled} tokens${step.n_seq > 1 ? ` in each of ${step.n_seq} sequences` : ""} in ${fillS.toFixed(2)} s (${((filled * step.n_seq) / Math.max(fillS, 1e-9)).toFixed(1)} t/s)`,
        );
        await stage("filled");

        progress.phase("generating");
        const genStart = performance.now();
        for (let g = 0; g < step.gen_tokens; g++) {
          if (signal.aborted) throw new Error("interrupted");
          await Promise.all(its.map((it) => it.next()));
          generated++;
        }
        await Promise.all(its.map((it) => it.return?.()));
        genS = (performance.now() - genStart) / 1000;
        const nPast = seqs[0].nextTokenIndex;
        this.log.note(`generated ${generated} tokens in ${genS.toFixed(3)} s, n_past = ${nPast}`);
        if (nPast !== step.fill_tokens + step.gen_tokens) {
          status = "failed";
          message = `expected ${step.fill_tokens + step.gen_tokens} tokens in the sequence, found ${nPast}`;
        }
        peakFields = await stage("generated");
        const fp = footprintText(process.pid);
        if (fp) writeFileSync(join(dir, "footprint.txt"), fp);
        await ctx.printTimings();
      } catch (err) {
        await fail(err, generated > 0 || filled > 0 ? "generation" : "the fill");
      }
    }
    if (peakFields === null) peakFields = await stage(status === "ok" ? "generated" : "failed");

    if (ctx) {
      const before = this.log.mark();
      await ctx.dispose();
      await this.settle(before, /~llama_context:.*compute buffer size/, 300);
    }
    await stage("freed");
    await smi?.stop();

    const lines = this.log.since(mark);
    const texts = lines.map((l) => l.text);
    const kv = kvSizeLines(texts);
    const nCtxAllocated = loggedNCtx(texts);
    const wallS = (performance.now() - start) / 1000;
    const nCtxSeqLogged = /llama_context: n_ctx_seq\s*=\s*(\d+)/.exec(
      texts.find((x) => /n_ctx_seq\s*=/.test(x)) ?? "",
    )?.[1];
    mem.push(
      [
        "RESULT",
        `n_ctx=${nCtxAllocated ?? step.n_ctx}`,
        `n_ctx_seq=${nCtxSeqLogged ?? step.n_ctx_seq}`,
        `n_batch=${step.n_batch}`,
        `n_ubatch=${step.n_ubatch}`,
        `n_vocab=${this.modelMeta?.nVocab ?? 0}`,
        `model_size=${this.modelMeta?.size ?? 0}`,
        ...(this.modelMeta?.nParams ? [`n_params=${this.modelMeta.nParams}`] : []),
        `fill_tokens=${filled}`,
        `fill_s=${fillS.toFixed(3)}`,
        `gen_tokens=${generated}`,
        `gen_s=${genS.toFixed(3)}`,
        `wall_s=${wallS.toFixed(3)}`,
      ].join(" "),
    );

    const preamble = [
      ...this.modelLines,
      {
        t: this.modelLines.at(-1)?.t ?? 0,
        level: "I" as const,
        text: "profile: the model was loaded once for the whole run; the lines above are that load, repeated in every case",
      },
    ];
    writeFileSync(join(dir, "llama.log"), [...preamble, ...lines].map(formatLine).join("\n") + "\n");
    writeFileSync(join(dir, "memprobe-stdout.txt"), mem.join("\n") + "\n");
    writeFileSync(join(dir, "command.txt"), command + "\n");

    const hwm = peakFields?.VmHWM;
    const maxrss = peakFields?.ru_maxrss;
    return {
      step,
      status,
      message,
      startUtc,
      endUtc: new Date().toISOString(),
      wallS,
      filled,
      fillS,
      generated,
      genS,
      nCtxAllocated,
      kvTypesSeen: kv.map((k) => ({ k: k.k, v: k.v ?? "" })),
      kvMiB: kv.length ? kv.reduce((a, k) => a + k.mib, 0) : undefined,
      kvPrinted: kv.map((k) => k.printed),
      peakRssBytes: hwm !== undefined ? hwm * 1024 : maxrss !== undefined ? maxrss * 1024 : undefined,
      peakRssSource:
        hwm !== undefined
          ? `/proc/self/status VmHWM at stage "generated"${peakReset ? " (peak reset through /proc/self/clear_refs before the step)" : " (peak NOT reset: includes earlier steps)"}`
          : maxrss !== undefined
            ? "process.resourceUsage().maxRSS (lifetime peak of the profiling process, includes earlier steps)"
            : undefined,
      peakDeviceUsedBytes: peakDevUsed,
      command,
      exitCode: status === "ok" ? 0 : 1,
    };
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
