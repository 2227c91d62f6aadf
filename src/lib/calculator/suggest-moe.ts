/**
 * "Experts on the CPU" for a MoE model that does not fit (or barely fits): the smallest
 * `--n-cpu-moe N` that fits, proven with the engine's placement (placeModel on every device)
 * at the state's own context, with every layer on the GPU(s). On one GPU the machine is that GPU
 * (the budget's usable bytes) plus system RAM; applying it turns the question into a PC (`pc=`) so the
 * verdict is then the placement's, the same engine that found N.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { TensorTable } from "../../schemas/tensor-table.ts";
import { fitMachine, type PlacementResult } from "../engine/placement/index.ts";
import { orderDevices } from "../engine/placement/devices.ts";
import { placeWithExtras, type PlacementExtras } from "../engine/placement/extras.ts";
import { allocBytes, tensorLayer } from "../engine/weights.ts";
import { formatBinary } from "../format.ts";
import { encodeMachine, machinePlacement, type MachineSpec, DEFAULT_MACHINE } from "./placement-machine.ts";
import { placementConfig, tableFor, type PlacementModel } from "./placement-view.ts";
import type { CalcState } from "./state.ts";
import type { Suggestion } from "./suggest.ts";

const MiB = 1024 * 1024;

/** Share of each device kept free for a "tight" question (the verdict's 10 %). */
const TIGHT_SHARE = 0.1;

export interface CpuMoeChoice {
  /** Smallest N: expert tensors of blocks 0 … N−1 in system RAM. */
  n: number;
  /** The machine with it set (and the solver's -ts on several GPUs). */
  machine: MachineSpec;
  /** System RAM the placement then uses (weights, KV of host layers, buffers). */
  hostBytes: number;
}

export function isMoe(arch: Architecture): boolean {
  return (arch.expert_count ?? 0) > 1;
}

/** One GPU of `bytes` (a budget's usable memory) and unknown system RAM, as a PC. */
export function oneGpuMachine(bytes: number): MachineSpec {
  const mib = Math.max(1, Math.floor(bytes / MiB));
  return {
    ...DEFAULT_MACHINE,
    gpus: [{ id: null, name: `GPU (${(mib / 1024).toFixed(2)} GiB)`, mib, kind: "cuda" }],
    ramMiB: null,
  };
}

/** An expert tensor (`--cpu-moe`'s pattern, common/common.h). */
const EXPS = /\.ffn_(up|down|gate|gate_up)_(ch|)exps/;

/** Each budgeted device (and the host when limited) keeps `share` of its memory free. */
function holds(r: PlacementResult, hostBytes: number | null, share: number): boolean {
  return r.devices.every((d) => {
    const budget = d.pool === "host" ? hostBytes : (d.free_bytes ?? d.budget_bytes ?? null);
    return budget === null || (d.pool === "host" && d.bytes === 0) || d.bytes <= budget * (1 - share);
  });
}

/** Device bytes (on the device of its layer in `all`) of each block's expert tensors. */
function expertBytes(table: TensorTable, all: PlacementResult, spec: MachineSpec, nBlocks: number): number[] {
  const kinds = new Map(orderDevices(machinePlacement(spec)).map((d) => [d.buft, d.device.kind]));
  const out = Array.from({ length: nBlocks }, () => 0);
  for (const t of table) {
    const il = tensorLayer(t.name);
    if (il === null || il >= nBlocks || !EXPS.test(t.name)) continue;
    const k = kinds.get(all.layer_buffers[il]);
    if (k !== undefined)
      out[il] += allocBytes(t, k === "cuda" || k === "rocm" ? "cuda" : k === "metal" ? "metal" : "host");
  }
  return out;
}

/** Smallest N whose experts of blocks ≥ N held by device `name` fit back into its room. */
function deviceN(all: PlacementResult, name: string, room: number, e: number[]): number {
  let n = 0;
  for (let b = e.length - 1; b >= 0; b--) if (all.layer_buffers[b] === name && n === 0) n = b + 1;
  let back = 0;
  for (let b = n - 1; b >= 0 && all.layer_buffers[b] === name; b--) {
    if (back + e[b] > room) break;
    back += e[b];
    n = b;
  }
  return n;
}

/**
 * Smallest --n-cpu-moe that makes the state's context fit on `spec` as set (its -ts, -ngl all), each
 * device keeping 10 % free when `tight`; null when the model is dense, it fits without, or even every
 * expert on the CPU is not enough. With every layer on the devices, moving block b's experts changes
 * only their bytes (compute, KV and overhead do not depend on where experts are), so N is read off the
 * per-block expert sizes between "none" and "all experts on the CPU", then proven with placeModel.
 * On several devices the fit solver's rebalanced -ts (whole layers per device) is tried too, and
 * kept when it lets a smaller N fit (proven the same way). A projector and a draft the state has
 * (`m.extras`) are placed beside the model in every try, so N leaves room for them
 * (docs/memory-model.md#fit-extras); --n-cpu-moe does not reach the draft (its own overrides).
 */
export function smallestCpuMoe(
  m: PlacementModel,
  state: CalcState,
  spec: MachineSpec,
  tight = false,
): CpuMoeChoice | null {
  if (!isMoe(m.arch) || spec.gpus.length === 0) return null;
  const table = tableFor(m, state.ftype);
  if (!table) return null;
  const base: MachineSpec = { ...spec, moe: "none" };
  const p = machinePlacement(base);
  const config = placementConfig(m, { ...state, nGpuLayers: -1 }, spec);
  const share = tight ? TIGHT_SHARE : 0;
  const place = (extra: Partial<typeof p>): PlacementResult =>
    placeWithExtras(m.arch, config, { ...p, ...extra }, table, m.extras);
  try {
    if (holds(place({}), p.host_bytes, share)) return null;
    const asSet = asSetCpuMoe(place, table, base, m.arch.block_count, share);
    const re = p.devices.length > 1 ? rebalancedCpuMoe(m, config, base, table, share) : null;
    return re && (!asSet || re.n < asSet.n) ? re : asSet;
  } catch {
    return null; // the engine refuses this machine: no suggestion (the placement panel says why)
  }
}

type Place = (extra: Partial<ReturnType<typeof machinePlacement>>) => PlacementResult;

/** The smallest N with the machine's own -ts (null when even every expert on the CPU does not fit). */
function asSetCpuMoe(place: Place, table: TensorTable, base: MachineSpec, nBlocks: number, share: number) {
  const host = machinePlacement(base).host_bytes;
  const all = place({ cpu_moe: true });
  if (!holds(all, host, share)) return null;
  const e = expertBytes(table, all, base, nBlocks);
  // device d at N = its bytes with every expert on the CPU + the experts of its blocks ≥ N
  let n = 1;
  for (const d of all.devices)
    if (d.pool === "device")
      n = Math.max(n, deviceN(all, d.name, (d.free_bytes ?? d.budget_bytes ?? 0) * (1 - share) - d.bytes, e));
  const r = place({ n_cpu_moe: n });
  if (!holds(r, host, share)) return null;
  return { n, machine: { ...base, moe: n }, hostBytes: r.devices.find((d) => d.pool === "host")?.bytes ?? 0 };
}

/**
 * The fit solver (engine/placement/fit.ts) at the state's context with no margin beyond the
 * tight share (of the largest device: at least the share everywhere), its -ts as whole layers;
 * proven with placeModel and the verdict's test. Null when it needs no experts on the CPU.
 */
function rebalancedCpuMoe(
  { arch, extras }: PlacementModel,
  config: ReturnType<typeof placementConfig>,
  base: MachineSpec,
  table: TensorTable,
  share: number,
): CpuMoeChoice | null {
  const p = machinePlacement(base);
  const margin = share * Math.max(...p.devices.map((d) => d.free_bytes ?? d.memory_bytes));
  const opts = { margin_bytes: margin, min_ctx: config.n_ctx, max_ctx: config.n_ctx, extras };
  const r = fitMachine(arch, config, p, table, opts);
  if (!r || r.n_cpu_moe === 0 || r.n_gpu_layers < arch.block_count + 1) return null;
  const split = { ...p, n_cpu_moe: r.n_cpu_moe, tensor_split: r.tensor_split };
  const placed = placeWithExtras(arch, config, split, table, extras);
  if (!holds(placed, p.host_bytes, share)) return null;
  const machine = { ...base, moe: r.n_cpu_moe, tensorSplit: r.tensor_split };
  return { n: r.n_cpu_moe, machine, hostBytes: placed.devices.find((d) => d.pool === "host")?.bytes ?? 0 };
}

/** The suggestion: one click sets the PC and --n-cpu-moe N (every layer on the GPU). */
export function cpuMoeSuggestion(c: CpuMoeChoice, nBlocks: number, tight: boolean): Suggestion {
  const ts = c.machine.tensorSplit.length ? ` -ts ${c.machine.tensorSplit.join(",")}` : "";
  return {
    key: "moe",
    title: `${tight ? "Leaves 10 % to spare" : "Fits"} with --n-cpu-moe ${c.n} (the experts of ${c.n} of ${nBlocks} blocks in system RAM, every layer on the GPU)`,
    patch: { machine: encodeMachine(c.machine), backend: "cuda", nGpuLayers: -1 },
    command: `-ngl 999 --n-cpu-moe ${c.n}${ts}`,
    cost: `The CPU runs those experts (speed: unknown, not measured here); system RAM holds ${formatBinary(c.hostBytes)}.`,
  };
}

/**
 * One device (no PC set): a CUDA GPU whose budget is the usable memory, plus system RAM. With a
 * loaded projector (and/or a draft) in `m.extras` the GPU is the usable memory before the
 * projector's reservation and the projector is placed on it, as the PC the suggestion turns the
 * question into places it (view/placed.ts pcExtras). Not with the vision weights counted from the
 * catalog's parameter count (`vision`): the placement cannot size those.
 */
export function oneGpuCpuMoe(
  m: PlacementModel,
  state: CalcState,
  budget: { bytes: number; pool?: string },
  tight: boolean,
  vision: boolean,
): Suggestion | null {
  if (vision || state.machine !== "" || state.backend !== "cuda" || (budget.pool ?? "device") !== "device") return null;
  if (!isMoe(m.arch)) return null;
  const c = smallestCpuMoe(m, state, oneGpuMachine(budget.bytes + reservedOnDevice(m.extras)), tight);
  return c ? cpuMoeSuggestion(c, m.arch.block_count, tight) : null;
}

/** What the budget had taken off for the projector on the GPU (vision-view.ts reserveBudget). */
function reservedOnDevice(extras: PlacementExtras | null | undefined): number {
  const p = extras?.projector;
  return p?.offload ? p.weights_bytes + p.compute_bytes : 0;
}
