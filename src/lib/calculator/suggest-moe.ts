/**
 * "Experts on the CPU" for a MoE model that does not fit (or barely fits): the smallest
 * `--n-cpu-moe N` that fits, found by the engine's fit solver (fitMachine, docs/memory-model.md#fit-solver)
 * at the state's own context, with every layer on the GPU(s). On one GPU the machine is that GPU
 * (the budget's usable bytes) plus system RAM; applying it turns the question into a PC (`pc=`) so the
 * verdict is then the placement's, the same engine that found N.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import { fitMachine } from "../engine/placement/fit.ts";
import { formatBinary } from "../format.ts";
import { encodeMachine, machinePlacement, type MachineSpec, DEFAULT_MACHINE } from "./placement-machine.ts";
import { placementConfig, tableFor, type PlacementModel } from "./placement-view.ts";
import { placedVerdict } from "./placement-answer.ts";
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

/**
 * Smallest --n-cpu-moe that makes the state's context fit on `spec` with every layer on the GPU(s)
 * (each GPU keeps 10 % free when `tight`); null when the model is dense, it fits without, or even
 * every expert on the CPU is not enough.
 */
export function smallestCpuMoe(
  m: PlacementModel,
  state: CalcState,
  spec: MachineSpec,
  tight = false,
): CpuMoeChoice | null {
  if (!isMoe(m.arch) || spec.gpus.length === 0) return null;
  const base: MachineSpec = { ...spec, moe: "none", tensorSplit: [] };
  const p = machinePlacement(base);
  const smallest = Math.min(...p.devices.map((d) => d.memory_bytes));
  const config = { ...placementConfig(m, { ...state, nGpuLayers: -1 }, spec) };
  try {
    const r = fitMachine(m.arch, config, p, tableFor(m, state.ftype), {
      margin_bytes: tight ? Math.ceil(smallest * TIGHT_SHARE) : 0,
      min_ctx: config.n_ctx,
      max_ctx: config.n_ctx,
    });
    if (!r || r.n_cpu_moe === 0 || r.n_gpu_layers !== m.arch.block_count + 1) return null;
    const host = r.placement.devices.find((d) => d.pool === "host")?.bytes ?? 0;
    return { n: r.n_cpu_moe, machine: { ...base, moe: r.n_cpu_moe, tensorSplit: r.tensor_split }, hostBytes: host };
  } catch {
    return null; // the engine refuses this machine: no suggestion (the placement panel says why)
  }
}

/** The PC verdict after the click agrees (every device within its memory; 10 % to spare when tight). */
export function cpuMoeHolds(m: PlacementModel, state: CalcState, c: CpuMoeChoice, tight: boolean): boolean {
  const k = placedVerdict(m, { ...state, nGpuLayers: -1, machine: encodeMachine(c.machine) }, c.machine).kind;
  return k === "fits" || (!tight && k === "tight");
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
 * One device (no PC set): a CUDA GPU whose budget is the usable memory, plus system RAM. Not with a
 * vision projector (the placement does not place it yet).
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
  const c = smallestCpuMoe(m, state, oneGpuMachine(budget.bytes), tight);
  return c && cpuMoeHolds(m, state, c, tight) ? cpuMoeSuggestion(c, m.arch.block_count, tight) : null;
}
