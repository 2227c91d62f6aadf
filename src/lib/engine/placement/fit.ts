import type { Architecture } from "../../../schemas/architecture.ts";
import type { Placement } from "../../../schemas/placement.ts";
import type { RuntimeConfig } from "../../../schemas/runtime-config.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import { EngineError } from "../errors.ts";
import { devicesOver } from "./context.ts";
import { orderDevices } from "./devices.ts";
import { placeWithExtras, projectorDevice, type PlacementExtras } from "./extras.ts";
import type { PlacementResult } from "./index.ts";
import { llamaFitNotes } from "./fit-notes.ts";

/**
 * Fit solver: the placement llama.cpp users would choose on a machine, and the largest context
 * for it. In order: every layer on the devices; else the expert tensors of the first N blocks on
 * the host (`--n-cpu-moe`, N as small as possible); else fewer layers on the devices (`-ngl`).
 * A placement "fits" when every device keeps `margin_bytes` free (llama.cpp's `--fit-target`,
 * default 1024 MiB) and the host stays within its RAM, at `min_ctx` (llama.cpp's `--fit-ctx`,
 * default 4096). The layers are spread with `-ts` as whole-layer counts, moved one at a time from
 * a device over its budget to the one with the most room.
 *
 * With `extras` (a projector and/or a draft model the user set, engine/placement/extras.ts) every
 * trial places them too, so the split leaves room for what they put on each device: the projector
 * on its one device, the draft following the trial's own -ts (as it does at run time, where the
 * draft copies the fitted split). llama.cpp's own --fit differs here (docs/memory-model.md#fit-extras).
 */
export interface FitOptions {
  /** Free memory to leave on every device. Default 1 GiB (llama.cpp --fit-target 1024). */
  readonly margin_bytes?: number;
  /** Smallest context worth running. Default 4096 (llama.cpp --fit-ctx). */
  readonly min_ctx?: number;
  /** Largest context wanted. Default the model's training context. */
  readonly max_ctx?: number;
  /** A projector and/or draft model sharing the devices (placed in every trial). */
  readonly extras?: PlacementExtras | null;
}

export interface FitResult {
  readonly n_ctx: number;
  readonly n_gpu_layers: number;
  readonly n_cpu_moe: number;
  /** Layers per device (as `-ts`), empty for one device. */
  readonly tensor_split: number[];
  /** llama.cpp flags for this choice. */
  readonly flags: string[];
  /** Where llama.cpp's own --fit would treat the extras differently (empty without extras). */
  readonly llama_fit_notes: string[];
  readonly placement: PlacementResult;
}

const MiB = 1024 * 1024;
const STEP = 256;

interface Machine {
  readonly arch: Architecture;
  readonly config: RuntimeConfig;
  readonly base: Placement;
  readonly tensors: TensorTable | null;
  readonly margin: number;
  readonly extras: PlacementExtras | null;
}

interface Trial {
  readonly ok: boolean;
  readonly ts: number[];
  readonly result: PlacementResult;
}

/** Bytes over budget per device (≤ 0 = fits); the host last. */
function overBudget(m: Machine, r: PlacementResult): number[] {
  return devicesOver(m.base, r, m.margin).map((d) => d.over);
}

function place(m: Machine, ctx: number, ngl: number, ncmoe: number, ts: number[]): PlacementResult {
  return placeWithExtras(
    m.arch,
    { ...m.config, n_ctx: ctx, n_gpu_layers: ngl },
    { ...m.base, n_cpu_moe: ncmoe, tensor_split: ts },
    m.tensors,
    m.extras,
  );
}

/** Bytes the projector puts on each device (in llama.cpp's device order): its start is that much less room. */
function projectorShare(m: Machine): number[] {
  const out = m.base.devices.map(() => 0);
  const p = m.extras?.projector;
  if (!p?.offload) return out;
  const at = projectorDevice(orderDevices(m.base));
  if (at !== null) out[at] = p.weights_bytes + p.compute_bytes;
  return out;
}

/** Layer counts per device for `act` offloaded layers, proportional to each device's room. */
function initialSplit(m: Machine, act: number): number[] {
  const n = m.base.devices.length;
  if (n <= 1) return [];
  const proj = projectorShare(m);
  const room = m.base.devices.map((d, i) => Math.max(0, (d.free_bytes ?? d.memory_bytes) - m.margin - proj[i]));
  const sum = room.reduce((s, x) => s + x, 0) || 1;
  const ts = room.map((x) => Math.floor((x / sum) * act));
  for (let i = 0; ts.reduce((s, x) => s + x, 0) < act; i = (i + 1) % n) ts[i]++;
  return ts;
}

/**
 * Try a placement, rebalancing whole layers between devices until all fit or none can move. The
 * moves are deterministic (each split leads to one next split), so a split seen before means the
 * moves go round in a cycle that never fits: stop there instead of moving on to the move cap.
 */
function trial(m: Machine, ctx: number, ngl: number, ncmoe: number): Trial {
  const nAll = m.arch.block_count + 1;
  const act = ngl < 0 ? nAll : Math.min(ngl, nAll);
  // llama.cpp moves RPC devices first; -ts follows that order
  const order = [...m.base.devices.filter((d) => d.kind === "rpc"), ...m.base.devices.filter((d) => d.kind !== "rpc")];
  let ts = initialSplit({ ...m, base: { ...m.base, devices: order } }, act);
  const seen = new Set<string>();
  for (let moves = 0; moves <= nAll * Math.max(1, ts.length); moves++) {
    const result = place(m, ctx, ngl, ncmoe, ts);
    const over = overBudget(m, result);
    if (over.every((x) => x <= 0)) return { ok: true, ts, result };
    if (ts.length === 0 || over[over.length - 1] > 0) return { ok: false, ts, result };
    const from = over.findIndex((x, i) => i < ts.length && x > 0 && ts[i] > 0);
    let to = -1;
    for (let i = 0; i < ts.length; i++) if (i !== from && over[i] < 0 && (to < 0 || over[i] < over[to])) to = i;
    if (from < 0 || to < 0) return { ok: false, ts, result };
    seen.add(ts.join(","));
    ts = ts.map((x, i) => (i === from ? x - 1 : i === to ? x + 1 : x));
    if (seen.has(ts.join(","))) return { ok: false, ts, result };
  }
  return { ok: false, ts, result: place(m, ctx, ngl, ncmoe, ts) };
}

/** Smallest k in [lo, hi] with ok(k) (ok monotone rising), or null. */
function firstTrue(lo: number, hi: number, ok: (k: number) => boolean): number | null {
  if (lo > hi || !ok(hi)) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function flagsFor(ctx: number, ngl: number, ncmoe: number, ts: number[]): string[] {
  const f = ["-c", String(ctx), "-ngl", String(ngl)];
  if (ts.length > 1) f.push("-ts", ts.join(","));
  if (ncmoe > 0) f.push("--n-cpu-moe", String(ncmoe));
  return f;
}

/** Solve for a machine: the least offloading placement that fits at min_ctx, at its largest context. */
export function fitMachine(
  arch: Architecture,
  config: RuntimeConfig,
  base: Placement,
  tensors: TensorTable | null,
  opts: FitOptions = {},
): FitResult | null {
  if (base.split_mode !== "layer" && base.devices.length > 1)
    throw new EngineError("unsupported-config", "the fit solver spreads layers: use -sm layer", "split_mode");
  const m: Machine = {
    arch,
    config,
    base,
    tensors,
    margin: opts.margin_bytes ?? 1024 * MiB,
    extras: opts.extras ?? null,
  };
  const minCtx = opts.min_ctx ?? 4096;
  const maxCtx = Math.max(minCtx, opts.max_ctx ?? arch.context_length ?? minCtx);
  const nAll = arch.block_count + 1;
  const isMoe = (arch.expert_count ?? 0) > 1;
  let ngl = nAll;
  let ncmoe = 0;
  if (base.devices.length === 0) ngl = 0;
  else if (!trial(m, minCtx, nAll, 0).ok) {
    const n = isMoe ? firstTrue(1, arch.block_count, (k) => trial(m, minCtx, nAll, k).ok) : null;
    if (n !== null) ncmoe = n;
    else {
      ncmoe = isMoe ? arch.block_count : 0;
      ngl = largestFitting(m, minCtx, nAll, ncmoe);
      if (ngl < 0) return null;
    }
  }
  if (!trial(m, minCtx, ngl, ncmoe).ok) return null;
  const kMax = Math.floor(maxCtx / STEP);
  const kMin = Math.ceil(minCtx / STEP);
  let lo = kMin;
  let hi = kMax;
  if (trial(m, kMax * STEP, ngl, ncmoe).ok) lo = kMax;
  else
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (trial(m, mid * STEP, ngl, ncmoe).ok) lo = mid;
      else hi = mid;
    }
  const best = trial(m, lo * STEP, ngl, ncmoe);
  return {
    n_ctx: lo * STEP,
    n_gpu_layers: ngl,
    n_cpu_moe: ncmoe,
    tensor_split: best.ts,
    flags: flagsFor(lo * STEP, ngl, ncmoe, best.ts),
    llama_fit_notes: llamaFitNotes(base, m.extras),
    placement: best.result,
  };
}

/** Largest -ngl in [0, nAll] that fits at ctx (fewer layers never need more device memory). */
function largestFitting(m: Machine, ctx: number, nAll: number, ncmoe: number): number {
  let lo = -1;
  let hi = nAll;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (trial(m, ctx, mid, ncmoe).ok) lo = mid;
    else hi = mid;
  }
  return lo;
}
