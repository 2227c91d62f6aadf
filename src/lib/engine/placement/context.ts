import type { Architecture } from "../../../schemas/architecture.ts";
import type { Placement } from "../../../schemas/placement.ts";
import type { RuntimeConfig } from "../../../schemas/runtime-config.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import { contextStep } from "../solve.ts";
import { placeWithExtras, type PlacementExtras } from "./extras.ts";
import type { PlacementResult } from "./index.ts";

/**
 * The largest context for a GIVEN placement (the user's -ngl, -ts, -sm, -mg, -ot, --n-cpu-moe on
 * their machine), the question the fit solver answers after choosing a placement
 * (docs/memory-model.md#placement-context). Each device must hold its buffers within its memory
 * (free memory when stated) less `margin_bytes`; the host within its RAM (when limited). The grid
 * is the engine's allocation grid (`contextStep`), searched by bisection with placeModel's totals:
 * the answer fits and the next grid point does not (or the cap is reached). What stops it is named:
 * the device that goes over first, or the cap.
 */
export interface PlacedContextOptions {
  /** Free memory to leave on every device (default 0: the device's whole memory is the budget). */
  readonly margin_bytes?: number;
  /** Largest n_ctx searched (the trained context × streams, or the slider's end). */
  readonly cap: number;
  /** Also search past the cap up to here when the cap fits ("memory would allow"). */
  readonly beyond_end?: number;
  /** A projector and/or draft model on the same devices (./extras.ts), counted at every context. */
  readonly extras?: PlacementExtras | null;
}

export interface PlacedContext {
  /** Largest grid point ≤ cap that fits; null when not even one step fits. */
  readonly n_ctx: number | null;
  /** A device's buffer name (`CUDA1`, `RPC0[h:p]`, `host`) that goes over at the next step, or `cap`. */
  readonly limited_by: string;
  readonly step: number;
  /** Placement at n_ctx (null when nothing fits). */
  readonly placement: PlacementResult | null;
  /** When the cap fits: how far device memory alone would allow, and what stops it there. */
  readonly beyond: { readonly n_ctx: number; readonly limited_by: string } | null;
}

/**
 * Bytes over budget per device of a placement (≤ 0 fits); host unlimited when host_bytes is null.
 * With unified memory the host's row is what host and devices use together against host_bytes.
 */
export function devicesOver(p: Placement, r: PlacementResult, margin: number): { name: string; over: number }[] {
  const shared = p.unified ? r.devices.reduce((s, d) => s + d.bytes, 0) : null;
  return r.devices.map((d) => {
    if (d.pool === "host")
      return { name: d.name, over: p.host_bytes === null ? -Infinity : (shared ?? d.bytes) - p.host_bytes };
    const budget = d.free_bytes ?? d.budget_bytes ?? 0;
    return { name: d.name, over: d.bytes - (budget - margin) };
  });
}

/** The device furthest over its budget, or null when every device fits. */
export function worstDevice(p: Placement, r: PlacementResult, margin: number): string | null {
  let worst: { name: string; over: number } | null = null;
  for (const d of devicesOver(p, r, margin)) if (d.over > 0 && (!worst || d.over > worst.over)) worst = d;
  return worst?.name ?? null;
}

/** Largest grid index in [1, kMax] whose placement fits (monotone), with the failing device above it. */
function search(at: (k: number) => { fits: boolean; worst: string | null }, kMax: number) {
  const first = at(1);
  if (!first.fits) return { k: 0, limitedBy: first.worst ?? "cap" };
  const top = at(kMax);
  if (top.fits) return { k: kMax, limitedBy: "cap" };
  let lo = 1;
  let hi = kMax;
  let limitedBy = top.worst ?? "cap";
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const r = at(mid);
    if (r.fits) lo = mid;
    else {
      hi = mid;
      limitedBy = r.worst ?? limitedBy;
    }
  }
  return { k: lo, limitedBy };
}

/** Largest context for this exact placement. Throws the engine's refusals (as placeModel). */
export function placedContext(
  arch: Architecture,
  config: RuntimeConfig,
  placement: Placement,
  tensors: TensorTable | null,
  opts: PlacedContextOptions,
): PlacedContext {
  const margin = opts.margin_bytes ?? 0;
  const step = contextStep(config);
  const memo = new Map<number, { fits: boolean; worst: string | null; r: PlacementResult }>();
  const at = (k: number) => {
    let e = memo.get(k);
    if (!e) {
      const r = placeWithExtras(arch, { ...config, n_ctx: k * step }, placement, tensors, opts.extras);
      const worst = worstDevice(placement, r, margin);
      memo.set(k, (e = { fits: worst === null, worst, r }));
    }
    return e;
  };
  const kCap = Math.max(1, Math.floor(opts.cap / step));
  const s = search(at, kCap);
  let beyond: PlacedContext["beyond"] = null;
  const kEnd = Math.floor((opts.beyond_end ?? 0) / step);
  if (s.k === kCap && kEnd > kCap) {
    const b = search((k) => at(kCap + k - 1), kEnd - kCap + 1);
    if (b.k > 1)
      beyond = { n_ctx: (kCap + b.k - 1) * step, limited_by: b.limitedBy === "cap" ? "search-end" : b.limitedBy };
  }
  return {
    n_ctx: s.k === 0 ? null : s.k * step,
    limited_by: s.limitedBy,
    step,
    placement: s.k === 0 ? null : at(s.k).r,
    beyond,
  };
}
