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
import { spawn } from "node:child_process";
import { createWriteStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import { track, stopChild, exited } from "./children.ts";
import { NvidiaSmiSampler, footprintText, nvidiaSmiAvailable, procLine, readProcStatus } from "./memory.ts";
import { classifyFailure, kvSizeLines, kvTypeMismatch, loggedNCtx } from "./outcome.ts";
import type { Step } from "./plan.ts";
import type { ProgressSink, StepResult } from "./types.ts";
import { freePort } from "../lib/free-port.ts";

/** llama.cpp's common-log prefix (timestamp and level), stripped from quoted lines. */
const LOG_PREFIX = /^\d+\.\d{2}\.\d{3}\.\d{3} [A-Z] /;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServerOptions {
  server: string;
  model: string;
  extraArgs: string[];
  stopTimeoutMs: number;
  /** How long the server may take to load the model and answer /health. */
  loadTimeoutMs: number;
  /** Driver log (provenance/profile.log). */
  note: (text: string) => void;
}

export function serverArgs(step: Step, o: Pick<ServerOptions, "model" | "extraArgs">, port: number): string[] {
  return [
    "-m",
    o.model,
    "-c",
    String(step.n_ctx),
    "-ctk",
    step.type_k,
    "-ctv",
    step.type_v,
    "-fa",
    step.flash_attn,
    "-np",
    String(step.n_seq),
    "-ub",
    String(step.n_ubatch),
    "-b",
    String(step.n_batch),
    "-fit",
    "off",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    ...o.extraArgs,
  ];
}

/** POSIX shell quoting, for command.txt. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

interface CompletionResult {
  tokens_evaluated?: number;
  tokens_predicted?: number;
  timings?: { prompt_n?: number; prompt_ms?: number; predicted_n?: number; predicted_ms?: number };
}

async function httpJson(
  url: string,
  body: unknown,
  signal: AbortSignal,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? undefined : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: keep the text for the message */
  }
  return { status: res.status, json, text };
}

export async function runServerStep(
  step: Step,
  dir: string,
  filler: readonly number[],
  o: ServerOptions,
  progress: ProgressSink,
  signal: AbortSignal,
): Promise<StepResult> {
  const startUtc = new Date().toISOString();
  const start = performance.now();
  const t = () => (performance.now() - start) / 1000;
  const port = await freePort();
  const args = serverArgs(step, o, port);
  const command = shellQuote([o.server, ...args]);
  writeFileSync(join(dir, "command.txt"), command + "\n");
  const base = `http://127.0.0.1:${port}`;

  const smi = nvidiaSmiAvailable() ? new NvidiaSmiSampler() : null;
  smi?.start(join(dir, "nvidia-smi.csv"), join(dir, "nvidia-smi-apps.csv"));
  // A few samples before the server starts, however late the sampler starts on a loaded machine.
  if (smi) await smi.waitForSamples(3, 300, 30_000);

  const logFile = createWriteStream(join(dir, "llama.log"));
  const tail: string[] = [];
  const all: string[] = [];
  let pending = "";
  const onData = (chunk: Buffer) => {
    logFile.write(chunk);
    const s = pending + chunk.toString("utf8");
    const parts = s.split("\n");
    pending = parts.pop() ?? "";
    for (const p of parts) {
      all.push(p);
      tail.push(p);
      if (tail.length > 40) tail.shift();
    }
  };

  progress.phase("starting llama-server");
  o.note(`${step.name}: ${command}`);
  const child = track(spawn(o.server, args, { stdio: ["ignore", "pipe", "pipe"] }));
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  let spawnError: Error | null = null;
  child.on("error", (e) => {
    spawnError = e;
  });

  const mem: string[] = [];
  let peak: Record<string, number> | null = null;
  const sample = (stage: string) => {
    if (child.pid === undefined) return;
    const f = readProcStatus(child.pid);
    if (f) {
      mem.push(procLine(stage, t(), f));
      peak = f;
    }
  };
  const poller = setInterval(() => {
    if (child.pid !== undefined) {
      const f = readProcStatus(child.pid);
      if (f) peak = f;
    }
  }, 100);

  let status: StepResult["status"] = "ok";
  let message: string | undefined;
  let filled = 0;
  let generated = 0;
  let fillS = 0;
  let genS = 0;
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = exited(child).then((e) => {
    exitInfo = e;
    return e;
  });

  try {
    sample("start");
    // Wait for /health = 200, or for the process to give up.
    const deadline = Date.now() + o.loadTimeoutMs;
    let ready = false;
    while (!ready) {
      if (spawnError) throw new Error(`cannot start ${o.server}: ${(spawnError as Error).message}`);
      if (exitInfo) break;
      if (signal.aborted) throw new Error("interrupted");
      if (Date.now() > deadline)
        throw new Error(`llama-server did not become ready within ${o.loadTimeoutMs / 1000} s`);
      try {
        const r = await httpJson(`${base}/health`, undefined, AbortSignal.any([signal, AbortSignal.timeout(2000)]));
        ready = r.status === 200;
      } catch {
        /* not listening yet */
      }
      if (!ready) await Promise.race([sleep(100), exitPromise]);
    }
    if (!ready) {
      await sleep(50);
      const e = exitInfo as { code: number | null; signal: NodeJS.Signals | null } | null;
      status = classifyFailure(all);
      const bare = tail.map((l) => l.replace(LOG_PREFIX, "").trim());
      message = `llama-server exited (${e?.signal ?? `code ${e?.code}`}) before it was ready: ${
        bare
          .filter((l) => /error|fail|unable|alloc/i.test(l))
          .slice(-4)
          .join(" | ") || bare.slice(-3).join(" | ")
      }`;
    } else {
      sample("context_created");
      const mismatch = kvTypeMismatch(kvSizeLines(all), step.type_k, step.type_v);
      if (mismatch) {
        status = "failed";
        message = mismatch;
      } else {
        progress.phase(
          `filling (${step.n_seq > 1 ? `${step.n_seq} slots × ` : ""}${step.fill_tokens} tokens through /completion)`,
        );
        progress.fill(0, step.fill_tokens * step.n_seq, 0);
        const fillStart = performance.now();
        const results = await Promise.all(
          Array.from({ length: step.n_seq }, async (_, s) => {
            const prompt = Array.from(
              { length: step.fill_tokens },
              (_, i) => filler[(s * 7919 + i * 31) % filler.length],
            );
            const r = await httpJson(
              `${base}/completion`,
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
        const wall = (performance.now() - fillStart) / 1000;
        filled = Math.min(...results.map((r) => r.timings?.prompt_n ?? r.tokens_evaluated ?? 0));
        generated = Math.min(...results.map((r) => r.timings?.predicted_n ?? r.tokens_predicted ?? 0));
        const promptMs = Math.max(...results.map((r) => r.timings?.prompt_ms ?? 0));
        const predMs = Math.max(...results.map((r) => r.timings?.predicted_ms ?? 0));
        fillS = promptMs > 0 ? promptMs / 1000 : wall;
        genS = predMs / 1000;
        progress.fill(
          filled * step.n_seq,
          step.fill_tokens * step.n_seq,
          (filled * step.n_seq) / Math.max(fillS, 1e-9),
        );
        sample("generated");
        const fp = child.pid !== undefined ? footprintText(child.pid) : null;
        if (fp) writeFileSync(join(dir, "footprint.txt"), fp);
        if (filled !== step.fill_tokens || generated !== step.gen_tokens) {
          status = "failed";
          message = `llama-server evaluated ${filled} prompt tokens and generated ${generated} (asked ${step.fill_tokens} and ${step.gen_tokens})`;
        }
      }
    }
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    await sleep(50);
    status = signal.aborted ? "failed" : classifyFailure(all, text);
    message = signal.aborted ? "interrupted" : text;
  } finally {
    clearInterval(poller);
    progress.phase("stopping llama-server");
    const stop = await stopChild(child, o.stopTimeoutMs);
    exitInfo = { code: stop.code, signal: stop.signal };
    if (stop.killed)
      o.note(`${step.name}: llama-server ignored SIGTERM for ${o.stopTimeoutMs} ms; killed with SIGKILL`);
    await smi?.stop();
    await new Promise<void>((r) => logFile.end(() => r()));
  }
  if (pending) all.push(pending);

  if (peak) mem.push(procLine("peak", t(), peak));
  writeFileSync(
    join(dir, "memprobe-stdout.txt"),
    [
      ...mem,
      `RESULT n_ctx=${loggedNCtx(all) ?? step.n_ctx} n_batch=${step.n_batch} n_ubatch=${step.n_ubatch} fill_tokens=${filled} fill_s=${fillS.toFixed(3)} gen_tokens=${generated} gen_s=${genS.toFixed(3)} wall_s=${t().toFixed(3)}`,
    ].join("\n") + "\n",
  );

  const kv = kvSizeLines(all);
  const hwm = (peak as Record<string, number> | null)?.VmHWM;
  const ex = exitInfo as { code: number | null; signal: NodeJS.Signals | null } | null;
  return {
    step,
    status,
    message,
    startUtc,
    endUtc: new Date().toISOString(),
    wallS: t(),
    filled,
    fillS,
    generated,
    genS,
    nCtxAllocated: loggedNCtx(all),
    kvTypesSeen: kv.map((k) => ({ k: k.k, v: k.v ?? "" })),
    kvMiB: kv.length ? kv.reduce((a, k) => a + k.mib, 0) : undefined,
    kvPrinted: kv.map((k) => k.printed),
    peakRssBytes: hwm !== undefined ? hwm * 1024 : undefined,
    peakRssSource: hwm !== undefined ? `/proc/<llama-server pid>/status VmHWM, last sample before SIGTERM` : undefined,
    command,
    exitCode: ex?.code ?? (ex?.signal ? 128 : 0),
  };
}
