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
import { parseContextLines, type ContextRequest, type ContextResult, type LogLine } from "./llama-cpp-log.ts";

export * from "./llama-cpp-log.ts";

/** What one way of creating a context reports back. */
interface RunOutcome {
  ok: boolean;
  error?: string;
  breakdownCpuBytes?: number;
  decoded: number;
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

  /** A context through the library's native class: the parameters reach llama_init_from_model unchanged. */
  private async runAddon(model: LlamaModel, req: ContextRequest, start: number): Promise<RunOutcome> {
    const out: RunOutcome = { ok: false, decoded: 0 };
    const nBatch = req.nBatch ?? 512;
    const fa = req.flashAttention ?? "auto";
    const bindings = (this.llama as unknown as { _bindings: NativeBindings })._bindings;
    const nativeModel = (model as unknown as { _model: unknown })._model;
    const params: Record<string, unknown> = {
      contextSize: req.nCtx,
      batchSize: nBatch,
      sequences: req.nSeq ?? 1,
      flashAttention: fa === "auto" ? "auto" : fa === "on",
      swaFullCache: req.swaFull ?? false,
      threads: this.llama.maxThreads,
    };
    if (req.typeK !== undefined) params.kvCacheKeyType = typeId(req.typeK);
    if (req.typeV !== undefined) params.kvCacheValueType = typeId(req.typeV);
    const ctx = new bindings.AddonContext(nativeModel, params);
    try {
      out.ok = await ctx.init();
      if (!out.ok) out.error = "llama_init_from_model returned null";
    } catch (err) {
      out.error = err instanceof Error ? err.message : String(err);
    }
    if (out.ok) {
      await this.settle(start, /sched_reserve: reserve took/, SETTLE_MS);
      out.breakdownCpuBytes = ctx.getMemoryBreakdown().cpuRam;
      if (req.decode) out.decoded = await this.decodeNative(model, ctx, req.decode, nBatch);
      const beforeDispose = this.log.length;
      await ctx.dispose();
      await this.settle(beforeDispose, /~llama_context:.*compute buffer size is/, SETTLE_MS);
    }
    return out;
  }

  /** A context as an app would create it (LlamaModel.createContext: size per sequence). */
  private async runPublic(model: LlamaModel, req: ContextRequest, start: number): Promise<RunOutcome> {
    const out: RunOutcome = { ok: false, decoded: 0 };
    const nSeq = req.nSeq ?? 1;
    const fa = req.flashAttention ?? "auto";
    if (req.nCtx % nSeq !== 0) throw new Error(`api "public": nCtx ${req.nCtx} must be a multiple of nSeq ${nSeq}`);
    try {
      const ctx = await model.createContext({
        contextSize: req.nCtx / nSeq,
        sequences: nSeq,
        batchSize: req.nBatch ?? 512,
        flashAttention: fa === "auto" ? "auto" : fa === "on",
        swaFullCache: req.swaFull ?? false,
        experimentalKvCacheKeyType: req.typeK === undefined ? undefined : typeId(req.typeK),
        experimentalKvCacheValueType: req.typeV === undefined ? undefined : typeId(req.typeV),
        ignoreMemorySafetyChecks: true,
        failedCreationRemedy: false,
      });
      out.ok = true;
      await this.settle(start, /sched_reserve: reserve took/, SETTLE_MS);
      if (req.decode) {
        const seq = ctx.getSequence();
        const tokens = this.tokens(model, req.decode);
        await seq.evaluateWithoutGeneratingNewTokens(tokens);
        out.decoded = tokens.length;
      }
      const beforeDispose = this.log.length;
      await ctx.dispose();
      await this.settle(beforeDispose, /~llama_context:.*compute buffer size is/, SETTLE_MS);
    } catch (err) {
      out.error = err instanceof Error ? err.message : String(err);
    }
    return out;
  }

  /** Create a context, optionally decode, dispose it; return what llama.cpp logged. */
  async runContext(model: LlamaModel, req: ContextRequest): Promise<ContextResult> {
    const start = this.log.length;
    const { ok, decoded, breakdownCpuBytes, ...rest } =
      (req.api ?? "addon") === "addon"
        ? await this.runAddon(model, req, start)
        : await this.runPublic(model, req, start);
    let error = rest.error;
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
