/**
 * Test harness over node-llama-cpp 3.22.1: real llama.cpp (the prebuilt CPU binary, tree de3ff81)
 * loads a GGUF, creates contexts with exactly the requested parameters, and hands back every
 * log line llama.cpp printed while doing so, parsed into the KV / recurrent / compute figures.
 *
 * Two ways to create a context:
 * - `api: "addon"` (default) talks to the library's native context class directly, so the
 *   parameters reach `llama_init_from_model` unchanged: `nCtx` is llama.cpp's total n_ctx (its
 *   own 256-padding and per-stream rounding apply), n_batch = n_ubatch = `nBatch`, `nSeq` streams.
 * - `api: "public"` uses `LlamaModel.createContext` as an app would; node-llama-cpp then treats the
 *   size as per sequence (n_ctx = PAD(nCtx / nSeq, 256) × nSeq) and adds 1 to the batch of
 *   sliding-window models. The log says what llama.cpp finally got.
 * Neither way can ask for a unified KV cache: the library hard-codes `kv_unified = false`.
 *
 * KV types are GGML type names in any case (`q8_0`, `Q8_0`) or ids: the library silently ignores
 * lower-case names, so the harness passes numeric ids and checks the log shows the type asked for.
 */
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import type { Llama, LlamaModel, Token } from "node-llama-cpp";
import { ggmlTypeById, ggmlTypeByName } from "../../src/lib/gguf/ggml-types.ts";

export interface LogLine {
  level: string;
  text: string;
}

/** `llama_kv_cache: size = … MiB (cells, layers, seqs), K (t): … MiB, V (t): … MiB`. */
export interface KvSizeLine {
  mib: number;
  cells: number;
  layers: number;
  seqs: number;
  streams: number;
  typeK: string;
  kMib: number;
  typeV: string;
  vMib: number;
  /** The printed numbers verbatim, for exact string comparison ("6.12"). */
  raw: { mib: string; kMib: string; vMib: string };
}

/** `llama_memory_recurrent: size = … MiB (cells, layers, seqs rs_seq), R (t): …, S (t): …`. */
export interface RsSizeLine {
  mib: number;
  cells: number;
  layers: number;
  seqs: number;
  rsSeq: number;
  typeR: string;
  rMib: number;
  typeS: string;
  sMib: number;
  raw: { mib: string; rMib: string; sMib: string };
}

export interface ContextParamsLog {
  n_seq_max: number;
  n_ctx: number;
  n_ctx_seq: number;
  n_batch: number;
  n_ubatch: number;
  flash_attn: string;
  kv_unified: string;
  n_rs_seq?: number;
}

export interface ContextRequest {
  /** n_ctx as llama.cpp takes it (total over sequences); with api "public", must divide by nSeq. */
  nCtx: number;
  /** n_seq_max (parallel sequences, one KV stream each). Default 1. */
  nSeq?: number;
  /** n_batch; node-llama-cpp sets n_ubatch to the same value. Default 512. */
  nBatch?: number;
  flashAttention?: "on" | "off" | "auto";
  typeK?: string | number;
  typeV?: string | number;
  swaFull?: boolean;
  /** Tokens to decode on sequence 0 after creation (proves the context works). Default 0. */
  decode?: number;
  api?: "addon" | "public";
}

export interface ContextResult {
  ok: boolean;
  /** Why creation failed, from the exception and llama.cpp's error lines. */
  error?: string;
  /** Every line llama.cpp logged from context creation through its disposal, verbatim. */
  lines: string[];
  params?: ContextParamsLog;
  kv: KvSizeLine[];
  /** `creating non-SWA / SWA KV cache, size = N cells` lines, in order. */
  iswa: { kind: "non-SWA" | "SWA"; cells: number }[];
  rs: RsSizeLine[];
  /** `… compute buffer size = X MiB` (last reserve) per backend. */
  compute: { backend: string; mib: number }[];
  /** The destructor's 4-decimal compute buffer check, per backend (MiB). */
  computeExact: { backend: string; mib: number }[];
  /** Host bytes of context (KV + RS buffers) + compute, from llama.cpp's memory breakdown. */
  breakdownCpuBytes?: number;
  /** Tokens decoded successfully. */
  decoded: number;
}

const NUM = String.raw`([0-9]+(?:\.[0-9]+)?)`;
const KV_RE = new RegExp(
  String.raw`llama_kv_cache: size =\s*${NUM} MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+)/(\d+) seqs\), K \((\w+)\):\s*${NUM} MiB, V \((\w+)\):\s*${NUM} MiB`,
);
const RS_RE = new RegExp(
  String.raw`llama_memory_recurrent: size =\s*${NUM} MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+) seqs\s+(\d+) rs_seq\), R \((\w+)\):\s*${NUM} MiB, S \((\w+)\):\s*${NUM} MiB`,
);
const ISWA_RE = /llama_kv_cache_iswa: creating\s+(non-SWA|SWA) KV cache, size = (\d+) cells/;
const COMPUTE_RE = new RegExp(String.raw`sched_reserve:\s*(\S+) compute buffer size =\s*${NUM} MiB`);
const COMPUTE_EXACT_RE = new RegExp(String.raw`~llama_context:\s*(\S+) compute buffer size is\s*${NUM} MiB`);
const PARAM_RE =
  /llama_context: (n_seq_max|n_ctx|n_ctx_seq|n_batch|n_ubatch|flash_attn|kv_unified|n_rs_seq)\s*=\s*(\S+)/;

/** Captures 1–4 of KV_RE and RS_RE: total MiB, cells, layers, seqs. */
function sizeCounts(m: RegExpExecArray): Pick<KvSizeLine, "mib" | "cells" | "layers" | "seqs"> {
  return { mib: Number(m[1]), cells: Number(m[2]), layers: Number(m[3]), seqs: Number(m[4]) };
}

export function parseKvSizeLine(line: string): KvSizeLine | undefined {
  const m = KV_RE.exec(line);
  if (!m) return undefined;
  const [, mib, , , , streams, typeK, kMib, typeV, vMib] = m;
  return { ...sizeCounts(m), streams: +streams, typeK, kMib: +kMib, typeV, vMib: +vMib, raw: { mib, kMib, vMib } };
}

export function parseRsSizeLine(line: string): RsSizeLine | undefined {
  const m = RS_RE.exec(line);
  if (!m) return undefined;
  const [, mib, , , , rsSeq, typeR, rMib, typeS, sMib] = m;
  return { ...sizeCounts(m), rsSeq: +rsSeq, typeR, rMib: +rMib, typeS, sMib: +sMib, raw: { mib, rMib, sMib } };
}

/** Parse the figures of interest out of a run's verbatim lines. */
export function parseContextLines(
  lines: readonly string[],
): Omit<ContextResult, "ok" | "error" | "lines" | "breakdownCpuBytes" | "decoded"> {
  const kv: KvSizeLine[] = [];
  const rs: RsSizeLine[] = [];
  const iswa: ContextResult["iswa"] = [];
  let compute: ContextResult["compute"] = [];
  const computeExact: ContextResult["computeExact"] = [];
  const p: Record<string, string> = {};
  let sawReserve = false;
  for (const line of lines) {
    const k = parseKvSizeLine(line);
    if (k) kv.push(k);
    const r = parseRsSizeLine(line);
    if (r) rs.push(r);
    const i = ISWA_RE.exec(line);
    if (i) iswa.push({ kind: i[1] as "non-SWA" | "SWA", cells: Number(i[2]) });
    if (/sched_reserve: reserving \.\.\./.test(line)) sawReserve = true;
    const c = COMPUTE_RE.exec(line);
    if (c) {
      // each reserve prints a fresh set; keep the last one
      if (sawReserve) {
        compute = [];
        sawReserve = false;
      }
      compute.push({ backend: c[1], mib: Number(c[2]) });
    }
    const ce = COMPUTE_EXACT_RE.exec(line);
    if (ce) computeExact.push({ backend: ce[1], mib: Number(ce[2]) });
    const pm = PARAM_RE.exec(line);
    if (pm && !(pm[1] in p)) p[pm[1]] = pm[2];
  }
  const params: ContextParamsLog | undefined =
    p.n_ctx === undefined
      ? undefined
      : {
          n_seq_max: Number(p.n_seq_max),
          n_ctx: Number(p.n_ctx),
          n_ctx_seq: Number(p.n_ctx_seq),
          n_batch: Number(p.n_batch),
          n_ubatch: Number(p.n_ubatch),
          flash_attn: p.flash_attn,
          kv_unified: p.kv_unified,
          ...(p.n_rs_seq !== undefined ? { n_rs_seq: Number(p.n_rs_seq) } : {}),
        };
  return { params, kv, iswa, rs, compute, computeExact };
}

/**
 * printf("%.2f", bytes / 2^20) exactly: the quotient is exact in binary, and glibc rounds an exact
 * tie to even (2,228,224 B = 2.125 MiB prints "2.12"; JavaScript's toFixed would say "2.13").
 */
export function mib2(bytes: number | bigint): string {
  const b = BigInt(bytes);
  if (b < 0n) return `-${mib2(-b)}`;
  const den = 1048576n;
  const num = b * 100n;
  let q = num / den;
  const r = num % den;
  if (2n * r > den || (2n * r === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(3, "0");
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

function typeId(t: string | number): number {
  return typeof t === "number" ? ggmlTypeById(t).id : ggmlTypeByName(t).id;
}

function typeName(t: string | number): string {
  return typeof t === "number" ? ggmlTypeById(t).name : ggmlTypeByName(t).name;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * llama.cpp's log lines reach JS from a native thread, some time after the call that made them.
 * The harness waits for the line that ends each step (a marker), so this limit only decides how
 * slow a loaded machine may be before the lines are taken as they are.
 */
const SETTLE_MS = 30_000;

/* The addon's native context, which node-llama-cpp does not export a type for. */
interface NativeContext {
  init(): Promise<boolean>;
  dispose(): Promise<void>;
  getContextSize(): number;
  getMemoryBreakdown(): { cpuRam: number; gpuVram: number };
  initBatch(size: number): void;
  addToBatch(seq: number, first: number, tokens: Uint32Array, logits: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
}
interface NativeBindings {
  AddonContext: new (model: unknown, params: Record<string, unknown>) => NativeContext;
}

export class LlamaCppHarness {
  readonly llama: Llama;
  /** Every line llama.cpp logged since the harness opened. */
  readonly log: LogLine[];

  private constructor(llama: Llama, log: LogLine[]) {
    this.llama = llama;
    this.log = log;
  }

  /**
   * Load the prebuilt CPU binary, never building from source. Throws, naming the cause, if the
   * binary cannot load: a test that needs real llama.cpp must not pass without it.
   */
  static async open(opts: { threads?: number } = {}): Promise<LlamaCppHarness> {
    const log: LogLine[] = [];
    let llama: Llama;
    try {
      llama = await getLlama({
        build: "never",
        gpu: false,
        usePrebuiltBinaries: true,
        skipDownload: true,
        progressLogs: false,
        maxThreads: opts.threads ?? 2,
        logLevel: LlamaLogLevel.debug,
        logger: (level, message) => {
          for (const text of message.split("\n")) if (text !== "") log.push({ level, text });
        },
      });
    } catch (err) {
      throw new Error(
        `node-llama-cpp could not load its prebuilt llama.cpp CPU binary (build: "never"): ${
          err instanceof Error ? err.message : String(err)
        }`,
        { cause: err },
      );
    }
    if (llama.gpu !== false) {
      await llama.dispose();
      throw new Error(`expected the CPU-only llama.cpp binary, got gpu=${String(llama.gpu)}`);
    }
    return new LlamaCppHarness(llama, log);
  }

  /** Identity of the llama.cpp build, for fixtures. */
  get build(): { release: string; repo: string; buildType: string } {
    return {
      release: this.llama.llamaCppRelease.release,
      repo: this.llama.llamaCppRelease.repo,
      buildType: this.llama.buildType,
    };
  }

  /** Load a model on the CPU; throws with llama.cpp's error lines when it refuses the file. */
  async loadModel(path: string): Promise<{ model: LlamaModel; lines: string[] }> {
    const start = this.log.length;
    try {
      const model = await this.llama.loadModel({
        modelPath: path,
        gpuLayers: 0,
        ignoreMemorySafetyChecks: true,
        useMmap: true,
      });
      await this.settle(start, /load_tensors:|llama_model_load/, SETTLE_MS);
      return { model, lines: this.linesSince(start) };
    } catch (err) {
      await this.settle(start, /error|failed/i, SETTLE_MS);
      const errs = this.log
        .slice(start)
        .filter((l) => l.level === "error" || /error|failed|wrong|missing/i.test(l.text))
        .map((l) => l.text);
      throw new Error(
        `llama.cpp could not load ${path}: ${err instanceof Error ? err.message : String(err)}` +
          (errs.length ? `\n  ${errs.join("\n  ")}` : ""),
        { cause: err },
      );
    }
  }

  /** Create a context, optionally decode, dispose it; return what llama.cpp logged. */
  async runContext(model: LlamaModel, req: ContextRequest): Promise<ContextResult> {
    const start = this.log.length;
    const nSeq = req.nSeq ?? 1;
    const nBatch = req.nBatch ?? 512;
    const fa = req.flashAttention ?? "auto";
    const api = req.api ?? "addon";
    let ok = false;
    let error: string | undefined;
    let breakdownCpuBytes: number | undefined;
    let decoded = 0;

    if (api === "addon") {
      const bindings = (this.llama as unknown as { _bindings: NativeBindings })._bindings;
      const nativeModel = (model as unknown as { _model: unknown })._model;
      const params: Record<string, unknown> = {
        contextSize: req.nCtx,
        batchSize: nBatch,
        sequences: nSeq,
        flashAttention: fa === "auto" ? "auto" : fa === "on",
        swaFullCache: req.swaFull ?? false,
        threads: this.llama.maxThreads,
      };
      if (req.typeK !== undefined) params.kvCacheKeyType = typeId(req.typeK);
      if (req.typeV !== undefined) params.kvCacheValueType = typeId(req.typeV);
      const ctx = new bindings.AddonContext(nativeModel, params);
      try {
        ok = await ctx.init();
        if (!ok) error = "llama_init_from_model returned null";
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      if (ok) {
        await this.settle(start, /sched_reserve: reserve took/, SETTLE_MS);
        breakdownCpuBytes = ctx.getMemoryBreakdown().cpuRam;
        if (req.decode) decoded = await this.decodeNative(model, ctx, req.decode, nBatch);
        const beforeDispose = this.log.length;
        await ctx.dispose();
        await this.settle(beforeDispose, /~llama_context:.*compute buffer size is/, SETTLE_MS);
      }
    } else {
      if (req.nCtx % nSeq !== 0) throw new Error(`api "public": nCtx ${req.nCtx} must be a multiple of nSeq ${nSeq}`);
      try {
        const ctx = await model.createContext({
          contextSize: req.nCtx / nSeq,
          sequences: nSeq,
          batchSize: nBatch,
          flashAttention: fa === "auto" ? "auto" : fa === "on",
          swaFullCache: req.swaFull ?? false,
          experimentalKvCacheKeyType: req.typeK === undefined ? undefined : typeId(req.typeK),
          experimentalKvCacheValueType: req.typeV === undefined ? undefined : typeId(req.typeV),
          ignoreMemorySafetyChecks: true,
          failedCreationRemedy: false,
        });
        ok = true;
        await this.settle(start, /sched_reserve: reserve took/, SETTLE_MS);
        if (req.decode) {
          const seq = ctx.getSequence();
          const tokens = this.tokens(model, req.decode);
          await seq.evaluateWithoutGeneratingNewTokens(tokens);
          decoded = tokens.length;
        }
        const beforeDispose = this.log.length;
        await ctx.dispose();
        await this.settle(beforeDispose, /~llama_context:.*compute buffer size is/, SETTLE_MS);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }

    // A refused context ends with llama_init_from_model's reason (or an error line).
    if (!ok) await this.settle(start, /llama_init_from_model: |error|failed/i, SETTLE_MS);
    const lines = this.linesSince(start);
    if (!ok) {
      const errs = this.log
        .slice(start)
        .filter((l) => l.level === "error" || l.level === "fatal")
        .map((l) => l.text);
      if (errs.length) error = `${error ?? "failed"}: ${errs.join(" | ")}`;
    }
    const parsed = parseContextLines(lines);
    if (ok) {
      // the requested cache types must be the ones llama.cpp used (lower-case names were ignored)
      for (const k of parsed.kv) {
        if (req.typeK !== undefined && k.typeK !== typeName(req.typeK))
          throw new Error(`asked for K type ${String(req.typeK)}, llama.cpp used ${k.typeK}`);
        if (req.typeV !== undefined && k.typeV !== typeName(req.typeV))
          throw new Error(`asked for V type ${String(req.typeV)}, llama.cpp used ${k.typeV}`);
      }
    }
    return { ok, error, lines, ...parsed, breakdownCpuBytes, decoded };
  }

  async dispose(): Promise<void> {
    await this.llama.dispose();
  }

  /** n real tokens: a tokenized phrase repeated (tokenizing once keeps long fills cheap). */
  private tokens(model: LlamaModel, n: number): Token[] {
    const unit = model.tokenize("the quick brown fox jumps over the lazy dog ");
    if (unit.length === 0) throw new Error("the model's vocabulary tokenized the filler to nothing");
    return Array.from({ length: n }, (_, i) => unit[i % unit.length]);
  }

  private async decodeNative(model: LlamaModel, ctx: NativeContext, n: number, nBatch: number): Promise<number> {
    const tokens = this.tokens(model, n);
    let done = 0;
    while (done < tokens.length) {
      const chunk = tokens.slice(done, done + nBatch);
      ctx.initBatch(chunk.length);
      ctx.addToBatch(0, done, Uint32Array.from(chunk), Uint32Array.from([chunk.length - 1]));
      await ctx.decodeBatch();
      done += chunk.length;
    }
    return done;
  }

  private linesSince(start: number): string[] {
    return this.log.slice(start).map((l) => l.text);
  }

  /** Log lines arrive from a native thread: wait until `marker` shows up (or `ms` pass). */
  private async settle(start: number, marker: RegExp, ms: number): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      for (let i = start; i < this.log.length; i++) if (marker.test(this.log[i].text)) return;
      if (Date.now() > until) return;
      await sleep(2);
    }
  }
}
