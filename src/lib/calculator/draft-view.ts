/**
 * The draft model of speculative decoding in the calculator's view (pure): `-md <preset>` with
 * `-ngld`, `-ctkd`, `-ctvd`. As in `npm run calc -- -md` (scripts/calc/draft-output.ts): the draft
 * context gets the target's context size, batch, sequences, unified KV and flash attention, its
 * own GPU layers and K/V types (llama.cpp de3ff81 common/speculative.cpp), sized by the same
 * engine — weights from the preset's default ftype, KV exact, compute an estimate.
 *
 * The runtime overhead (CUDA context, ggml init) belongs to the process and is counted once, with
 * the target: the draft adds its weights, KV, recurrent state, output and compute buffers.
 *
 * The draft's KV grows with the context, so it cannot be reserved as a constant: the breakdown,
 * totals, verdict and the chart's lines include it at every context drawn; the largest-context
 * search does not include it yet, so that answer is withheld (said) rather than shown wrong.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import { formatBinary } from "../format.ts";
import type { CalcCatalog, ModelOption } from "./catalog.ts";
import { shellQuote } from "./commands.ts";
import type { CalcState } from "./state.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { draftLargest, type DraftLargest } from "./draft-largest.ts";
import { cachedBreakdown } from "./static-cache.ts";
import { verdictFor } from "./verdict.ts";
import { configFor, type CalcView, type Component, type Resolved } from "./view.ts";

export interface Draft {
  model: ModelOption;
  arch: Architecture;
  /** The draft's configuration (n_ctx replaced by each context): the target's with -ngld, -ctkd/-ctvd, its ftype. */
  config: RuntimeConfig;
  /** Breakdown of the draft at a context (cached per configuration). */
  at: (ctx: number) => Breakdown;
}

/** Device and host bytes of the draft without the process's runtime overhead. */
function added(b: Breakdown): { device: number; host: number } {
  const od = b.overhead.device_bytes;
  return { device: b.total.device_bytes - od, host: b.total.host_bytes - (b.overhead.bytes - od) };
}

const sum = (l: readonly { host: boolean; bytes: number }[], host: boolean) =>
  l.filter((x) => x.host === host).reduce((s, x) => s + x.bytes, 0);

/** The draft the state names, or why it cannot be sized; null when none is picked. */
export function resolveDraft(state: CalcState, catalog: CalcCatalog): Draft | { error: string } | null {
  if (!state.draft) return null;
  if (state.engine === "ollama") return { error: "Ollama has no draft model option (-md is llama-server's)" };
  const model = catalog.models.find((m) => m.id === state.draft);
  if (!model) return { error: `draft model ${state.draft} is not in the catalog` };
  try {
    const arch = model.architecture;
    const config: RuntimeConfig = {
      ...configFor(state, state.ctkd as KvType, state.ctvd as KvType, 0, false),
      n_gpu_layers: state.ngld,
      weights_ftype: model.defaultFtype,
      // the draft's graphs are reserved for n_parallel outputs (docs/memory-model.md#draft-outputs)
      n_outputs_max: state.nSeq,
    };
    const at = (ctx: number) =>
      cachedBreakdown(arch, { ...config, n_ctx: ctx }, { tensors: null, tensors_ftype: null });
    at(state.ctx);
    return { model, arch, config, at };
  } catch (e) {
    return { error: `draft ${model.name}: ${(e as Error).message}` };
  }
}

function rows(d: Draft, b: Breakdown): Component[] {
  const row = (
    key: string,
    label: string,
    list: readonly { host: boolean; bytes: number }[],
    detail: string,
    estimate: boolean,
  ): Component => ({
    key,
    label,
    bytes: sum(list, false) + sum(list, true),
    device: sum(list, false),
    detail,
    estimate,
    uncalibrated: false,
    range: null,
  });
  const rest = [...b.compute.per_backend, { host: true, bytes: b.output.bytes }];
  return [
    row(
      "draft-weights",
      `Draft weights (${d.model.name}, ${d.model.defaultFtype})`,
      b.weights.per_device,
      b.weights.estimate
        ? `estimate: parameters × typical bits per weight of ${b.weights.ftype}`
        : `exact tensor table built for ${b.weights.ftype}`,
      b.weights.estimate,
    ),
    row(
      "draft-kv",
      `Draft KV (${b.effective.type_k}/${b.effective.type_v})`,
      [...b.kv.per_device, ...b.recurrent.per_device],
      `exact: ${b.context.allocated_cells} cells, -ctkd ${b.effective.type_k} -ctvd ${b.effective.type_v}`,
      false,
    ),
    row("draft-compute", "Draft compute and output buffers", rest, `estimate: ${b.compute.label}`, true),
  ];
}

/**
 * The view with the draft added to breakdown, totals, verdict, chart lines and commands. On a PC
 * the chart, largest context, verdict and suggestions already place the draft on the devices
 * (view/placed.ts, engine/placement/extras.ts): only the breakdown, totals and commands change.
 */
export function withDraft(
  view: CalcView,
  d: Draft | { error: string },
  state: CalcState,
  target: Resolved | null = null,
): CalcView {
  const out = draftView(view, d, state, view.s.pc ? null : target);
  if (!view.s.pc || out === view) return out;
  const { verdict, verdictHigh, suggestions } = view.c;
  return { s: view.s, c: { ...out.c, verdict, verdictHigh, suggestions } };
}

function draftView(view: CalcView, d: Draft | { error: string }, state: CalcState, target: Resolved | null): CalcView {
  const { s, c } = view;
  if (c.error || !s.model) return view;
  if ("error" in d)
    return { ...view, c: { ...c, notes: [...c.notes, { code: "draft", level: "warning", message: d.error }] } };
  const b = d.at(state.ctx);
  const { device: dd, host: dh } = added(b);
  const poolOf = (x: Breakdown) => {
    const a = added(x);
    return s.budget.pool === "device" ? a.device : a.device + a.host;
  };
  const total = { device_bytes: c.device + dd, host_bytes: c.host + dh, bytes: c.total + dd + dh };
  const flags = ` -md ${shellQuote(`${d.model.id}-${d.model.defaultFtype}.gguf`)} -ngld ${state.ngld < 0 ? 999 : state.ngld} -ctkd ${state.ctkd} -ctvd ${state.ctvd}`;
  const withheld =
    "not computed with a draft model for this line (only for the K/V you picked); the verdict and the breakdown count it";
  const mine = target ? draftLargest(view, target, d, state) : null;
  const mineNote = (m: DraftLargest) =>
    m.error ?? (m.nCtx === null ? "nothing fits with the draft model" : "with the draft model beside it");
  return {
    s: {
      ...s,
      chart: {
        ...s.chart,
        series: s.chart.series.map((x) => ({
          ...x,
          ...(x.selected && mine && mine.error === null
            ? { maxCtx: mine.nCtx, maxNote: ` (${mineNote(mine)})`, maxBytes: mine.poolBytes }
            : { maxCtx: null, maxNote: `: largest context ${withheld}`, maxBytes: null }),
          points: x.points.map((q) => ({ ...q, bytes: q.bytes + poolOf(d.at(q.ctx)) })),
        })),
      },
      maxTable: s.maxTable.map((r) =>
        r.selected && mine && mine.error === null
          ? {
              ...r,
              maxCtx: mine.nCtx,
              limitedBy: mine.limitedBy,
              beyond: null,
              totalBytes: mine.poolBytes,
              kvBytes: null,
            }
          : { ...r, maxCtx: null, error: r.error ?? `largest context ${withheld}` },
      ),
    },
    c: {
      ...c,
      components: [...c.components, ...rows(d, b)],
      device: total.device_bytes,
      host: total.host_bytes,
      total: total.bytes,
      poolBytes: c.poolBytes + poolOf(b),
      current: c.current && { ...c.current, bytes: c.current.bytes + poolOf(b) },
      verdict: verdictFor(total, s.budget),
      verdictHigh: null,
      suggestions: [],
      offload: { ...c.offload, maxLayersFit: null, deviceBytes: total.device_bytes, hostBytes: total.host_bytes },
      commands: c.commands.map((cmd) =>
        cmd.engine === "llama-server" && cmd.text
          ? { ...cmd, text: `${cmd.text}${flags}` }
          : {
              ...cmd,
              exact: false,
              notes: [...cmd.notes, `${cmd.title} cannot be given a draft model here (llama-server's -md can).`],
            },
      ),
    },
  };
}

/** Draft total at the current context, for the picker's help text. */
export function draftTotalText(d: Draft, ctx: number): string {
  const b = d.at(ctx);
  const a = added(b);
  return `${formatBinary(a.device + a.host)} at this context (weights ${formatBinary(b.weights.bytes)}, KV ${formatBinary(b.kv.bytes)})`;
}
