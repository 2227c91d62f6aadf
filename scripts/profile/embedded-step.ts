/**
 * One step of the embedded runner as a small state machine: create a context of exactly the
 * requested size, check the cache types llama.cpp allocated, fill it with real decode batches,
 * decode a few tokens greedily, dispose it, and write the case's files (llama.log,
 * memprobe-stdout.txt, command.txt, footprint.txt on macOS). Allocation failures are a result.
 */
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatLine, type LogRecorder, type RecordedLine } from "./llama-log.ts";
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
import type { ProgressSink, StepResult } from "./types.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a step needs of the runner that loaded the model. */
export interface StepEnv {
  model: LlamaModel;
  log: LogRecorder;
  /** The runner's start (performance.now()), for stage times. */
  t0: number;
  /** llama.cpp's device name for MEM lines (CUDA0, MTL0, Vulkan0, CPU). */
  devName: string;
  nGpuLayers: number;
  threads: number;
  gpu: false | string;
  /** PROC line of the process before the model was loaded. */
  preLoadProc: string | null;
  modelLines: readonly RecordedLine[];
  modelMeta: { size: number; nParams: number; nVocab: number } | null;
  vramState(): Promise<{ total: number; free: number } | null>;
  /** Wait for a log line matching `marker` after line `start` (or `ms`). */
  settle(start: number, marker: RegExp, ms: number): Promise<void>;
}

/** The step's own arguments. */
export interface StepArgs {
  step: Step;
  dir: string;
  filler: readonly number[];
  progress: ProgressSink;
  command: string;
  signal: AbortSignal;
}

export class EmbeddedStep {
  private readonly env: StepEnv;
  private readonly a: StepArgs;
  private readonly mark: number;
  private readonly start = performance.now();
  private readonly startUtc = new Date().toISOString();
  /** The runtime's own RSS before the model existed: what a step's peak includes besides llama.cpp. */
  private readonly mem: string[];
  private peakDevUsed: number | undefined;
  private peakReset = false;
  private status: StepResult["status"] = "ok";
  private message: string | undefined;
  private filled = 0;
  private generated = 0;
  private fillS = 0;
  private genS = 0;
  private ctx: LlamaContext | null = null;
  private peakFields: Record<string, number> | null = null;

  constructor(env: StepEnv, args: StepArgs) {
    this.env = env;
    this.a = args;
    this.mark = env.log.mark();
    this.mem = env.preLoadProc ? [env.preLoadProc] : [];
  }

  private t(): number {
    return (performance.now() - this.env.t0) / 1000;
  }

  /** MEM (device) and PROC (process) lines at a named stage. */
  private async stage(name: string): Promise<Record<string, number>> {
    const { fields } = selfMemoryFields();
    const vs = await this.env.vramState();
    if (vs) {
      this.mem.push(memLine(name, this.t(), this.env.devName, vs.total, vs.free));
      if (name !== "freed") this.peakDevUsed = Math.max(this.peakDevUsed ?? 0, vs.total - vs.free);
    }
    this.mem.push(procLine(name, this.t(), fields));
    return fields;
  }

  private async fail(err: unknown, during: string): Promise<void> {
    await sleep(30);
    const lines = this.env.log.since(this.mark);
    const text = err instanceof Error ? err.message : String(err);
    const aborted = this.a.signal.aborted;
    this.status = aborted
      ? "failed"
      : classifyFailure(
          lines.map((l) => l.text),
          text,
        );
    const errs = errorLines(lines);
    this.message = aborted
      ? `interrupted during ${during}`
      : `${this.status === "did-not-fit" ? "did not fit" : "failed"} during ${during}: ${text}${errs.length ? ` | ${errs.join(" | ")}` : ""}`;
  }

  private async createContext(): Promise<void> {
    const { step } = this.a;
    this.a.progress.phase("creating context");
    try {
      this.ctx = await this.env.model.createContext({
        contextSize: step.n_ctx_seq,
        sequences: step.n_seq,
        batchSize: step.n_batch,
        flashAttention: step.flash_attn === "auto" ? "auto" : step.flash_attn === "on",
        experimentalKvCacheKeyType: step.type_k.toUpperCase() as never,
        experimentalKvCacheValueType: step.type_v.toUpperCase() as never,
        ignoreMemorySafetyChecks: true,
        failedCreationRemedy: false,
        performanceTracking: true,
        threads: this.env.threads,
      });
    } catch (err) {
      await this.fail(err, "context creation");
    }
    if (!this.ctx) return;
    await this.env.settle(this.mark, /sched_reserve: reserve took|compute buffer size/, 300);
    const texts = this.env.log.since(this.mark).map((l) => l.text);
    const mismatch = kvTypeMismatch(kvSizeLines(texts), step.type_k, step.type_v);
    if (mismatch) {
      this.status = "failed";
      this.message = mismatch;
      this.env.log.note(mismatch, "E");
    }
  }

  private tokensOf(s: number, n: number): Token[] {
    const { filler } = this.a;
    return Array.from({ length: n }, (_, i) => filler[(s * 7919 + i * 31) % filler.length] as Token);
  }

  /** Fill: all but the last token without logits, in chunks so progress can be shown. */
  private async fillBody(seqs: LlamaContextSequence[], fillStart: number): Promise<void> {
    const { step, signal, progress } = this.a;
    const chunk = Math.max(step.n_batch, 256);
    const body = step.gen_tokens > 0 ? step.fill_tokens - 1 : step.fill_tokens;
    let doneAll = 0;
    await Promise.all(
      seqs.map(async (seq, s) => {
        const toks = this.tokensOf(s, step.fill_tokens);
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
  }

  /** The fill, ending with the last fill token decoded with logits; returns the generation iterators. */
  private async fill(seqs: LlamaContextSequence[]) {
    const { step, progress } = this.a;
    progress.phase("filling");
    const fillStart = performance.now();
    await this.fillBody(seqs, fillStart);
    const its = seqs.map((seq, s) => {
      const last = this.tokensOf(s, step.fill_tokens)[step.fill_tokens - 1];
      return seq.evaluate([last], { temperature: 0 })[Symbol.asyncIterator]();
    });
    if (step.gen_tokens > 0) await Promise.all(its.map((it) => it.next()));
    this.fillS = (performance.now() - fillStart) / 1000;
    this.filled = step.fill_tokens;
    const rate = (this.filled * step.n_seq) / Math.max(this.fillS, 1e-9);
    progress.fill(step.fill_tokens * step.n_seq, step.fill_tokens * step.n_seq, rate);
    this.env.log.note(
      `filled ${this.filled} tokens${step.n_seq > 1 ? ` in each of ${step.n_seq} sequences` : ""} in ${this.fillS.toFixed(2)} s (${rate.toFixed(1)} t/s)`,
    );
    return its;
  }

  /** `gen` greedy single-token steps; the sequence must then hold fill + gen tokens. */
  private async generate(seqs: LlamaContextSequence[], its: Awaited<ReturnType<EmbeddedStep["fill"]>>): Promise<void> {
    const { step, signal } = this.a;
    this.a.progress.phase("generating");
    const genStart = performance.now();
    for (let g = 0; g < step.gen_tokens; g++) {
      if (signal.aborted) throw new Error("interrupted");
      await Promise.all(its.map((it) => it.next()));
      this.generated++;
    }
    await Promise.all(its.map((it) => it.return?.()));
    this.genS = (performance.now() - genStart) / 1000;
    const nPast = seqs[0].nextTokenIndex;
    this.env.log.note(`generated ${this.generated} tokens in ${this.genS.toFixed(3)} s, n_past = ${nPast}`);
    if (nPast !== step.fill_tokens + step.gen_tokens) {
      this.status = "failed";
      this.message = `expected ${step.fill_tokens + step.gen_tokens} tokens in the sequence, found ${nPast}`;
    }
  }

  private async decode(ctx: LlamaContext): Promise<void> {
    await this.stage("context_created");
    const seqs: LlamaContextSequence[] = [];
    for (let s = 0; s < this.a.step.n_seq; s++) seqs.push(ctx.getSequence());
    try {
      const its = await this.fill(seqs);
      await this.stage("filled");
      await this.generate(seqs, its);
      this.peakFields = await this.stage("generated");
      const fp = footprintText(process.pid);
      if (fp) writeFileSync(join(this.a.dir, "footprint.txt"), fp);
      await ctx.printTimings();
    } catch (err) {
      await this.fail(err, this.generated > 0 || this.filled > 0 ? "generation" : "the fill");
    }
  }

  /** The RESULT line of the memprobe format. */
  private resultLine(texts: string[], nCtxAllocated: number | undefined, wallS: number): string {
    const { step } = this.a;
    const meta = this.env.modelMeta;
    const nCtxSeqLogged = /llama_context: n_ctx_seq\s*=\s*(\d+)/.exec(
      texts.find((x) => /n_ctx_seq\s*=/.test(x)) ?? "",
    )?.[1];
    return [
      "RESULT",
      `n_ctx=${nCtxAllocated ?? step.n_ctx}`,
      `n_ctx_seq=${nCtxSeqLogged ?? step.n_ctx_seq}`,
      `n_batch=${step.n_batch}`,
      `n_ubatch=${step.n_ubatch}`,
      `n_vocab=${meta?.nVocab ?? 0}`,
      `model_size=${meta?.size ?? 0}`,
      ...(meta?.nParams ? [`n_params=${meta.nParams}`] : []),
      `fill_tokens=${this.filled}`,
      `fill_s=${this.fillS.toFixed(3)}`,
      `gen_tokens=${this.generated}`,
      `gen_s=${this.genS.toFixed(3)}`,
      `wall_s=${wallS.toFixed(3)}`,
    ].join(" ");
  }

  private writeFiles(lines: RecordedLine[]): void {
    const { dir, command } = this.a;
    const modelLines = this.env.modelLines;
    const preamble = [
      ...modelLines,
      {
        t: modelLines.at(-1)?.t ?? 0,
        level: "I" as const,
        text: "profile: the model was loaded once for the whole run; the lines above are that load, repeated in every case",
      },
    ];
    writeFileSync(join(dir, "llama.log"), [...preamble, ...lines].map(formatLine).join("\n") + "\n");
    writeFileSync(join(dir, "memprobe-stdout.txt"), this.mem.join("\n") + "\n");
    writeFileSync(join(dir, "command.txt"), command + "\n");
  }

  private peakRss(): Pick<StepResult, "peakRssBytes" | "peakRssSource"> {
    const hwm = this.peakFields?.VmHWM;
    const maxrss = this.peakFields?.ru_maxrss;
    return {
      peakRssBytes: hwm !== undefined ? hwm * 1024 : maxrss !== undefined ? maxrss * 1024 : undefined,
      peakRssSource:
        hwm !== undefined
          ? `/proc/self/status VmHWM at stage "generated"${this.peakReset ? " (peak reset through /proc/self/clear_refs before the step)" : " (peak NOT reset: includes earlier steps)"}`
          : maxrss !== undefined
            ? "process.resourceUsage().maxRSS (lifetime peak of the profiling process, includes earlier steps)"
            : undefined,
    };
  }

  /** Dispose the context, take the last stages, write the files and say what happened. */
  private async finish(smi: NvidiaSmiSampler | null): Promise<StepResult> {
    if (this.peakFields === null) this.peakFields = await this.stage(this.status === "ok" ? "generated" : "failed");
    if (this.ctx) {
      const before = this.env.log.mark();
      await this.ctx.dispose();
      await this.env.settle(before, /~llama_context:.*compute buffer size/, 300);
    }
    await this.stage("freed");
    await smi?.stop();
    const lines = this.env.log.since(this.mark);
    const texts = lines.map((l) => l.text);
    const kv = kvSizeLines(texts);
    const nCtxAllocated = loggedNCtx(texts);
    const wallS = (performance.now() - this.start) / 1000;
    this.mem.push(this.resultLine(texts, nCtxAllocated, wallS));
    this.writeFiles(lines);
    const { step, command } = this.a;
    const { status, message, filled, fillS, generated, genS } = this;
    return {
      step,
      status,
      message,
      startUtc: this.startUtc,
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
      ...this.peakRss(),
      peakDeviceUsedBytes: this.peakDevUsed,
      command,
      exitCode: status === "ok" ? 0 : 1,
    };
  }

  async run(): Promise<StepResult> {
    const { step, dir } = this.a;
    this.env.log.note(
      `n_ctx = ${step.n_ctx}, n_batch = ${step.n_batch}, n_ubatch = ${step.n_ubatch}, n_seq_max = ${step.n_seq}, ` +
        `type_k = ${step.type_k}, type_v = ${step.type_v}, flash_attn = ${step.flash_attn}, n_gpu_layers = ${this.env.nGpuLayers}, ` +
        `fill = ${step.fill_tokens} tokens, gen = ${step.gen_tokens} tokens`,
    );
    this.peakReset = resetPeakRss();
    await this.stage("start");
    const smi = this.env.gpu === "cuda" && nvidiaSmiAvailable() ? new NvidiaSmiSampler() : null;
    smi?.start(join(dir, "nvidia-smi.csv"), join(dir, "nvidia-smi-apps.csv"));
    if (smi) await smi.waitForSamples(3, 300, 30_000);
    await this.createContext();
    if (this.ctx && this.status === "ok") await this.decode(this.ctx);
    return this.finish(smi);
  }
}
