/**
 * One step of the server runner as a state object: start llama-server on a free loopback port,
 * wait for /health, check the allocated cache types, fill each slot through /completion, stop the
 * server (SIGTERM, then SIGKILL), and write the case's files. Allocation failures are a result.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, writeFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { freePort } from "../lib/free-port.ts";
import { exited, stopChild, track } from "./children.ts";
import { NvidiaSmiSampler, footprintText, nvidiaSmiAvailable, procLine, readProcStatus } from "./memory.ts";
import { classifyFailure, kvSizeLines, kvTypeMismatch, loggedNCtx } from "./outcome.ts";
import type { Step } from "./plan.ts";
import { httpJson, serverArgs, shellQuote, type ServerOptions } from "./server-http.ts";
import type { ProgressSink, StepResult } from "./types.ts";

/** llama.cpp's common-log prefix (timestamp and level), stripped from quoted lines. */
const LOG_PREFIX = /^\d+\.\d{2}\.\d{3}\.\d{3} [A-Z] /;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CompletionResult {
  tokens_evaluated?: number;
  tokens_predicted?: number;
  timings?: { prompt_n?: number; prompt_ms?: number; predicted_n?: number; predicted_ms?: number };
}

type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

export interface ServerStepArgs {
  step: Step;
  dir: string;
  filler: readonly number[];
  o: ServerOptions;
  progress: ProgressSink;
  signal: AbortSignal;
}

export class ServerStep {
  private readonly a: ServerStepArgs;
  private readonly startUtc = new Date().toISOString();
  private readonly start = performance.now();
  private command = "";
  private base = "";
  private readonly tail: string[] = [];
  private readonly all: string[] = [];
  private pending = "";
  private logFile: WriteStream | null = null;
  private child: ChildProcess | null = null;
  private spawnError: Error | null = null;
  private readonly mem: string[] = [];
  private peak: Record<string, number> | null = null;
  private status: StepResult["status"] = "ok";
  private message: string | undefined;
  private filled = 0;
  private generated = 0;
  private fillS = 0;
  private genS = 0;
  private exitInfo: ExitInfo | null = null;
  private exitPromise: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });

  constructor(args: ServerStepArgs) {
    this.a = args;
  }

  private t(): number {
    return (performance.now() - this.start) / 1000;
  }

  private onData(chunk: Buffer): void {
    this.logFile!.write(chunk);
    const s = this.pending + chunk.toString("utf8");
    const parts = s.split("\n");
    this.pending = parts.pop() ?? "";
    for (const p of parts) {
      this.all.push(p);
      this.tail.push(p);
      if (this.tail.length > 40) this.tail.shift();
    }
  }

  /** A PROC line of the server process at a stage. */
  private sample(stage: string): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    const f = readProcStatus(pid);
    if (f) {
      this.mem.push(procLine(stage, this.t(), f));
      this.peak = f;
    }
  }

  /** Spawn llama-server with stdout/stderr into llama.log; returns the /proc poller. */
  private spawnServer(args: string[]): NodeJS.Timeout {
    const { o, step, dir, progress } = this.a;
    this.logFile = createWriteStream(join(dir, "llama.log"));
    progress.phase("starting llama-server");
    o.note(`${step.name}: ${this.command}`);
    const child = track(spawn(o.server, args, { stdio: ["ignore", "pipe", "pipe"] }));
    this.child = child;
    child.stdout!.on("data", (c: Buffer) => this.onData(c));
    child.stderr!.on("data", (c: Buffer) => this.onData(c));
    child.on("error", (e) => {
      this.spawnError = e;
    });
    const poller = setInterval(() => {
      if (child.pid !== undefined) {
        const f = readProcStatus(child.pid);
        if (f) this.peak = f;
      }
    }, 100);
    this.exitPromise = exited(child).then((e) => {
      this.exitInfo = e;
      return e;
    });
    return poller;
  }

  /** Wait for /health = 200, or for the process to give up (false). */
  private async waitReady(): Promise<boolean> {
    const { o, signal } = this.a;
    const deadline = Date.now() + o.loadTimeoutMs;
    let ready = false;
    while (!ready) {
      if (this.spawnError) throw new Error(`cannot start ${o.server}: ${this.spawnError.message}`);
      if (this.exitInfo) break;
      if (signal.aborted) throw new Error("interrupted");
      if (Date.now() > deadline)
        throw new Error(`llama-server did not become ready within ${o.loadTimeoutMs / 1000} s`);
      try {
        const r = await httpJson(
          `${this.base}/health`,
          undefined,
          AbortSignal.any([signal, AbortSignal.timeout(2000)]),
        );
        ready = r.status === 200;
      } catch {
        /* not listening yet */
      }
      if (!ready) await Promise.race([sleep(100), this.exitPromise]);
    }
    return ready;
  }

  /** The server exited before it was ready: did it fail to allocate, and what did it say last? */
  private async exitedEarly(): Promise<void> {
    await sleep(50);
    const e = this.exitInfo;
    this.status = classifyFailure(this.all);
    const bare = this.tail.map((l) => l.replace(LOG_PREFIX, "").trim());
    this.message = `llama-server exited (${e?.signal ?? `code ${e?.code}`}) before it was ready: ${
      bare
        .filter((l) => /error|fail|unable|alloc/i.test(l))
        .slice(-4)
        .join(" | ") || bare.slice(-3).join(" | ")
    }`;
  }

  /** One /completion per slot with a prompt of `fill` token ids. */
  private completions(): Promise<CompletionResult[]> {
    const { step, filler, signal } = this.a;
    return Promise.all(
      Array.from({ length: step.n_seq }, async (_, s) => {
        const prompt = Array.from({ length: step.fill_tokens }, (_, i) => filler[(s * 7919 + i * 31) % filler.length]);
        const r = await httpJson(
          `${this.base}/completion`,
          {
            prompt,
            n_predict: step.gen_tokens,
            ignore_eos: true,
            cache_prompt: false,
            temperature: 0,
            id_slot: s,
            stream: false,
          },
          signal,
        );
        if (r.status !== 200) throw new Error(`/completion answered HTTP ${r.status}: ${r.text.slice(0, 300)}`);
        return r.json as CompletionResult;
      }),
    );
  }

  /** Fill every slot and generate; the counts the server reports must be the ones asked. */
  private async fill(): Promise<void> {
    const { step, progress, dir } = this.a;
    progress.phase(
      `filling (${step.n_seq > 1 ? `${step.n_seq} slots × ` : ""}${step.fill_tokens} tokens through /completion)`,
    );
    progress.fill(0, step.fill_tokens * step.n_seq, 0);
    const fillStart = performance.now();
    const results = await this.completions();
    const wall = (performance.now() - fillStart) / 1000;
    this.filled = Math.min(...results.map((r) => r.timings?.prompt_n ?? r.tokens_evaluated ?? 0));
    this.generated = Math.min(...results.map((r) => r.timings?.predicted_n ?? r.tokens_predicted ?? 0));
    const promptMs = Math.max(...results.map((r) => r.timings?.prompt_ms ?? 0));
    const predMs = Math.max(...results.map((r) => r.timings?.predicted_ms ?? 0));
    this.fillS = promptMs > 0 ? promptMs / 1000 : wall;
    this.genS = predMs / 1000;
    const total = step.fill_tokens * step.n_seq;
    progress.fill(this.filled * step.n_seq, total, (this.filled * step.n_seq) / Math.max(this.fillS, 1e-9));
    this.sample("generated");
    const fp = this.child?.pid !== undefined ? footprintText(this.child.pid) : null;
    if (fp) writeFileSync(join(dir, "footprint.txt"), fp);
    if (this.filled !== step.fill_tokens || this.generated !== step.gen_tokens) {
      this.status = "failed";
      this.message = `llama-server evaluated ${this.filled} prompt tokens and generated ${this.generated} (asked ${step.fill_tokens} and ${step.gen_tokens})`;
    }
  }

  /** Start, wait, check the cache types, fill. */
  private async drive(): Promise<void> {
    const { step } = this.a;
    this.sample("start");
    if (!(await this.waitReady())) return this.exitedEarly();
    this.sample("context_created");
    const mismatch = kvTypeMismatch(kvSizeLines(this.all), step.type_k, step.type_v);
    if (mismatch) {
      this.status = "failed";
      this.message = mismatch;
      return;
    }
    await this.fill();
  }

  /** Stop the server (SIGTERM, then SIGKILL after the timeout) and close the files. */
  private async stop(poller: NodeJS.Timeout, smi: NvidiaSmiSampler | null): Promise<void> {
    const { o, step, progress } = this.a;
    clearInterval(poller);
    progress.phase("stopping llama-server");
    const stop = await stopChild(this.child!, o.stopTimeoutMs);
    this.exitInfo = { code: stop.code, signal: stop.signal };
    if (stop.killed)
      o.note(`${step.name}: llama-server ignored SIGTERM for ${o.stopTimeoutMs} ms; killed with SIGKILL`);
    await smi?.stop();
    await new Promise<void>((r) => this.logFile!.end(() => r()));
  }

  private result(): StepResult {
    const { step, dir } = this.a;
    const all = this.all;
    if (this.peak) this.mem.push(procLine("peak", this.t(), this.peak));
    writeFileSync(
      join(dir, "memprobe-stdout.txt"),
      [
        ...this.mem,
        `RESULT n_ctx=${loggedNCtx(all) ?? step.n_ctx} n_batch=${step.n_batch} n_ubatch=${step.n_ubatch} fill_tokens=${this.filled} fill_s=${this.fillS.toFixed(3)} gen_tokens=${this.generated} gen_s=${this.genS.toFixed(3)} wall_s=${this.t().toFixed(3)}`,
      ].join("\n") + "\n",
    );
    const kv = kvSizeLines(all);
    const hwm = this.peak?.VmHWM;
    const ex = this.exitInfo;
    return {
      step,
      status: this.status,
      message: this.message,
      startUtc: this.startUtc,
      endUtc: new Date().toISOString(),
      wallS: this.t(),
      filled: this.filled,
      fillS: this.fillS,
      generated: this.generated,
      genS: this.genS,
      nCtxAllocated: loggedNCtx(all),
      kvTypesSeen: kv.map((k) => ({ k: k.k, v: k.v ?? "" })),
      kvMiB: kv.length ? kv.reduce((a, k) => a + k.mib, 0) : undefined,
      kvPrinted: kv.map((k) => k.printed),
      peakRssBytes: hwm !== undefined ? hwm * 1024 : undefined,
      peakRssSource:
        hwm !== undefined ? `/proc/<llama-server pid>/status VmHWM, last sample before SIGTERM` : undefined,
      command: this.command,
      exitCode: ex?.code ?? (ex?.signal ? 128 : 0),
    };
  }

  async run(): Promise<StepResult> {
    const { o, step, dir, signal } = this.a;
    const port = await freePort();
    const args = serverArgs(step, o, port);
    this.command = shellQuote([o.server, ...args]);
    writeFileSync(join(dir, "command.txt"), this.command + "\n");
    this.base = `http://127.0.0.1:${port}`;
    const smi = nvidiaSmiAvailable() ? new NvidiaSmiSampler() : null;
    smi?.start(join(dir, "nvidia-smi.csv"), join(dir, "nvidia-smi-apps.csv"));
    // A few samples before the server starts, however late the sampler starts on a loaded machine.
    if (smi) await smi.waitForSamples(3, 300, 30_000);
    const poller = this.spawnServer(args);
    try {
      await this.drive();
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      await sleep(50);
      this.status = signal.aborted ? "failed" : classifyFailure(this.all, text);
      this.message = signal.aborted ? "interrupted" : text;
    } finally {
      await this.stop(poller, smi);
    }
    if (this.pending) this.all.push(this.pending);
    return this.result();
  }
}
