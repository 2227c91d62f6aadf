/**
 * Copyable commands for the calculator's state, one per engine, with the context translated to
 * each engine's own meaning (docs/memory-model.md#ollama):
 *
 * - llama.cpp / the TurboQuant fork: `-c` is the TOTAL over all sequences; llama.cpp allocates
 *   PAD(-c, 256) cells (per stream PAD(-c / np, 256) without unified KV).
 * - Ollama: `num_ctx` is PER REQUEST; Ollama launches llama-server with `-c num_ctx × num_parallel`
 *   and one cache type for K and V (`OLLAMA_KV_CACHE_TYPE`: f16, q8_0, q4_0), and `--fit`.
 * - vLLM: `--max-model-len` is per request; its KV pool is sized from free memory
 *   (`--gpu-memory-utilization`), not from the context, so only the per-request window translates.
 *
 * The llama-server command spells out every knob that changes allocation (`-np`, `-kvu`/`-no-kvu`,
 * `-ub`, `-ngl`) and `-fit off`, so llama.cpp allocates exactly what was calculated instead of
 * letting --fit lower the context or move layers.
 */
import type { CalcState } from "./state.ts";
import { ollamaPlacementGaps, placementArgs } from "./placement-commands.ts";

export interface CommandModel {
  /** Path or URL of the GGUF given to `-m` / `-mu`. */
  file: string;
  /** Ollama tag (`qwen3.5:27b`), null when none is known. */
  ollamaTag: string | null;
  /** Hugging Face repo of the original weights (vLLM), null when unknown. */
  hfRepo: string | null;
  /** True when the model has sliding-window layers (`--swa-full` matters). */
  hasSwa: boolean;
}

export interface Command {
  engine: "llama-server" | "ollama" | "vllm";
  title: string;
  /** Shell text to copy; null when the engine cannot express the state at all. */
  text: string | null;
  /** False when the text (if any) does NOT reproduce the state: read `notes`. */
  exact: boolean;
  notes: string[];
}

/** The context each engine receives: one request's window and llama.cpp's total. */
export interface ContextTranslation {
  /** What `-c` must be for llama-server (total over sequences). */
  llamaTotal: number;
  /** Ollama `num_ctx` giving the same total (per request). */
  ollamaNumCtx: number;
  /** Tokens one sequence may hold: vLLM `--max-model-len`. */
  perRequest: number;
  /** True when the total is not a multiple of np, so Ollama cannot hit it exactly. */
  ollamaRounded: boolean;
}

export function translateContext(state: CalcState): ContextTranslation {
  const np = state.nSeq;
  const llamaTotal = state.engine === "ollama" ? state.ctx * np : state.ctx;
  const ollamaNumCtx = state.engine === "ollama" ? state.ctx : Math.floor(llamaTotal / np);
  // With unified KV one sequence may grow into the whole cache; with streams each gets total / np.
  const perRequest = state.unified ? llamaTotal : Math.floor(llamaTotal / np);
  return { llamaTotal, ollamaNumCtx, perRequest, ollamaRounded: ollamaNumCtx * np !== llamaTotal };
}

/** POSIX shell quoting for a single argument. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const OLLAMA_KV = new Set(["f16", "q8_0", "q4_0"]);
const TURBO = new Set(["turbo2", "turbo3", "turbo4"]);
const QUANT = (t: string) => !["f32", "f16", "bf16"].includes(t);

function llamaServer(state: CalcState, model: CommandModel, tr: ContextTranslation): Command {
  const fork = state.engine === "turboquant";
  const notes: string[] = [];
  let exact = true;
  const args: string[] = ["llama-server"];
  if (/^https?:\/\//.test(model.file)) args.push("-mu", shellQuote(model.file));
  else args.push("-m", shellQuote(model.file));
  args.push("-c", String(tr.llamaTotal), "-np", String(state.nSeq), state.unified ? "-kvu" : "-no-kvu");
  args.push("-ctk", state.typeK, "-ctv", state.typeV, "-fa", state.flashAttn, "-ub", String(state.nUbatch));
  args.push("-ngl", state.nGpuLayers < 0 ? "999" : String(state.nGpuLayers));
  const placed = placementArgs(state);
  args.push(...placed.args);
  notes.push(...placed.notes);
  if (state.swaFull) args.push("--swa-full");
  const oldBuild = state.engine === "llama.cpp" && (state.revision === "2025-07-16" || state.revision === "2025-10-28");
  if (!oldBuild) args.push("-fit", "off");
  else notes.push("Builds of this revision predate --fit; the command leaves -fit out.");

  if (fork)
    notes.push(
      "Needs the TurboQuant fork's llama-server (TheTom/llama-cpp-turboquant, branch feature/turboquant-kv-cache); upstream llama.cpp rejects turbo types.",
    );
  if (!fork && (TURBO.has(state.typeK) || TURBO.has(state.typeV))) {
    exact = false;
    notes.push(
      "Upstream llama.cpp has no turbo2/3/4 cache types (`Unsupported cache type`): pick the TurboQuant fork.",
    );
  }
  if (state.engine === "ollama")
    notes.push(
      `What Ollama launches for num_ctx ${state.ctx} × OLLAMA_NUM_PARALLEL ${state.nSeq}: -c is the total over all sequences.`,
    );
  if (state.swaFull && !model.hasSwa) notes.push("--swa-full has no effect: the model has no sliding-window layers.");
  if (state.nSeq > 1 && state.unified)
    notes.push(
      `-kvu: one cache of ${tr.llamaTotal} cells shared by ${state.nSeq} sequences; recurrent state and SWA windows are still held once per sequence.`,
    );
  if (state.nSeq === 4 && state.unified)
    notes.push(
      "Without -np, llama-server runs 4 sequences with unified KV (auto): this command states that default explicitly.",
    );
  return {
    engine: "llama-server",
    title: fork ? "llama-server (TurboQuant fork)" : "llama-server (llama.cpp)",
    text: args.join(" "),
    exact,
    notes,
  };
}

function ollama(state: CalcState, model: CommandModel, tr: ContextTranslation): Command {
  const reasons: string[] = [];
  if (state.typeK !== state.typeV)
    reasons.push(
      `Ollama takes one cache type for both K and V (OLLAMA_KV_CACHE_TYPE); it cannot run K ${state.typeK} with V ${state.typeV}.`,
    );
  for (const t of new Set([state.typeK, state.typeV]))
    if (!OLLAMA_KV.has(t)) reasons.push(`Ollama has no ${t} cache type (it accepts f16, q8_0, q4_0).`);
  const notes: string[] = [];
  if (reasons.length) {
    return {
      engine: "ollama",
      title: "Ollama",
      text: null,
      exact: false,
      notes: [
        ...reasons,
        "Nearest choice Ollama can express: the same type for K and V from f16, q8_0, q4_0 (it allocates more or less memory than calculated here).",
      ],
    };
  }
  const gaps = ollamaPlacementGaps(state);
  let exact = gaps.length === 0;
  notes.push(...gaps);
  const env = [`OLLAMA_NUM_PARALLEL=${state.nSeq}`, `OLLAMA_CONTEXT_LENGTH=${tr.ollamaNumCtx}`];
  if (state.typeK !== "f16") env.push(`OLLAMA_KV_CACHE_TYPE=${state.typeK}`);
  const fa = state.flashAttn === "on" || QUANT(state.typeK);
  env.push(`OLLAMA_FLASH_ATTENTION=${fa ? 1 : 0}`);
  if (QUANT(state.typeK) && state.flashAttn === "off") {
    exact = false;
    notes.push("Ollama applies a quantized KV cache only with flash attention on; it is turned on here.");
  }
  const tag = model.ollamaTag ?? "<model>";
  if (!model.ollamaTag) notes.push("No Ollama tag is known for this model: replace <model>.");
  const text =
    `${env.join(" ")} ollama serve\n` +
    `# num_ctx is per request; Ollama allocates num_ctx × OLLAMA_NUM_PARALLEL = ${tr.ollamaNumCtx * state.nSeq} cells\n` +
    `curl http://localhost:11434/api/generate -d '{"model":"${tag}","options":{"num_ctx":${tr.ollamaNumCtx}${
      state.nGpuLayers >= 0 ? `,"num_gpu":${state.nGpuLayers}` : ""
    }}}'`;
  if (tr.ollamaRounded) {
    exact = false;
    notes.push(
      `${tr.llamaTotal} is not a multiple of ${state.nSeq}: num_ctx ${tr.ollamaNumCtx} gives ${tr.ollamaNumCtx * state.nSeq} cells.`,
    );
  }
  if (state.engine !== "ollama")
    notes.push(
      `Translated: llama-server -c ${tr.llamaTotal} -np ${state.nSeq} is num_ctx ${tr.ollamaNumCtx} per request in Ollama.`,
    );
  if (state.unified && state.nSeq > 1)
    notes.push(
      `Each request is limited to num_ctx ${tr.ollamaNumCtx} tokens, while llama-server -kvu lets one sequence use all ${tr.llamaTotal}.`,
    );
  if (state.nUbatch !== 512) {
    exact = false;
    notes.push(`Ollama does not expose n_ubatch (${state.nUbatch}); it uses its own batch size.`);
  }
  if (state.swaFull) {
    exact = false;
    notes.push("Ollama cannot set --swa-full.");
  }
  notes.push("Ollama runs llama-server with --fit, which may lower the context or the GPU layers to fit free memory.");
  return { engine: "ollama", title: "Ollama", text, exact, notes };
}

function vllm(state: CalcState, model: CommandModel, tr: ContextTranslation): Command {
  const reasons: string[] = [];
  if (state.backend !== "cuda")
    reasons.push(
      `vLLM does not run on ${state.backend === "metal" ? "Metal (Apple GPUs)" : "the CPU backend modelled here"}.`,
    );
  const dtypes = new Set([state.typeK, state.typeV]);
  if (state.typeK !== state.typeV) reasons.push("vLLM's --kv-cache-dtype is one type for K and V.");
  for (const t of dtypes) {
    if (TURBO.has(t))
      reasons.push(
        `vLLM's TurboQuant cache dtypes (e.g. turboquant_k8v4) have their own layouts; ${t} bytes do not carry over.`,
      );
    else if (QUANT(t))
      reasons.push(`vLLM has no ${t} cache (its fp8 cache stores 1 byte per value without block scales).`);
  }
  if (reasons.length) return { engine: "vllm", title: "vLLM", text: null, exact: false, notes: reasons };
  const dtype = state.typeK === "f32" ? "float32" : "auto";
  const text = `vllm serve ${shellQuote(model.hfRepo ?? model.file)} --max-model-len ${tr.perRequest} --max-num-seqs ${state.nSeq} --kv-cache-dtype ${dtype}`;
  const notes = [
    "vLLM sizes its KV block pool from --gpu-memory-utilization (default 0.9 of the GPU), not from the context: memory use will not match this calculation.",
    `--max-model-len is the per-request window (${tr.perRequest} tokens here).`,
  ];
  if (!model.hfRepo)
    notes.push("No Hugging Face repo is known: vLLM's GGUF loading is experimental and needs --tokenizer.");
  return { engine: "vllm", title: "vLLM", text, exact: false, notes };
}

export function buildCommands(state: CalcState, model: CommandModel): Command[] {
  const tr = translateContext(state);
  return [llamaServer(state, model, tr), ollama(state, model, tr), vllm(state, model, tr)];
}
