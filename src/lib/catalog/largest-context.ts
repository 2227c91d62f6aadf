import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import type { BreakdownOptions } from "../engine/breakdown.ts";
import { contextStep, defaultPool, maxContext, totalsAtGridPoint } from "../engine/solve.ts";
import type { Budget, BudgetPool, MaxContextResult } from "../engine/solve.ts";

/**
 * "Largest context": the one answer the CLI, the calculator, /models/ and the reports give to
 * "how much context fits this machine?" (pure, over the engine's exact solver).
 *
 * The answer is capped at the model's trained context (GGUF `context_length`, llama.cpp's
 * n_ctx_train, which it uses as the default `-c` and warns past): a context beyond it needs
 * RoPE / YaRN scaling, so what memory would allow past it is reported separately, never as the
 * answer. `limitedBy` says what stops the answer from being larger.
 */

/** What binds: the memory pool, the Apple GPU working-set limit, the trained context, a search end. */
export type ContextLimit = "memory" | "working-set" | "trained-context" | "search-end";

export { describeBeyond, describeLargest, limitWords } from "./largest-context-words.ts";

export interface LargestContext {
  /** Largest n_ctx (a grid point llama.cpp allocates as such) that fits, ≤ the cap; null = none fits. */
  readonly nCtx: number | null;
  readonly limitedBy: ContextLimit;
  /** The model's trained context (tokens), null when unknown. */
  readonly trainedCtx: number | null;
  /** The cap applied to n_ctx (trained context × independent streams, or the search end). */
  readonly cap: number;
  /** Allocation grid step: the next larger allocation needs nCtx + step. */
  readonly step: number;
  /** Breakdown at nCtx (null when none fits). */
  readonly breakdown: Breakdown | null;
  /**
   * When the trained context itself fits: how far memory alone would go (needs RoPE / YaRN
   * scaling), searched up to `beyondCeiling`. null when the trained context does not fit or is unknown.
   */
  readonly beyond: { readonly nCtx: number; readonly limitedBy: "memory" | "working-set" | "search-end" } | null;
}

export interface LargestContextOptions extends BreakdownOptions {
  /** Trained context; default the architecture's context_length. null = unknown. */
  readonly trainedCtx?: number | null;
  /** Largest n_ctx searched when the trained context is unknown, and for `beyond`. */
  readonly searchEnd?: number;
}

/** How far "memory would allow" looks past the trained context: two octaves (as the calculator's slider). */
export const BEYOND_FACTOR = 4;
/** Search end when the model states no trained context. */
export const UNKNOWN_TRAINED_SEARCH_END = 131072;

/** Which limit totals that do not fit break: the pool budget first, else the working set. */
export function failingLimit(
  t: { readonly device: number; readonly host: number; readonly total: number },
  budget: Budget,
  pool: BudgetPool,
): "memory" | "working-set" {
  const v = pool === "device" ? t.device : pool === "host" ? t.host : t.total;
  if (v > budget.bytes) return "memory";
  if (budget.device_limit_bytes !== undefined && t.device > budget.device_limit_bytes) return "working-set";
  return "memory";
}

/**
 * n_ctx that reaches the trained context per sequence: llama.cpp compares n_ctx_seq with
 * n_ctx_train, and n_ctx_seq is n_ctx / n_seq only with one KV stream per sequence (not unified,
 * llama.cpp); Ollama's num_ctx is already per request.
 */
export function trainedCap(trained: number, config: RuntimeConfig): number {
  const perSeqStreams = config.engine.name !== "ollama" && !config.kv_unified;
  return perSeqStreams ? trained * config.n_seq : trained;
}

/** The next grid point above `n` breaks which limit (n is budget-limited; its totals are on the solver's curve). */
function limitAbove(
  arch: Architecture,
  config: RuntimeConfig,
  budget: Budget,
  pool: BudgetPool,
  n: number,
  opts: BreakdownOptions,
): "memory" | "working-set" {
  return failingLimit(totalsAtGridPoint(arch, config, n, opts), budget, pool);
}

/** Largest context for a model, machine budget and runtime config. Throws EngineError as the engine does. */
export function largestContext(
  arch: Architecture,
  config: RuntimeConfig,
  budget: Budget,
  opts: LargestContextOptions = {},
): LargestContext {
  const pool = budget.pool ?? defaultPool(config);
  const step = contextStep(config);
  const trained = opts.trainedCtx === undefined ? (arch.context_length ?? null) : opts.trainedCtx;
  const known = trained !== null && trained >= step;
  const cap = known ? trainedCap(trained, config) : (opts.searchEnd ?? UNKNOWN_TRAINED_SEARCH_END);
  const engineOpts: BreakdownOptions = { tensors: opts.tensors, tensors_ftype: opts.tensors_ftype };
  const r = maxContext(arch, config, budget, { ...engineOpts, limit: Math.max(cap, step) });
  const base = { trainedCtx: trained, cap, step };
  if (r === null) {
    const limitedBy = limitAbove(arch, config, budget, pool, step, engineOpts);
    return { ...base, nCtx: null, limitedBy, breakdown: null, beyond: null };
  }
  if (r.limited_by === "budget") {
    const limitedBy = limitAbove(arch, config, budget, pool, r.n_ctx + step, engineOpts);
    return withBreakdown({ ...base, nCtx: r.n_ctx, limitedBy, beyond: null }, r);
  }
  if (!known) return withBreakdown({ ...base, nCtx: r.n_ctx, limitedBy: "search-end", beyond: null }, r);
  const end = Math.max(opts.searchEnd ?? 0, cap * BEYOND_FACTOR);
  const far = maxContext(arch, config, budget, { ...engineOpts, limit: end });
  let beyond: LargestContext["beyond"] = null;
  if (far && far.n_ctx > r.n_ctx)
    beyond = {
      nCtx: far.n_ctx,
      limitedBy:
        far.limited_by === "limit"
          ? "search-end"
          : limitAbove(arch, config, budget, pool, far.n_ctx + step, engineOpts),
    };
  return withBreakdown({ ...base, nCtx: r.n_ctx, limitedBy: "trained-context", beyond }, r);
}

/** The answer with its breakdown read on demand (a table of answers never reads it). */
function withBreakdown(a: Omit<LargestContext, "breakdown">, r: MaxContextResult): LargestContext {
  return Object.defineProperty(a, "breakdown", { get: () => r.breakdown, enumerable: true }) as LargestContext;
}
