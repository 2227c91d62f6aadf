/**
 * The calculator's per-device view of a PC: the engine's placement (placeModel) as one stacked
 * bar per device and the host, the binding device, and the fit solver's choice as a state patch.
 * Results are cached per configuration (model, runtime config, placement), so moving back to a
 * setting, or re-rendering, costs a map lookup.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { PlacedBuffer } from "../../schemas/placement.ts";
import type { TensorTable } from "../../schemas/tensor-table.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { buildTensorTable, normaliseFtype } from "../engine/index.ts";
import { fitMachine } from "../engine/placement/index.ts";
import type { PlacementResult } from "../engine/placement/index.ts";
import { placeWithExtras, type PlacementExtras } from "../engine/placement/extras.ts";
import { configFor } from "./view.ts";
import { translateContext } from "./commands.ts";
import { encodeMachine, machinePlacement, type MachineSpec } from "./placement-machine.ts";
import { CTX_MAX, CTX_MIN, type CalcState } from "./state.ts";

import type { BarKind } from "./placement-machine.ts";
export type { BarKind } from "./placement-machine.ts";

export interface DeviceBar {
  /** llama.cpp's name (`CUDA0`, `RPC0[host:port]`) or `host`. */
  name: string;
  machine: string;
  /** Bytes per kind (KV includes recurrent state; weights count memory touched). */
  parts: Record<BarKind, number>;
  total: number;
  budget: number | null;
  /** Layers held (blocks; the output layer is n_layer). */
  layers: number[];
  /** Which parts are estimates (compute, overhead). */
  estimate: boolean;
  binding: boolean;
}

export interface PlacementView {
  bars: DeviceBar[];
  /** Why the binding bar binds (furthest over its memory, or the least share of it free). */
  bindingNote: string | null;
  notes: string[];
  error: string | null;
}

/** What the placement needs from the calculator's resolved model. */
export interface PlacementModel {
  arch: Architecture;
  tensors: TensorTable | null;
  /** A projector and/or draft model on the same devices (the engine places them too). */
  extras?: PlacementExtras | null;
}

const archIds = new WeakMap<Architecture, number>();
let nextArchId = 1;

/** A cache key for the extras: the projector's bytes, the draft's architecture and configuration. */
export function extrasKey(e: PlacementExtras | null | undefined): string {
  if (!e) return "";
  let id: number | null = null;
  if (e.draft) {
    id = archIds.get(e.draft.arch) ?? null;
    if (id === null) archIds.set(e.draft.arch, (id = nextArchId++));
  }
  return JSON.stringify([e.projector ?? null, id, e.draft?.config ?? null]);
}

const tableCache = new WeakMap<Architecture, Map<string, TensorTable | null>>();
const resultCache = new WeakMap<Architecture, Map<string, PlacementResult>>();
const CACHE_MAX = 64;

/** The GGUF's own tensor table, else one built for the state's ftype (null when no builder). */
export function tableFor(m: PlacementModel, ftype: string): TensorTable | null {
  if (m.tensors) return m.tensors;
  let per = tableCache.get(m.arch);
  if (!per) tableCache.set(m.arch, (per = new Map()));
  if (!per.has(ftype)) {
    let t: TensorTable | null = null;
    try {
      t = buildTensorTable(m.arch, normaliseFtype(ftype));
    } catch {
      t = null; // the placement notes say weights are not placed
    }
    per.set(ftype, t);
  }
  return per.get(ftype)!;
}

/** Runtime config of the state for a PC (context as llama.cpp's total). */
export function placementConfig(m: PlacementModel, state: CalcState, spec?: MachineSpec): RuntimeConfig {
  const exact = m.tensors !== null;
  return {
    ...configFor(state, state.typeK, state.typeV, translateContext(state).llamaTotal, exact, false),
    backend: "cuda",
    no_kv_offload: spec?.noKvOffload ?? false,
  };
}

/** placeModel for the state's machine, cached per configuration. Throws the engine's refusals. */
export function placeFor(m: PlacementModel, state: CalcState, spec: MachineSpec): PlacementResult {
  const config = placementConfig(m, state, spec);
  const key = JSON.stringify([config, encodeMachine(spec), spec.gpus.map((g) => g.name), extrasKey(m.extras)]);
  let per = resultCache.get(m.arch);
  if (!per) resultCache.set(m.arch, (per = new Map()));
  const hit = per.get(key);
  if (hit) return hit;
  const r = placeWithExtras(m.arch, config, machinePlacement(spec), tableFor(m, state.ftype), m.extras);
  if (per.size >= CACHE_MAX) per.delete(per.keys().next().value!);
  per.set(key, r);
  return r;
}

function barKind(b: PlacedBuffer): BarKind {
  return b.kind === "recurrent" ? "kv" : b.kind;
}

/** Stacked bars from a placement: exactly the engine's buffers, summed per device and kind. */
export function barsOf(r: PlacementResult): Pick<PlacementView, "bars" | "bindingNote"> {
  const bars: DeviceBar[] = r.devices.map((d) => {
    const parts = { weights: 0, kv: 0, compute: 0, overhead: 0, output: 0 };
    let estimate = false;
    for (const b of r.buffers)
      if (b.device === d.name) {
        parts[barKind(b)] += b.touched_bytes ?? b.bytes;
        estimate ||= b.estimate;
      }
    return {
      name: d.name,
      machine: d.machine,
      parts,
      total: d.bytes,
      budget: d.budget_bytes ?? null,
      layers: d.layers,
      estimate,
      binding: false,
    };
  });
  const budgeted = bars.filter((b) => b.budget !== null && (b.total > 0 || b.name !== "host"));
  if (budgeted.length === 0) return { bars, bindingNote: null };
  // the device furthest over its memory, else the one with the least share of it free (the verdict's rule)
  const room = (b: DeviceBar): number => b.budget! - b.total;
  const over = budgeted.filter((b) => room(b) < 0);
  const bind = over.length
    ? over.reduce((a, b) => (room(b) < room(a) ? b : a))
    : budgeted.reduce((a, b) => (room(b) / b.budget! < room(a) / a.budget! ? b : a));
  bind.binding = true;
  const gib = (x: number): string => `${(Math.abs(x) / 2 ** 30).toFixed(2)} GiB`;
  const note =
    room(bind) < 0
      ? `${bind.name} does not fit: ${gib(room(bind))} over its ${gib(bind.budget!)}.`
      : `${bind.name} binds: the least share free, ${gib(room(bind))} of ${gib(bind.budget!)}.`;
  return { bars, bindingNote: note };
}

export function placementView(m: PlacementModel, state: CalcState, spec: MachineSpec): PlacementView {
  try {
    const r = placeFor(m, state, spec);
    return {
      ...barsOf(r),
      notes: r.notes.filter((n) => n.code !== "compute-estimate").map((n) => n.message),
      error: null,
    };
  } catch (e) {
    return { bars: [], bindingNote: null, notes: [], error: e instanceof Error ? e.message : String(e) };
  }
}

export type FitPatch =
  { ok: true; patch: Partial<CalcState>; flags: string[]; notes: string[] } | { ok: false; error: string };

/**
 * "Fit it for me": the solver's -ngl, -ts, --n-cpu-moe and context, as a state patch. A loaded
 * projector and a draft are placed in every trial (engine/placement/fit.ts); `notes` say where
 * llama.cpp's own --fit would treat them differently (docs/memory-model.md#fit-extras).
 */
export function fitPatch(m: PlacementModel, state: CalcState, spec: MachineSpec): FitPatch {
  try {
    const base = { ...spec, moe: "none" as const, tensorSplit: [] };
    const config = placementConfig(m, state, spec);
    const r = fitMachine(m.arch, config, machinePlacement(base), tableFor(m, state.ftype), {
      max_ctx: Math.min(CTX_MAX, m.arch.context_length ?? CTX_MAX),
      extras: m.extras,
    });
    if (!r) return { ok: false, error: nothingFits(m) };
    const ctx = state.engine === "ollama" ? Math.floor(r.n_ctx / state.nSeq) : r.n_ctx;
    const machine: MachineSpec = {
      ...base,
      tensorSplit: r.tensor_split,
      moe: r.n_cpu_moe > 0 ? r.n_cpu_moe : "none",
    };
    return {
      ok: true,
      patch: { nGpuLayers: r.n_gpu_layers, ctx: Math.max(CTX_MIN, ctx), machine: encodeMachine(machine) },
      flags: r.flags,
      notes: r.llama_fit_notes,
    };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function nothingFits(m: PlacementModel): string {
  const what = [m.extras?.projector ? "the vision projector" : null, m.extras?.draft ? "the draft model" : null];
  const beside = what.filter((x) => x !== null).join(" and ");
  return `Nothing fits this machine, even with every layer on the CPU${beside ? ` (counting ${beside} on its devices)` : ""}.`;
}
