/**
 * A PC set (`pc=`): the headline verdict, the largest context and the chart come from the PC's
 * devices (../placement-answer.ts), not the one-device budget — issue 18, item 2. The static half
 * parses the machine and finds the largest context and the per-device lines; the context half
 * gives the verdict and the suggestions at the slider's context.
 */
import type { KvType } from "../../../schemas/kv-type.ts";
import type { PlacementExtras } from "../../engine/placement/extras.ts";
import type { CalcCatalog } from "../catalog.ts";
import { translateContext } from "../commands.ts";
import { resolveDraft } from "../draft-view.ts";
import { tableFor } from "../placement-view.ts";
import type { Reserve } from "../vision-view.ts";
import { configFor } from "./config.ts";
import { placedChart, placedLargest, placedVerdict, type PlacedLargest } from "../placement-answer.ts";
import { DEFAULT_MACHINE, gpuCatalog, parseMachine, type MachineSpec } from "../placement-machine.ts";
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

/** Say so when something shares the devices that the placement could not size (not loaded yet). */
function besides(state: CalcState, extras: PlacementExtras | null): string | null {
  const what = [
    (state.vision || state.mmproj) && !extras?.projector ? "the vision projector" : null,
    state.draft !== "" && !extras?.draft ? "the draft model" : null,
  ].filter((x): x is string => x !== null);
  return what.length
    ? `The PC's placement does not count ${what.join(" and ")} yet (not loaded or not sized): the devices' bars and the largest context are the model's alone.`
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

/**
 * What shares the PC's devices with the model: the loaded projector (its weights and encoder
 * compute, on the first GPU unless --no-mmproj-offload) and the draft (-md with -ngld, -ctkd,
 * -ctvd, the target's devices and context). The engine places them (engine/placement/extras.ts).
 */
export function pcExtras(
  state: CalcState,
  catalog: CalcCatalog,
  reserve: Reserve | null | undefined,
  spec: MachineSpec,
): PlacementExtras | null {
  const projector =
    reserve && reserve.weights !== undefined
      ? { weights_bytes: reserve.weights, compute_bytes: reserve.compute ?? 0, offload: reserve.device > 0 }
      : undefined;
  const d = state.draft ? resolveDraft(state, catalog) : null;
  let draft: PlacementExtras["draft"];
  if (d && !("error" in d)) {
    const ctx = translateContext(state).llamaTotal;
    const config = {
      ...configFor(state, state.ctkd as KvType, state.ctvd as KvType, ctx, false),
      n_gpu_layers: state.ngld,
      weights_ftype: d.model.defaultFtype,
      n_outputs_max: state.nSeq,
      backend: "cuda" as const,
      no_kv_offload: spec.noKvOffload,
    };
    draft = { arch: d.arch, config, tensors: tableFor({ arch: d.arch, tensors: null }, d.model.defaultFtype) };
  }
  return projector || draft ? { ...(projector ? { projector } : {}), ...(draft ? { draft } : {}) } : null;
}

/**
 * One device (no PC): the loaded projector and the draft as the PC an experts-on-CPU suggestion
 * turns the question into would place them (../suggest-moe.ts oneGpuCpuMoe); null, at no cost,
 * when there is neither.
 */
export function soloExtras(
  state: CalcState,
  catalog: CalcCatalog,
  reserve: Reserve | null | undefined,
): PlacementExtras | null {
  if (state.machine !== "" || (reserve?.weights === undefined && state.draft === "")) return null;
  return pcExtras(state, catalog, reserve, DEFAULT_MACHINE);
}

/** The PC part of the static view (and its chart), or null for one device. */
export function pcStatic(
  state: CalcState,
  catalog: CalcCatalog,
  resolved: Resolved,
  reserve?: Reserve | null,
): { pc: PcView; chart: StaticView["chart"] | null; extras: PlacementExtras | null } | null {
  const spec = pcSpec(state, catalog);
  if (!spec) return null;
  const extras = pcExtras(state, catalog, reserve, spec);
  const m = { arch: resolved.arch, tensors: resolved.tensors, extras };
  try {
    const largest = placedLargest(m, state, spec);
    const chart = placedChart(m, state, spec, largest);
    return { pc: { spec, largest, error: null, note: besides(state, extras) }, chart, extras };
  } catch (e) {
    return { pc: { spec, largest: null, error: errMsg(e), note: besides(state, extras) }, chart: null, extras };
  }
}

/** The PC's verdict at the state's context (null for one device). */
export function pcVerdict(sv: StaticView, resolved: Resolved, state: CalcState): Verdict | null {
  if (!sv.pc) return null;
  return placedVerdict(resolved, state, sv.pc.spec);
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
    model: resolved,
    state,
    spec: pc.spec,
    verdict,
    largest: pc.largest,
    quants: resolved.quants,
  });
}
