/**
 * `npm run calc -- --budget …`: the largest context for the budget (src/lib/catalog/largest-context.ts,
 * the one definition the calculator and /models/ use too), for the asked K/V types and per KV type.
 */
import type { Architecture } from "../../src/schemas/architecture.ts";
import type { KvType } from "../../src/schemas/kv-type.ts";
import type { RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import { EngineError } from "../../src/lib/engine/index.ts";
import type { Budget, BudgetPool } from "../../src/lib/engine/index.ts";
import type { BreakdownOptions } from "../../src/lib/engine/breakdown.ts";
import { describeLargest, largestContext } from "../../src/lib/catalog/largest-context.ts";
import type { LargestContext } from "../../src/lib/catalog/largest-context.ts";
import { GiB } from "../../src/lib/units.ts";
import { formatContext } from "../../src/lib/format.ts";

export interface BudgetAnswer {
  readonly budget: Budget;
  readonly pool: BudgetPool;
  /** What the budget is (a machine's name), null for a bare --budget size. */
  readonly label: string | null;
  readonly asked: LargestContext;
  readonly perType: { type: KvType; result: LargestContext | null; error: string | null }[];
}

export function answerBudget(
  arch: Architecture,
  config: RuntimeConfig,
  budget: Budget,
  label: string | null,
  types: readonly KvType[],
  opts: BreakdownOptions,
): BudgetAnswer {
  const pool = budget.pool ?? (config.backend === "cuda" ? "device" : "total");
  const asked = largestContext(arch, config, budget, opts);
  const perType = types.map((type) => {
    try {
      return {
        type,
        result: largestContext(arch, { ...config, type_k: type, type_v: type }, budget, opts),
        error: null,
      };
    } catch (e) {
      if (e instanceof EngineError) return { type, result: null, error: e.message };
      throw e;
    }
  });
  return { budget, pool, label, asked, perType };
}

const POOL_WORDS: Record<BudgetPool, string> = {
  device: "GPU memory",
  total: "device + host memory",
  host: "host memory",
};

export function renderBudgetAnswer(a: BudgetAnswer): string {
  const out: string[] = [];
  const ws =
    a.budget.device_limit_bytes !== undefined
      ? `; GPU buffers within the working set ${(a.budget.device_limit_bytes / GiB).toFixed(2)} GiB`
      : "";
  const of = `${(a.budget.bytes / GiB).toFixed(2)} GiB of ${POOL_WORDS[a.pool]}${ws}`;
  out.push(a.label === null ? `budget ${of}` : `budget ${a.label}: ${of}`);
  out.push(`  ${describeLargest(a.asked, a.pool)}`);
  out.push("  per KV type (K = V), largest context:");
  for (const p of a.perType) {
    const r = p.result;
    const text = r
      ? r.nCtx === null
        ? "does not fit"
        : `${formatContext(r.nCtx)}${r.limitedBy === "trained-context" ? ` (trained context${r.beyond ? `; memory would allow ${r.beyond.limitedBy === "search-end" ? "≥ " : ""}${formatContext(r.beyond.nCtx)}` : ""})` : ""}`
      : `— ${p.error}`;
    out.push(`    ${p.type.padEnd(7)} ${text}`);
  }
  return out.join("\n");
}

export function budgetJson(a: BudgetAnswer): Record<string, unknown> {
  const one = (r: LargestContext) => ({
    max_context: r.nCtx,
    limited_by: r.limitedBy,
    trained_context: r.trainedCtx,
    memory_would_allow: r.beyond ? r.beyond.nCtx : null,
  });
  return {
    bytes: a.budget.bytes,
    pool: a.pool,
    device_limit_bytes: a.budget.device_limit_bytes ?? null,
    label: a.label,
    ...one(a.asked),
    per_kv_type: a.perType.map((p) => ({
      type: p.type,
      ...(p.result ? one(p.result) : { max_context: null }),
      error: p.error,
    })),
  };
}
