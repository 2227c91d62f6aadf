/**
 * A pool of worker threads that turn plain data into markup, so a build uses every core: drawing
 * run charts with Plot on the virtual DOM (~50 000 charts for 10 000 runs) and the rest of a run
 * page's heavy part (src/views/runs/run-body.ts) are pure and independent per run, while Astro
 * renders pages on the main thread. With several pages in flight (astro.config's
 * build.concurrency), the main thread renders other pages while the workers draw.
 *
 * A worker file answers each message (the job) with `{ result }` or `{ error }`.
 * `CC_CHART_WORKERS`: how many workers (default: the available cores, less the pool's spare ones;
 * 0 = draw inline).
 */
import { existsSync } from "node:fs";
import os from "node:os";
import { Worker } from "node:worker_threads";

export const CHART_WORKERS_ENV = "CC_CHART_WORKERS";
const MAX_WORKERS = 64;

/**
 * Workers to start: CC_CHART_WORKERS if set (a whole number 0–64), else one per core less `spare`
 * (cores left to the main thread), at least one.
 */
export function chartWorkerCount(
  env: NodeJS.ProcessEnv = process.env,
  cores = os.availableParallelism(),
  spare = 0,
): number {
  const raw = env[CHART_WORKERS_ENV]?.trim();
  if (raw === undefined || raw === "") return Math.min(Math.max(1, cores - spare), MAX_WORKERS);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORKERS)
    throw new Error(`${CHART_WORKERS_ENV}=${raw}: expected a whole number from 0 to ${MAX_WORKERS}`);
  return n;
}

interface Job<In, Out> {
  inputs: In;
  resolve: (result: Out) => void;
  reject: (e: Error) => void;
}

/** A fixed-size pool; idle workers are unref'd so they never keep a finished build alive. */
export class ChartPool<In = unknown, Out = string> {
  private readonly file: string;
  private readonly size: number;
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly queue: Job<In, Out>[] = [];
  private readonly running = new Map<Worker, Job<In, Out>>();

  constructor(file: string, size: number) {
    this.file = file;
    this.size = size;
  }

  draw(inputs: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts the workers now rather than at the first job: a worker takes a few hundred
   * milliseconds to load its modules, which otherwise the first pages would wait for.
   */
  start(): void {
    while (this.workers.size < this.size) {
      const w = this.spawn();
      this.idle.push(w);
      w.unref();
    }
  }

  /** Workers started and not stopped. */
  get started(): number {
    return this.workers.size;
  }

  /** Stops every worker (tests; a build simply exits). */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.terminate()));
    this.workers.clear();
    this.idle.length = 0;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const w = this.idle.pop() ?? (this.workers.size < this.size ? this.spawn() : undefined);
      if (!w) return;
      const job = this.queue.shift()!;
      this.running.set(w, job);
      w.ref();
      w.postMessage(job.inputs);
    }
  }

  private spawn(): Worker {
    // a worker inherits the parent's flags; `--input-type` (a build started with `node -e`, as the
    // e2e helpers do) is refused for a file entry point, so it is left out — only then, as an
    // explicit list must hold nothing but flags a worker accepts
    const flags = process.execArgv;
    const w = flags.some((a) => a.startsWith("--input-type"))
      ? new Worker(this.file, { execArgv: flags.filter((a) => !a.startsWith("--input-type")) })
      : new Worker(this.file);
    w.on("message", (msg: { result?: Out; error?: string }) => {
      const job = this.running.get(w);
      this.running.delete(w);
      this.idle.push(w);
      w.unref();
      if (msg.error !== undefined) job?.reject(new Error(`chart worker: ${msg.error}`));
      else job?.resolve(msg.result as Out);
      this.pump();
    });
    w.on("error", (e) => {
      const job = this.running.get(w);
      this.running.delete(w);
      this.workers.delete(w);
      job?.reject(e);
      this.pump();
    });
    this.workers.add(w);
    return w;
  }
}

const shared = new Map<string, ChartPool<never, unknown> | null>();

/**
 * The build's pool for `file` (one per worker file), or null to work inline: 0 workers, a Node
 * without type stripping, or no such file where the build runs. `spare`: cores left to the main
 * thread (chartWorkerCount).
 */
export function sharedPool<In, Out = string>(file: string, spare = 0): ChartPool<In, Out> | null {
  if (!shared.has(file)) {
    const n = chartWorkerCount(process.env, os.availableParallelism(), spare);
    const canStrip = (process.features as { typescript?: unknown }).typescript;
    shared.set(file, n > 0 && canStrip && existsSync(file) ? new ChartPool<never, unknown>(file, n) : null);
  }
  return shared.get(file) as ChartPool<In, Out> | null;
}
