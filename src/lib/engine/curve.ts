import type { Architecture } from "../../schemas/architecture.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import type { BreakdownOptions } from "./breakdown.ts";
import { computeBreakdown } from "./breakdown.ts";
import { totalsModel } from "./totals.ts";
import type { Totals, TotalsAt } from "./totals.ts";

/**
 * The memory curve of one configuration: the engine's totals at points of the n_ctx grid,
 * remembered so that the next solve for the same configuration (another budget, another
 * machine) starts from a bracket instead of from scratch. Every value is a real engine result
 * (`computeBreakdown`), never an extrapolation: the solver only uses them to choose where to
 * look and to prove the boundary.
 */

/** Totals of one grid point, by pool. */
export interface CurvePoint {
  readonly k: number;
  readonly device: number;
  readonly host: number;
  readonly total: number;
}

export interface Curve {
  /** Evaluated grid points, sorted by k (the totals are monotone in k). */
  readonly points: CurvePoint[];
  /** Totals at grid index k (n_ctx = k · step), evaluated once. */
  at(k: number): CurvePoint;
}

/** Points kept per configuration and configurations kept per model: bounds on memory. */
const MAX_POINTS = 256;
const MAX_CURVES = 2048;

// arch → tensors (or arch itself) → config key → curve. Architectures, configs and tensor tables
// are treated as immutable, as the weights cache in breakdown.ts does.
const curves = new WeakMap<object, WeakMap<object, Map<string, Curve>>>();
const byObject = new WeakMap<
  RuntimeConfig,
  { map: Map<string, Curve>; ftype: string | null | undefined; curve: Curve }
>();

/**
 * Everything that changes the breakdown except n_ctx. Generic over the config's fields so a
 * field added later can never alias two configurations.
 */
export function configKey(config: RuntimeConfig, step: number, ftype: string | null | undefined): string {
  let key = `${step}|${ftype ?? ""}`;
  const c = config as unknown as Record<string, unknown>;
  for (const name in c) {
    if (name === "n_ctx") continue;
    const v = c[name];
    if (v === null || typeof v !== "object") key += `|${name}=${String(v)}`;
    else for (const sub in v) key += `|${name}.${sub}=${String((v as Record<string, unknown>)[sub])}`;
  }
  return key;
}

function lowerBound(points: readonly CurvePoint[], k: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].k < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Points the totals-only path must reproduce exactly before the curve trusts it alone. */
const CHECKS = 2;

function newCurve(arch: Architecture, config: RuntimeConfig, step: number, opts: BreakdownOptions): Curve {
  const points: CurvePoint[] = [];
  let fast: TotalsAt | null = null;
  let checked = 0;
  let rejected: { k: number; error: unknown } | null = null;
  const engine = (k: number): Totals => {
    const t = computeBreakdown(arch, { ...config, n_ctx: k * step }, opts).total;
    return { device: t.device_bytes, host: t.host_bytes, total: t.bytes };
  };
  const totals = (k: number): Totals => {
    if (fast && checked >= CHECKS) return fast(k * step);
    if (checked === 0) {
      // First point: the model's own reference breakdown (throws what the engine throws, and
      // throws it again for the same point without redoing the work: a table re-solves a
      // rejected configuration for every machine).
      if (rejected && rejected.k === k) throw rejected.error;
      let m: ReturnType<typeof totalsModel>;
      try {
        m = totalsModel(arch, config, opts, k * step);
      } catch (error) {
        rejected = { k, error };
        throw error;
      }
      fast = sameTotals(m.at(k * step), m.ref) ? m.at : null;
      checked = 1;
      return m.ref;
    }
    const t = engine(k);
    if (fast && sameTotals(fast(k * step), t)) checked++;
    else fast = null; // a rule the totals-only path does not follow: the engine answers from now on
    return t;
  };
  return {
    points,
    at(k: number): CurvePoint {
      // The solver asks for the ends of the range first: look there before searching.
      const n = points.length;
      if (n > 0 && points[0].k === k) return points[0];
      if (n > 0 && points[n - 1].k === k) return points[n - 1];
      if (n > 1 && points[n - 2].k === k) return points[n - 2];
      const i = lowerBound(points, k);
      if (i < points.length && points[i].k === k) return points[i];
      const t = totals(k);
      const p: CurvePoint = { k, device: t.device, host: t.host, total: t.total };
      if (points.length >= MAX_POINTS) points.length = 0;
      points.splice(lowerBound(points, k), 0, p);
      return p;
    },
  };
}

const sameTotals = (a: Totals, b: Totals): boolean => a.device === b.device && a.host === b.host && a.total === b.total;

/** The curve of (arch, config without n_ctx, options) on a grid of the given step. */
export function curveFor(arch: Architecture, config: RuntimeConfig, step: number, opts: BreakdownOptions): Curve {
  let byTensors = curves.get(arch);
  if (!byTensors) curves.set(arch, (byTensors = new WeakMap()));
  const tensorsKey: object = opts.tensors ?? arch;
  let byConfig = byTensors.get(tensorsKey);
  if (!byConfig) byTensors.set(tensorsKey, (byConfig = new Map()));
  // The same config object asks again (a table re-solved for a new budget): skip the key.
  const known = byObject.get(config);
  if (known && known.map === byConfig && known.ftype === opts.tensors_ftype) return known.curve;
  const key = configKey(config, step, opts.tensors_ftype);
  let curve = byConfig.get(key);
  if (!curve) {
    if (byConfig.size >= MAX_CURVES) byConfig.clear();
    curve = newCurve(arch, config, step, opts);
    byConfig.set(key, curve);
  }
  byObject.set(config, { map: byConfig, ftype: opts.tensors_ftype, curve });
  return curve;
}

/** Index of the first point with k ≥ the given k (for bracketing from remembered points). */
export { lowerBound as curveIndex };
