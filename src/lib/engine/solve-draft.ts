import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { computeBreakdown } from "./breakdown.ts";
import type { BreakdownOptions } from "./breakdown.ts";
import { curveFor } from "./curve.ts";
import type { CurvePoint } from "./curve.ts";
import { EngineError } from "./errors.ts";
import { contextStep, defaultPool } from "./solve.ts";
import type { Budget, MaxContextOptions } from "./solve.ts";

/**
 * The largest context with a draft model beside the target (speculative decoding, `-md`).
 * llama.cpp de3ff81 gives the draft context the target's context size, sequences, batch and
 * flash attention (common/speculative.cpp `common_base_params_to_speculative`), so the draft's KV
 * grows with n_ctx too: the answer is the largest grid point where target + draft fit. The draft
 * adds its weights, KV, recurrent state, output and compute buffers; the process's runtime
 * overhead (CUDA context, ggml init) is counted once, with the target. docs/memory-model.md#draft-largest-context
 */

export interface DraftSide {
  readonly arch: Architecture;
  /**
   * The draft's configuration: the target's with its own -ngld, -ctkd/-ctvd and weights (n_ctx is
   * replaced by each context tried).
   */
  readonly config: RuntimeConfig;
  readonly opts?: BreakdownOptions;
}

export interface MaxContextWithDraftResult {
  readonly n_ctx: number;
  readonly step: number;
  readonly limited_by: "budget" | "limit";
  readonly breakdown: Breakdown;
  readonly draft: Breakdown;
}

/** A draft breakdown's bytes without the process overhead (counted with the target). */
export function draftAdds(b: Breakdown): { device: number; host: number; total: number } {
  const od = b.overhead.device_bytes;
  const oh = b.overhead.bytes - od;
  const device = b.total.device_bytes - od;
  const host = b.total.host_bytes - oh;
  return { device, host, total: device + host };
}

function pick(p: { device: number; host: number; total: number }, pool: Budget["pool"]): number {
  return pool === "device" ? p.device : pool === "host" ? p.host : p.total;
}

/**
 * Largest n_ctx on the target's grid where target + draft fit the budget (null: not even one
 * step). Exact on the grid: n_ctx fits and n_ctx + step does not, unless limited. Bisection over
 * the grid index with both curves' real engine totals (monotone in n_ctx), O(log n) breakdowns.
 */
export function maxContextWithDraft(
  arch: Architecture,
  config: RuntimeConfig,
  budget: Budget,
  draft: DraftSide,
  opts: MaxContextOptions = {},
): MaxContextWithDraftResult | null {
  const pool = budget.pool ?? defaultPool(config);
  const step = contextStep(config);
  const limit = opts.limit ?? arch.context_length ?? 1 << 20;
  if (!(limit >= step))
    throw new EngineError("unsupported-config", `context limit ${limit} is below one step (${step})`, "limit");
  const target = curveFor(arch, config, step, opts);
  const dOpts = draft.opts ?? {};
  const excess = (k: number) => {
    const t: CurvePoint = target.at(k);
    const d = draftAdds(computeBreakdown(draft.arch, { ...draft.config, n_ctx: k * step }, dOpts));
    const over = pick(t, pool) + pick(d, pool) - budget.bytes;
    const dev = t.device + d.device;
    return budget.device_limit_bytes === undefined ? over : Math.max(over, dev - budget.device_limit_bytes);
  };
  const kMax = Math.floor(limit / step);
  if (excess(1) > 0) return null;
  let lo = 1;
  let hi = kMax;
  let limitedBy: "budget" | "limit" = "limit";
  if (excess(kMax) > 0) {
    limitedBy = "budget";
    // invariant: lo fits, hi does not
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (excess(mid) <= 0) lo = mid;
      else hi = mid;
    }
  } else lo = kMax;
  const nCtx = lo * step;
  return {
    n_ctx: nCtx,
    step,
    limited_by: limitedBy,
    breakdown: computeBreakdown(arch, { ...config, n_ctx: nCtx }, opts),
    draft: computeBreakdown(draft.arch, { ...draft.config, n_ctx: nCtx }, dOpts),
  };
}
