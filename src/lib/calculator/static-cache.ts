/**
 * What the calculator's static view computes, remembered per model and configuration, so that
 * an interaction recomputes only what it changed: a new K type re-solves its own line, not the
 * five symmetric ones beside it; going back to an earlier choice costs nothing. Every entry is
 * the engine's own result for exactly that input (architecture and tensor table by identity —
 * both immutable once loaded — and every config field), so a hit is the same answer.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { computeBreakdown, type BreakdownOptions } from "../engine/breakdown.ts";
import { configKey } from "../engine/curve.ts";
import type { Budget } from "../engine/solve.ts";
import { largestContext, type LargestContext, type LargestContextOptions } from "../catalog/largest-context.ts";

/** Entries kept per model (then the model's entries start over): a bound on memory. */
const MAX_ENTRIES = 4096;

type Entry = { ok: true; value: unknown } | { ok: false; error: unknown };

// arch → tensor table (or arch) → key → entry
const memo = new WeakMap<object, WeakMap<object, Map<string, Entry>>>();

function remember<T>(arch: Architecture, opts: BreakdownOptions, key: string, compute: () => T): T {
  let byTensors = memo.get(arch);
  if (!byTensors) memo.set(arch, (byTensors = new WeakMap()));
  const tk: object = opts.tensors ?? arch;
  let m = byTensors.get(tk);
  if (!m) byTensors.set(tk, (m = new Map()));
  const full = `${opts.tensors_ftype ?? ""}#${key}`;
  let e = m.get(full);
  if (!e) {
    try {
      e = { ok: true, value: compute() };
    } catch (error) {
      e = { ok: false, error };
    }
    if (m.size >= MAX_ENTRIES) m.clear();
    m.set(full, e);
  }
  if (!e.ok) throw e.error;
  return e.value as T;
}

const keyOf = (config: RuntimeConfig): string => `${config.n_ctx}|${configKey(config, 0, null)}`;

/** computeBreakdown, remembered (its EngineError too). Callers must not mutate the result. */
export function cachedBreakdown(arch: Architecture, config: RuntimeConfig, opts: BreakdownOptions): Breakdown {
  return remember(arch, opts, `b|${keyOf(config)}`, () => computeBreakdown(arch, config, opts));
}

/** The engine's refusal of a configuration as text, or null when it sizes it. */
export function configError(arch: Architecture, config: RuntimeConfig, opts: BreakdownOptions): string | null {
  return remember(arch, opts, `e|${keyOf(config)}`, () => {
    try {
      computeBreakdown(arch, config, opts);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  });
}

/** One line of the chart: the pool's bytes at each sampled context (points the engine refuses are left out). */
export function curvePoints(
  arch: Architecture,
  config: RuntimeConfig,
  samples: readonly number[],
  pool: "device" | "total",
  opts: BreakdownOptions,
): { ctx: number; bytes: number }[] {
  const key = `c|${pool}|${samples.join(",")}|${keyOf({ ...config, n_ctx: 0 })}`;
  return remember(arch, opts, key, () =>
    samples.flatMap((ctx) => {
      try {
        const t = computeBreakdown(arch, { ...config, n_ctx: ctx }, opts).total;
        return [{ ctx, bytes: pool === "device" ? t.device_bytes : t.bytes }];
      } catch {
        return [];
      }
    }),
  );
}

/** largestContext, remembered per configuration, budget and search range. */
export function cachedLargestContext(
  arch: Architecture,
  config: RuntimeConfig,
  budget: Budget,
  opts: LargestContextOptions,
): LargestContext {
  const key = `l|${JSON.stringify(budget)}|${opts.trainedCtx}|${opts.searchEnd}|${keyOf(config)}`;
  return remember(arch, opts, key, () => largestContext(arch, config, budget, opts));
}
