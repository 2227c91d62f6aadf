/**
 * A PC set (`pc=`): the headline verdict, the largest context and the chart come from the PC's
 * devices (../placement-answer.ts), not the one-device budget — issue 18, item 2. The static half
 * parses the machine and finds the largest context and the per-device lines; the context half
 * gives the verdict and the suggestions at the slider's context.
 */
import type { CalcCatalog } from "../catalog.ts";
import { placedChart, placedLargest, placedVerdict, type PlacedLargest } from "../placement-answer.ts";
import { gpuCatalog, parseMachine, type MachineSpec } from "../placement-machine.ts";
import { placedSuggestions } from "../placement-suggest.ts";
import type { CalcState } from "../state.ts";
import type { Suggestion } from "../suggest.ts";
import type { Verdict } from "../verdict.ts";
import { errMsg } from "./config.ts";
import type { Resolved, StaticView } from "./types.ts";

export interface PcView {
  spec: MachineSpec;
  /** Largest context for the placement as set (null while the engine refuses the placement). */
  largest: PlacedLargest | null;
  /** The engine's refusal of this placement (an -ot naming a missing device…), else null. */
  error: string | null;
  /** What the PC's answer leaves out (a projector or draft model beside the model), else null. */
  note: string | null;
}

/** The placement sizes the model alone: say so when something else shares the devices. */
function besides(state: CalcState): string | null {
  const what = [
    state.vision || state.mmproj ? "the vision projector" : null,
    state.draft !== "" ? "the draft model" : null,
  ].filter((x): x is string => x !== null);
  return what.length
    ? `The PC's placement sizes the model alone: ${what.join(" and ")} ${what.length > 1 ? "are" : "is"} not placed on its devices yet (the breakdown below counts ${what.length > 1 ? "them" : "it"}).`
    : null;
}

const gpuMaps = new WeakMap<object, ReturnType<typeof gpuCatalog>>();

/** The state's PC parsed against the catalog's GPUs; null for one device or text that does not parse. */
export function pcSpec(state: CalcState, catalog: CalcCatalog): MachineSpec | null {
  if (state.machine === "") return null;
  let gpus = gpuMaps.get(catalog.hardware);
  if (!gpus) gpuMaps.set(catalog.hardware, (gpus = gpuCatalog(catalog.hardware)));
  const r = parseMachine(state.machine, gpus);
  return r.ok ? r.spec : null;
}

/** The PC part of the static view (and its chart), or null for one device. */
export function pcStatic(
  state: CalcState,
  catalog: CalcCatalog,
  resolved: Resolved,
): { pc: PcView; chart: StaticView["chart"] | null } | null {
  const spec = pcSpec(state, catalog);
  if (!spec) return null;
  const m = { arch: resolved.arch, tensors: resolved.tensors };
  try {
    const largest = placedLargest(m, state, spec);
    const chart = placedChart(m, state, spec, largest);
    return { pc: { spec, largest, error: null, note: besides(state) }, chart };
  } catch (e) {
    return { pc: { spec, largest: null, error: errMsg(e), note: besides(state) }, chart: null };
  }
}

/** The PC's verdict at the state's context (null for one device). */
export function pcVerdict(sv: StaticView, resolved: Resolved, state: CalcState): Verdict | null {
  if (!sv.pc) return null;
  return placedVerdict({ arch: resolved.arch, tensors: resolved.tensors }, state, sv.pc.spec);
}

/** The PC's suggestions for a verdict (a search over placements: the island runs it after the numbers). */
export function pcSuggestions(
  sv: StaticView,
  resolved: Resolved,
  state: CalcState,
  verdict: Verdict["kind"],
): Suggestion[] {
  const pc = sv.pc;
  if (!pc || !pc.largest || !resolved.quants) return [];
  return placedSuggestions({
    model: { arch: resolved.arch, tensors: resolved.tensors },
    state,
    spec: pc.spec,
    verdict,
    largest: pc.largest,
    quants: resolved.quants,
  });
}
