/**
 * The test oracle of `maxContext`: plain binary search over the allocation grid with a full
 * engine breakdown at every probe (the solver before it interpolated over remembered curves).
 */
import type { Architecture } from "../../src/schemas/architecture.ts";
import type { Breakdown } from "../../src/schemas/breakdown.ts";
import type { RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import { computeBreakdown, contextStep, defaultPool } from "../../src/lib/engine/index.ts";
import type { Budget, MaxContextOptions } from "../../src/lib/engine/solve.ts";

export interface OracleResult {
  readonly n_ctx: number;
  readonly step: number;
  readonly limited_by: "budget" | "limit";
  readonly breakdown: Breakdown;
}

function fits(b: Breakdown, budget: Budget, config: RuntimeConfig): boolean {
  const pool = budget.pool ?? defaultPool(config);
  const v = pool === "device" ? b.total.device_bytes : pool === "host" ? b.total.host_bytes : b.total.bytes;
  if (v > budget.bytes) return false;
  return budget.device_limit_bytes === undefined || b.total.device_bytes <= budget.device_limit_bytes;
}

export function maxContextBySearch(
  arch: Architecture,
  config: RuntimeConfig,
  budget: Budget,
  opts: MaxContextOptions = {},
): OracleResult | null {
  const step = contextStep(config);
  const limit = opts.limit ?? arch.context_length ?? 1 << 20;
  const at = (k: number): Breakdown => computeBreakdown(arch, { ...config, n_ctx: k * step }, opts);
  let lo = 1;
  let hi = Math.floor(limit / step);
  const first = at(lo);
  if (!fits(first, budget, config)) return null;
  const top = at(hi);
  if (fits(top, budget, config)) return { n_ctx: hi * step, step, limited_by: "limit", breakdown: top };
  let best = first;
  while (hi - lo > 1) {
    const mid = lo + ((hi - lo) >> 1);
    const b = at(mid);
    if (fits(b, budget, config)) [lo, best] = [mid, b];
    else hi = mid;
  }
  return { n_ctx: lo * step, step, limited_by: "budget", breakdown: best };
}
