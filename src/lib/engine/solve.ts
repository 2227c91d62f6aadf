import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import { isQuantizedKvType, isTurboType, kvTypesAccepted } from "../kv-types.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { computeBreakdown } from "./breakdown.ts";
import type { BreakdownOptions } from "./breakdown.ts";
import { cellRules } from "./context.ts";
import { EngineError } from "./errors.ts";

/**
 * Solvers: the largest context that fits a memory budget (docs/memory-model.md#context-cells grid), exact at
 * the boundary, by binary search over the allocation grid (O(log n) breakdowns).
 */

export type BudgetPool = "device" | "total" | "host";

export interface Budget {
  /** Bytes available to the process (the caller already subtracted OS / other apps). */
  readonly bytes: number;
  /**
   * Which total the budget limits: `device` (total.device_bytes; default for CUDA), `total`
   * (total.bytes; default for Metal unified memory and CPU), `host`.
   */
  readonly pool?: BudgetPool;
  /** Extra cap on total.device_bytes (Apple GPU working-set limit), optional. */
  readonly device_limit_bytes?: number;
}

export interface MaxContextOptions extends BreakdownOptions {
  /** Largest n_ctx considered (default: the model's context_length, else 1,048,576). */
  readonly limit?: number;
}

export interface MaxContextResult {
  /** n_ctx to request (llama.cpp: total; ollama: num_ctx per request): a grid point. */
  readonly n_ctx: number;
  /** Grid step: the next larger allocation needs n_ctx + step. */
  readonly step: number;
  /** `budget`: n_ctx + step does not fit; `limit`: the limit itself fits. */
  readonly limited_by: "budget" | "limit";
  readonly breakdown: Breakdown;
}

export function defaultPool(config: RuntimeConfig): BudgetPool {
  return config.backend === "cuda" ? "device" : "total";
}

/** Step of the n_ctx grid on which every point is a distinct allocation. */
export function contextStep(config: RuntimeConfig): number {
  const rules = cellRules(config.engine);
  const fa = config.flash_attn !== "off" || isTurboType(config.type_k) || isTurboType(config.type_v);
  const pad = rules === "2025-10-28" ? 1 : rules === "2025-07-16" ? (fa ? 256 : 32) : 256;
  if (config.engine.name === "ollama") return pad;
  return config.kv_unified ? pad : pad * config.n_seq;
}

function fits(b: Breakdown, budget: Budget, pool: BudgetPool): boolean {
  const v = pool === "device" ? b.total.device_bytes : pool === "host" ? b.total.host_bytes : b.total.bytes;
  if (v > budget.bytes) return false;
  if (budget.device_limit_bytes !== undefined && b.total.device_bytes > budget.device_limit_bytes) return false;
  return true;
}

/**
 * Largest n_ctx on the allocation grid whose breakdown fits the budget, or null if even the
 * smallest grid point does not fit. Exact: n_ctx fits and n_ctx + step does not (unless limited).
 * Throws EngineError for configurations the engine rejects.
 */
export function maxContext(
  arch: Architecture,
  config: RuntimeConfig,
  budget: Budget,
  opts: MaxContextOptions = {},
): MaxContextResult | null {
  const pool = budget.pool ?? defaultPool(config);
  const step = contextStep(config);
  const limit = opts.limit ?? arch.context_length ?? 1 << 20;
  if (!(limit >= step))
    throw new EngineError("unsupported-config", `context limit ${limit} is below one step (${step})`, "limit");
  const at = (k: number): Breakdown => computeBreakdown(arch, { ...config, n_ctx: k * step }, opts);
  let lo = 1;
  let hi = Math.floor(limit / step);
  const first = at(lo);
  if (!fits(first, budget, pool)) return null;
  const top = at(hi);
  if (fits(top, budget, pool)) return { n_ctx: hi * step, step, limited_by: "limit", breakdown: top };
  let best = first;
  // Invariant: lo fits, hi does not.
  while (hi - lo > 1) {
    const mid = lo + ((hi - lo) >> 1);
    const b = at(mid);
    if (fits(b, budget, pool)) {
      lo = mid;
      best = b;
    } else hi = mid;
  }
  return { n_ctx: lo * step, step, limited_by: "budget", breakdown: best };
}

export interface PerTypeResult {
  readonly type: KvType;
  /** null = not even the smallest context fits, or the type is rejected (see error). */
  readonly result: MaxContextResult | null;
  readonly error: string | null;
}

/** KV types a profile accepts for symmetric K = V (ollama: f16, q8_0, q4_0). */
export function kvTypesFor(config: RuntimeConfig): KvType[] {
  return [...kvTypesAccepted(config.engine.name)];
}

/** Max context for a budget for each symmetric KV type (the site's slider). */
export function maxContextPerKvType(
  arch: Architecture,
  config: RuntimeConfig,
  budget: Budget,
  types: readonly KvType[] = kvTypesFor(config),
  opts: MaxContextOptions = {},
): PerTypeResult[] {
  return types.map((type) => {
    try {
      const result = maxContext(arch, { ...config, type_k: type, type_v: type }, budget, opts);
      return { type, result, error: null };
    } catch (e) {
      if (e instanceof EngineError) return { type, result: null, error: e.message };
      throw e;
    }
  });
}

/** True when upstream llama.cpp would need flash attention for this V type. */
export function needsFlashAttention(t: KvType): boolean {
  return isQuantizedKvType(t);
}
