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
import { totalsModel, type Totals } from "../engine/totals.ts";
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

/** The pool's bytes at each context by full breakdowns (points the engine refuses are left out): the oracle. */
export function curvePointsByBreakdown(
  arch: Architecture,
  config: RuntimeConfig,
  samples: readonly number[],
  pool: "device" | "total",
  opts: BreakdownOptions,
): { ctx: number; bytes: number }[] {
  return samples.flatMap((ctx) => {
    try {
      const t = computeBreakdown(arch, { ...config, n_ctx: ctx }, opts).total;
      return [{ ctx, bytes: pool === "device" ? t.device_bytes : t.bytes }];
    } catch {
      return [];
    }
  });
}

/** A full breakdown of the line's configuration at one context (the caller's, e.g. its probe). */
export interface CurveRef {
  nCtx: number;
  breakdown: Breakdown;
}

/**
 * The same points through the totals-only path (docs/memory-model.md#totals-only): built from
 * one full breakdown (`ref`, else one at the first sample), checked against it and against one
 * more at the last sample, the rest closed-form (a model change draws ~200 points). Null when
 * the path does not reproduce both, or the engine refuses the last sample: the caller then takes
 * full breakdowns.
 */
export function curvePointsByTotals(
  arch: Architecture,
  config: RuntimeConfig,
  samples: readonly number[],
  pool: "device" | "total",
  opts: BreakdownOptions,
  ref?: CurveRef,
): { ctx: number; bytes: number }[] | null {
  if (samples.length < 2) return null;
  const last = samples[samples.length - 1];
  const nRef = ref?.nCtx ?? samples[0];
  try {
    const m = totalsModel(arch, config, opts, nRef, ref?.breakdown);
    const t = computeBreakdown(arch, { ...config, n_ctx: last }, opts).total;
    const same = (a: Totals, d: number, h: number, b: number) => a.device === d && a.host === h && a.total === b;
    if (!same(m.at(nRef), m.ref.device, m.ref.host, m.ref.total)) return null;
    if (!same(m.at(last), t.device_bytes, t.host_bytes, t.bytes)) return null;
    // Only planContext depends on n_ctx among the engine's refusals, and `at` runs it too.
    return samples.flatMap((ctx) => {
      try {
        const a = m.at(ctx);
        return [{ ctx, bytes: pool === "device" ? a.device : a.total }];
      } catch {
        return [];
      }
    });
  } catch {
    return null;
  }
}

/**
 * One line of the chart: the pool's bytes at each sampled context (points the engine refuses are
 * left out). `ref`: a full breakdown of the same configuration the caller already has.
 */
export function curvePoints(
  arch: Architecture,
  config: RuntimeConfig,
  samples: readonly number[],
  pool: "device" | "total",
  opts: BreakdownOptions,
  ref?: CurveRef,
): { ctx: number; bytes: number }[] {
  const key = `c|${pool}|${samples.join(",")}|${keyOf({ ...config, n_ctx: 0 })}`;
  return remember(
    arch,
    opts,
    key,
    () =>
      curvePointsByTotals(arch, config, samples, pool, opts, ref) ??
      curvePointsByBreakdown(arch, config, samples, pool, opts),
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
