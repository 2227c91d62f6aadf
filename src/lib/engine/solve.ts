import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import { isQuantizedKvType, isTurboType, kvTypesAccepted } from "../kv-types.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { computeBreakdown } from "./breakdown.ts";
import type { BreakdownOptions } from "./breakdown.ts";
import { cellRules } from "./context.ts";
import { curveFor, curveIndex } from "./curve.ts";
import type { CurvePoint } from "./curve.ts";
import { EngineError } from "./errors.ts";

/**
 * Solvers: the largest context that fits a memory budget (docs/memory-model.md#context-cells grid),
 * exact at the boundary, by interpolation over the allocation grid's piecewise-linear totals.
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

/** Bytes over the budget at a grid point (≤ 0: fits), over every limit the budget sets. */
function excess(p: CurvePoint, budget: Budget, pool: BudgetPool): number {
  const v = pool === "device" ? p.device : pool === "host" ? p.host : p.total;
  const over = v - budget.bytes;
  return budget.device_limit_bytes === undefined ? over : Math.max(over, p.device - budget.device_limit_bytes);
}

/** Grid steps back from the top to get under `limit`, on a piece rising from vBelow to vTop per step. */
function stepsBack(vTop: number, vBelow: number, limit: number): number {
  const slope = vTop - vBelow;
  return vTop <= limit ? 0 : slope > 0 ? Math.ceil((vTop - limit) / slope) : Infinity;
}

const poolValue = (p: CurvePoint, pool: BudgetPool): number =>
  pool === "device" ? p.device : pool === "host" ? p.host : p.total;

/**
 * The last fitting grid point if the budget's boundary lies on the curve's top linear piece:
 * the totals at kMax less the slope per step (kMax − 1 → kMax) per step back, for every limit
 * the budget sets. null when the top piece does not rise (nothing to solve for in closed form).
 */
function topPieceGuess(top: CurvePoint, below: CurvePoint, budget: Budget, pool: BudgetPool): number | null {
  let steps = stepsBack(poolValue(top, pool), poolValue(below, pool), budget.bytes);
  if (budget.device_limit_bytes !== undefined)
    steps = Math.max(steps, stepsBack(top.device, below.device, budget.device_limit_bytes));
  return Number.isFinite(steps) ? top.k - steps : null;
}

/** A solver's answer; the breakdown at n_ctx is computed on first read (solvers of tables never read it). */
class Answer implements MaxContextResult {
  readonly n_ctx: number;
  readonly step: number;
  readonly limited_by: MaxContextResult["limited_by"];
  private readonly arch: Architecture;
  private readonly config: RuntimeConfig;
  private readonly opts: BreakdownOptions;
  private b: Breakdown | null = null;
  constructor(
    arch: Architecture,
    config: RuntimeConfig,
    opts: BreakdownOptions,
    nCtx: number,
    step: number,
    limitedBy: MaxContextResult["limited_by"],
  ) {
    this.arch = arch;
    this.config = config;
    this.opts = opts;
    this.n_ctx = nCtx;
    this.step = step;
    this.limited_by = limitedBy;
  }
  get breakdown(): Breakdown {
    return (this.b ??= computeBreakdown(this.arch, { ...this.config, n_ctx: this.n_ctx }, this.opts));
  }
  toJSON(): object {
    return { n_ctx: this.n_ctx, step: this.step, limited_by: this.limited_by, breakdown: this.breakdown };
  }
}

/**
 * Largest n_ctx on the allocation grid whose breakdown fits the budget, or null if even the
 * smallest grid point does not fit. Exact: n_ctx fits and n_ctx + step does not (unless limited).
 * Throws EngineError for configurations the engine rejects.
 *
 * The totals are piecewise linear in the grid index (linear between padding steps, batch and SWA
 * caps and the compute estimate's max), so interpolating between a fitting and a non-fitting
 * point lands on the boundary of a linear piece at once; the boundary is then proven with the
 * engine's own totals at n_ctx and n_ctx + step. Points already evaluated for this configuration
 * (another budget, another machine) narrow the first bracket. Where interpolation does not halve
 * the bracket the next step bisects, so the worst case stays O(log n) engine calls.
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
  const curve = curveFor(arch, config, step, opts);
  const kMax = Math.floor(limit / step);
  let lo = curve.at(1);
  let eLo = excess(lo, budget, pool);
  if (eLo > 0) return null;
  const top = curve.at(kMax);
  let hi = top;
  let eHi = excess(hi, budget, pool);
  if (eHi <= 0) return new Answer(arch, config, opts, kMax * step, step, "limit");
  // Narrow the bracket with remembered points (monotone: the fitting ones come first).
  const pts = curve.points;
  let a = curveIndex(pts, lo.k + 1);
  let z = curveIndex(pts, hi.k);
  while (a < z) {
    const mid = (a + z) >> 1;
    const e = excess(pts[mid], budget, pool);
    if (e <= 0) [lo, eLo, a] = [pts[mid], e, mid + 1];
    else [hi, eHi, z] = [pts[mid], e, mid];
  }
  // Closed form: on the top linear piece the last fitting point follows from its slope; the pair
  // (guess, guess + 1) proves it with the engine's exact totals, else it narrows the bracket.
  const guess = hi.k - lo.k > 1 && kMax > 2 ? topPieceGuess(top, curve.at(kMax - 1), budget, pool) : null;
  if (guess !== null) {
    const g = Math.min(hi.k - 1, Math.max(lo.k, guess));
    for (const k of [g, g + 1]) {
      const p = curve.at(k);
      const e = excess(p, budget, pool);
      if (e <= 0 && k > lo.k) [lo, eLo] = [p, e];
      else if (e > 0 && k < hi.k) [hi, eHi] = [p, e];
    }
  }
  let bisect = false;
  // Invariant: lo fits, hi does not.
  while (hi.k - lo.k > 1) {
    const width = hi.k - lo.k;
    const guess = bisect
      ? lo.k + (width >> 1)
      : Math.min(hi.k - 1, Math.max(lo.k, lo.k + Math.floor((-eLo * width) / (eHi - eLo))));
    // Probe the guessed last fitting point and the one after it: on a linear piece, one pair ends it.
    for (const k of guess === lo.k ? [lo.k + 1] : [guess, guess + 1]) {
      if (k <= lo.k || k >= hi.k) continue;
      const p = curve.at(k);
      const e = excess(p, budget, pool);
      if (e <= 0) [lo, eLo] = [p, e];
      else [hi, eHi] = [p, e];
    }
    bisect = !bisect && (hi.k - lo.k) * 2 > width;
  }
  return new Answer(arch, config, opts, lo.k * step, step, "budget");
}

/**
 * Totals at a grid point of the configuration (n_ctx a multiple of its step), from its remembered
 * curve: what a solver's caller needs to say which limit the next point breaks, without a breakdown.
 */
export function totalsAtGridPoint(
  arch: Architecture,
  config: RuntimeConfig,
  nCtx: number,
  opts: BreakdownOptions = {},
): CurvePoint {
  const step = contextStep(config);
  if (nCtx % step !== 0)
    throw new EngineError("unsupported-config", `n_ctx ${nCtx} is not on the grid of ${step}`, "n_ctx");
  return curveFor(arch, config, step, opts).at(nCtx / step);
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
