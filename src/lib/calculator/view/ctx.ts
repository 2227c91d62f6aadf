/**
 * The half of the view at the slider's context: one breakdown (~0.1 ms) and what derives from it:
 * the table's rows, totals, verdict (and its Metal high end), layer groups, commands, partial
 * offload and the suggestions when it does not fit.
 */
import type { Breakdown } from "../../../schemas/breakdown.ts";
import { computeBreakdown } from "../../engine/breakdown.ts";
import { resolveLayers } from "../../engine/layers.ts";
import { formatBinary, formatDecimal, groupDigits } from "../../format.ts";
import { buildCommands } from "../commands.ts";
import { layerGroups } from "../layer-groups.ts";
import type { CalcState } from "../state.ts";
import { fitsBudget, verdictFor, type Verdict } from "../verdict.ts";
import { allocatedLabel } from "./allocated.ts";
import { breakdownRows, metalComputeRange } from "./breakdown-rows.ts";
import { configFor, errMsg } from "./config.ts";
import { maxLayersFitFor, suggestionsFor, type SuggestionsInput } from "./suggestions.ts";
import { pcSuggestions, pcVerdict } from "./placed.ts";
import type { Suggestion } from "../suggest.ts";
import type { CtxView, ModelInfo, Resolved, StaticView } from "./types.ts";

function fileNameFor(state: CalcState, model: ModelInfo): string {
  if (model.source === "gguf") return state.ggufUrl ?? model.fileName ?? "model.gguf";
  if (model.source === "custom") return "model.gguf";
  if (model.source === "hf") return model.fileName ?? "model.gguf";
  return `${model.id}-${state.ftype}.gguf`;
}

/** The view before anything is computed (no model, or an error). */
function emptyCtxView(sv: StaticView, state: CalcState): CtxView {
  return {
    ctx: state.ctx,
    error: sv.error,
    requested: state.ctx,
    totalRequested: state.ctx,
    allocated: 0,
    nCtxSeq: 0,
    nStream: 1,
    padNote: null,
    beyondModel: false,
    effective: { typeK: state.typeK, typeV: state.typeV, fa: state.flashAttn !== "off", changes: [], vMixed: null },
    components: [],
    device: 0,
    host: 0,
    total: 0,
    poolBytes: 0,
    verdict: { kind: "unknown", text: sv.error ?? "", headroomBytes: null, headroomPct: null },
    layerGroups: [],
    commands: [],
    notes: [],
    offload: { nLayers: 0, ngl: state.nGpuLayers, deviceBytes: 0, hostBytes: 0, maxLayersFit: null, partial: false },
    current: null,
    verdictHigh: null,
    perToken: null,
  };
}

/**
 * Metal: the same verdict with compute at the high end of the engine's estimate and overhead at
 * the reported allowance (when a budget states one).
 */
function metalHighVerdict(b: Breakdown, sv: StaticView, metal: boolean): Verdict | null {
  const eb = sv.budget.engine;
  const mr = sv.metalRange;
  if (!eb || !metal) return null;
  const device = b.total.device_bytes;
  const host = b.total.host_bytes;
  const computeHi = metalComputeRange(b.compute.bytes)[1];
  const overheadExtra = mr ? Math.max(0, mr.overheadHi - b.overhead.bytes) : 0;
  const extra = computeHi - b.compute.bytes + overheadExtra;
  const hi = { ...b, total: { device_bytes: device + extra, host_bytes: host, bytes: device + host + extra } };
  const f = fitsBudget(hi, eb);
  const word = !f.ok ? "does not fit" : f.rel < 0.1 ? "tight" : "fits";
  return {
    kind: !f.ok ? "no" : f.rel < 0.1 ? "tight" : "fits",
    text: `With compute at the high end of the engine's Metal estimate (${formatBinary(computeHi)})${mr ? ` and runtime overhead at the allowance of the budget “${mr.source}” (${formatDecimal(mr.overheadHi)})` : ""} instead: ${word}, ${f.ok ? `${formatBinary(f.headroom)} to spare` : `${formatBinary(-f.headroom)} over`}.`,
    headroomBytes: f.headroom,
    headroomPct: f.rel * 100,
  };
}

function padNoteOf(b: Breakdown): string | null {
  return b.context.allocated_cells !== b.context.n_ctx_total_requested
    ? `llama.cpp allocates ${groupDigits(b.context.allocated_cells)} cells for -c ${groupDigits(b.context.n_ctx_total_requested)} (padded to a multiple of 256${b.context.n_stream > 1 ? ` per stream, × ${b.context.n_stream} streams` : ""}).`
    : null;
}

/** Partial offload: GPU layers asked and the most that fit. */
function offloadOf(state: CalcState, nLayers: number, b: Breakdown, maxLayersFit: number | null): CtxView["offload"] {
  return {
    nLayers,
    ngl: state.nGpuLayers < 0 ? nLayers : Math.min(state.nGpuLayers, nLayers),
    deviceBytes: b.total.device_bytes,
    hostBytes: b.total.host_bytes,
    maxLayersFit,
    partial: state.nGpuLayers >= 0 && state.nGpuLayers < nLayers,
  };
}

/** What the suggestions of a view at the context need (they are a search: the island defers them). */
function suggestionsInput(sv: StaticView, resolved: Resolved, state: CalcState, c: CtxView): SuggestionsInput | null {
  const eb = sv.budget.engine;
  const quants = resolved.quants;
  if (!eb || !quants || !sv.model || c.error !== null) return null;
  const { arch, tensors, tensorsFtype } = resolved;
  const model = {
    arch,
    tensors,
    tensorsFtype,
    vision: state.vision && sv.model.vision.available,
    extras: resolved.extras,
  };
  const largestCtx = sv.maxTable.find((r) => r.selected)?.maxCtx ?? null;
  const maxLayersFit = c.offload.maxLayersFit;
  return { state, model, budget: eb, verdict: c.verdict.kind, largestCtx, quants, maxLayersFit };
}

/**
 * The suggestions of `c` (a view computed with `{ suggestions: false }` for the same state): the
 * same list `computeAtCtx` gives by default.
 */
export function ctxSuggestions(sv: StaticView, resolved: Resolved | null, state: CalcState, c: CtxView): Suggestion[] {
  // a PC's: judged by its placement (./placed.ts)
  if (resolved && sv.pc) return c.error === null ? pcSuggestions(sv, resolved, state, c.verdict.kind) : [];
  const inp = resolved ? suggestionsInput(sv, resolved, state, c) : null;
  return inp ? suggestionsFor(inp) : [];
}

/**
 * Whether `c` (computed with `{ suggestions: false }`) still needs its suggestions: it does not
 * fit, or fits with under 10 % to spare, and has none yet (a PC's by its placement, a device's by its budget).
 */
export function wantsSuggestions(sv: StaticView, c: CtxView): boolean {
  if (c.suggestions !== undefined) return false;
  return (
    (sv.pc ? true : sv.budget.engine !== null) &&
    c.error === null &&
    (c.verdict.kind === "no" || c.verdict.kind === "tight")
  );
}

/**
 * The view at the slider's context. `suggestions: false` leaves the suggestions out (the island
 * computes them in the next task with `ctxSuggestions`, so numbers and chart are not held up by
 * their searches).
 */
export function computeAtCtx(
  sv: StaticView,
  resolved: Resolved | null,
  state: CalcState,
  o: { suggestions?: boolean } = {},
): CtxView {
  const empty = emptyCtxView(sv, state);
  if (!resolved || !sv.model) return empty;
  const { arch, tensors, tensorsFtype } = resolved;
  const model = sv.model;
  const opts = { tensors, tensors_ftype: tensorsFtype };
  const vis = state.vision && model.vision.available;
  const commands = buildCommands(state, {
    file: fileNameFor(state, model),
    ollamaTag: model.ollamaTag,
    hfRepo: model.hfId,
    hasSwa: model.hasSwa,
  });
  let b: Breakdown;
  try {
    b = computeBreakdown(arch, configFor(state, state.typeK, state.typeV, state.ctx, tensors !== null, vis), opts);
  } catch (e) {
    const text = `Cannot compute: ${errMsg(e)}`;
    const verdict: Verdict = { kind: "unknown", text, headroomBytes: null, headroomPct: null };
    return { ...empty, error: errMsg(e), commands, verdict };
  }
  const { label: effLabel, vMixed } = allocatedLabel(b);
  const components = breakdownRows(b, {
    visionBytes: vis ? model.vision.bytes : 0,
    vMixed,
    isMla: model.isMla,
    metal: state.backend === "metal",
    metalRange: sv.metalRange,
  });
  const device = b.total.device_bytes;
  const host = b.total.host_bytes;
  const total = device + host;
  const poolBytes = sv.budget.pool === "device" ? device : total;
  const eb = sv.budget.engine;
  const verdict = pcVerdict(sv, resolved, state) ?? verdictFor(b.total, sv.budget);
  const changes = b.notes
    .filter((n) => n.code.startsWith("turbo-") || n.code === "fa-auto-resolved")
    .map((n) => n.message);
  const nLayers = arch.block_count + 1;
  const sModel = { arch, tensors, tensorsFtype, vision: vis };
  const maxLayersFit = maxLayersFitFor(state, sModel, eb);
  const out: CtxView = {
    ctx: state.ctx,
    error: null,
    requested: b.context.requested,
    totalRequested: b.context.n_ctx_total_requested,
    allocated: b.context.allocated_cells,
    nCtxSeq: b.context.n_ctx_seq,
    nStream: b.context.n_stream,
    padNote: padNoteOf(b),
    beyondModel: model.trainCtx !== null && b.context.n_ctx_seq > model.trainCtx,
    effective: { typeK: effLabel, typeV: b.effective.type_v, fa: b.effective.flash_attn, changes, vMixed },
    components,
    device,
    host,
    total,
    poolBytes,
    verdict,
    layerGroups: layerGroups(b, resolveLayers(arch)),
    commands,
    notes: b.notes,
    offload: offloadOf(state, nLayers, b, maxLayersFit),
    current: { ctx: state.ctx, bytes: poolBytes },
    verdictHigh: metalHighVerdict(b, sv, state.backend === "metal"),
    perToken: b.bytes_per_token,
  };
  if (o.suggestions === false) return out;
  return { ...out, suggestions: ctxSuggestions(sv, resolved, state, out) };
}
