/**
 * `npm run calc -- --devices … | --rpc …` (without --fit): when the placement as given does not
 * fit (or leaves under 10 % on a device), the calculator's PC suggestions — the island's own
 * function (src/lib/calculator/placement-suggest.ts `placedSuggestions`, judged by `placedVerdict`)
 * on the calculator state whose `pc=` machine is the CLI's devices, so both print the same list.
 */
import type { Placement } from "../../src/schemas/placement.ts";
import type { RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import type { CalcCatalog } from "../../src/lib/calculator/catalog.ts";
import { placedLargest, placedVerdict } from "../../src/lib/calculator/placement-answer.ts";
import {
  encodeMachine,
  parseMachine,
  type MachineGpu,
  type MachineSpec,
} from "../../src/lib/calculator/placement-machine.ts";
import { placedSuggestions } from "../../src/lib/calculator/placement-suggest.ts";
import { placementConfig } from "../../src/lib/calculator/placement-view.ts";
import type { CalcState } from "../../src/lib/calculator/state.ts";
import { verdictFor } from "../../src/lib/calculator/verdict.ts";
import type { Budget } from "../../src/lib/engine/index.ts";
import type { PlacementResult } from "../../src/lib/engine/placement/index.ts";
import { cliState, type CliQuestion, type CliSuggestions } from "./suggestions-output.ts";

const MiB = 2 ** 20;

/** The CLI's placement as the calculator's machine (its own parser), or why it has none. */
export function placementMachine(p: Placement, noKvOffload: boolean): { spec: MachineSpec; text: string } | string {
  const whole = (b: number) => b % MiB === 0;
  if (p.devices.some((d) => d.free_bytes !== undefined))
    return "the calculator has no setting for a device's free memory";
  if (p.devices.some((d) => !whole(d.memory_bytes)) || (p.host_bytes !== null && !whole(p.host_bytes)))
    return "the calculator sets memory in whole MiB";
  if (p.load_mode !== "mmap" && p.load_mode !== "none")
    return `the calculator has no setting for --load-mode ${p.load_mode}`;
  if (p.cpu_moe && p.n_cpu_moe > 0) return "the calculator takes --cpu-moe or --n-cpu-moe, not both";
  if (p.split_mode === "row") return "the calculator has no setting for -sm row";
  const gpus = p.devices.filter((d) => d.kind !== "rpc");
  if (gpus.length === 0) return "the calculator's PC needs a local GPU";
  const text = encodeMachine({
    gpus: gpus.map((d) => ({ id: null, name: d.name, mib: d.memory_bytes / MiB, kind: d.kind as MachineGpu["kind"] })),
    ramMiB: p.host_bytes === null ? null : p.host_bytes / MiB,
    rpc: p.devices.filter((d) => d.kind === "rpc").map((d) => ({ endpoint: d.endpoint!, mib: d.memory_bytes / MiB })),
    splitMode: p.split_mode === "none" ? "none" : "layer",
    tensorSplit: [...p.tensor_split],
    mainGpu: p.main_gpu,
    moe: p.cpu_moe ? "all" : p.n_cpu_moe > 0 ? p.n_cpu_moe : "none",
    mmap: p.load_mode === "mmap",
    overrides: p.overrides.map((o) => ({ pattern: o.pattern, buft: o.buft })),
    noKvOffload,
  });
  const r = parseMachine(text, new Map());
  return r.ok ? { spec: r.spec, text } : `the calculator cannot describe this machine: ${r.error}`;
}

/** The PC's verdict and suggestions for the CLI's question on its devices. */
export function cliPlacedSuggestions(
  q: Omit<CliQuestion, "breakdown" | "budget" | "largestCtx">,
  placement: Placement,
  quants: Pick<CalcCatalog, "ftypes" | "kvTypes">,
): CliSuggestions | null {
  const machine = placementMachine(placement, q.config.no_kv_offload);
  const m = { arch: q.arch, tensors: q.tensors };
  const base = cliState({ ...q, breakdown: null as never, budget: null as never, largestCtx: null });
  const skipped = (why: string): CliSuggestions => ({
    verdict: { kind: "unknown", text: "no verdict from the calculator", headroomBytes: null, headroomPct: null },
    suggestions: [],
    skipped: why,
  });
  if (typeof machine === "string") return skipped(machine);
  const state: CalcState = { ...base, machine: machine.text };
  const asked = placementConfig(m, state, machine.spec);
  const differs = (Object.keys(asked) as (keyof RuntimeConfig)[]).filter(
    (k) => k !== "backend" && JSON.stringify(asked[k]) !== JSON.stringify(q.config[k]),
  );
  if (differs.length) return skipped(`the calculator has no setting for ${differs.join(", ")} as given`);
  const verdict = placedVerdict(m, state, machine.spec);
  const suggestions =
    verdict.kind === "no" || verdict.kind === "tight"
      ? placedSuggestions({
          model: m,
          state,
          spec: machine.spec,
          verdict: verdict.kind,
          largest: placedLargest(m, state, machine.spec),
          quants,
        })
      : [];
  return { verdict, suggestions, skipped: null };
}

/**
 * A unified-memory budget (Apple Silicon) placed on its Metal GPU: the calculator's PC keeps GPUs
 * and RAM apart, so the verdict is the calculator's one-device test (the budget and the GPU
 * working-set limit, src/lib/calculator/verdict.ts) on the placement's own totals — what the
 * placement flags moved between the GPU and the host included.
 */
export function unifiedVerdict(placed: PlacementResult, budget: Budget): CliSuggestions {
  const device = placed.devices.filter((d) => d.pool === "device").reduce((a, d) => a + d.bytes, 0);
  const host = placed.devices.filter((d) => d.pool === "host").reduce((a, d) => a + d.bytes, 0);
  const total = { device_bytes: device, host_bytes: host, bytes: device + host };
  return {
    verdict: verdictFor(total, { engine: budget, error: null, pool: "total" }),
    suggestions: [],
    skipped:
      "the calculator's PC keeps GPU memory and RAM apart (no unified memory); the verdict is its one-device test on this placement",
  };
}
