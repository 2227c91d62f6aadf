/**
 * The headline answer when a PC is set (issue 18, item 2: the machine sets the budget): the verdict,
 * "largest context N (limited by CUDA1 (RTX 4090 #2))" and the chart all come from the engine's
 * placement on the PC's devices (placeModel, placedContext), never from the one-device budget.
 * Pure and cached per configuration; the slider's context changes only the verdict.
 */
import type { CurveSeries, MemoryChartData } from "../../charts/memory-vs-context.ts";
import { orderDevices } from "../engine/placement/devices.ts";
import { placedContext, type PlacedContext } from "../engine/placement/context.ts";
import { type PlacementResult } from "../engine/placement/index.ts";
import { placeWithExtras } from "../engine/placement/extras.ts";
import { trainedCap } from "../catalog/largest-context.ts";
import { formatBinary, formatContext } from "../format.ts";
import { machinePlacement, type MachineSpec } from "./placement-machine.ts";
import {
  barsOf,
  extrasKey,
  placeFor,
  placementConfig,
  tableFor,
  type DeviceBar,
  type PlacementModel,
} from "./placement-view.ts";
import { sampleContexts, sliderScale, SLIDER_MIN_CTX } from "./slider.ts";
import type { CalcState } from "./state.ts";
import type { Verdict } from "./verdict.ts";

export interface PlacedLargest {
  nCtx: number | null;
  /** "trained-context", "search-end", or a device's buffer name (`CUDA1`, `host`). */
  limitedBy: string;
  /** Words for limitedBy: "CUDA1 (RTX 4090 #2)", "host RAM", "the model's trained context". */
  limitedWords: string;
  beyond: { nCtx: number; atLeast: boolean; words: string } | null;
  /** Bytes on the limiting device at nCtx (null when the cap or nothing limits). */
  bytesAtMax: number | null;
}

const HOST_WORDS = "host RAM";
const MAX_CACHE = 32;
const cache = new WeakMap<object, Map<string, unknown>>();

/** Per model and configuration (the state but its context, and the machine): moving back is a lookup. */
function memo<T>(m: PlacementModel, what: string, state: CalcState, spec: MachineSpec, make: () => T): T {
  const key = `${what}|${JSON.stringify([{ ...state, ctx: 0, view: "" }, spec])}|${extrasKey(m.extras)}`;
  let per = cache.get(m.arch);
  if (!per) cache.set(m.arch, (per = new Map()));
  if (per.has(key)) return per.get(key) as T;
  const out = make();
  if (per.size >= MAX_CACHE) per.delete(per.keys().next().value!);
  per.set(key, out);
  return out;
}

/** Buffer name → "CUDA1 (RTX 4090 #2)": the card's name, numbered where the same card repeats. */
export function deviceWords(spec: MachineSpec): Map<string, string> {
  const devs = orderDevices(machinePlacement(spec));
  const count = new Map<string, number>();
  for (const d of devs) count.set(d.device.name, (count.get(d.device.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  const out = new Map<string, string>([["host", HOST_WORDS]]);
  for (const d of devs) {
    const n = (seen.get(d.device.name) ?? 0) + 1;
    seen.set(d.device.name, n);
    const name = (count.get(d.device.name) ?? 0) > 1 ? `${d.device.name} #${n}` : d.device.name;
    out.set(d.buft, `${d.buft} (${name})`);
  }
  return out;
}

function wordsFor(limit: string, words: Map<string, string>): string {
  if (limit === "trained-context") return "the model's trained context";
  if (limit === "search-end" || limit === "cap") return "the end of the searched range";
  return words.get(limit) ?? limit;
}

/** The n_ctx cap: trained context (× streams as llama.cpp compares per sequence), else the slider's end. */
function capOf(m: PlacementModel, state: CalcState): { cap: number; trained: boolean } {
  const config = placementConfig(m, state);
  const trained = m.arch.context_length;
  if (trained !== null && trained > 0) return { cap: trainedCap(trained, config), trained: true };
  return { cap: sliderScale(null).maxCtx, trained: false };
}

/** The engine's largest context for the PC's placement as set (no margin: each device's memory). */
export function placedLargestRaw(m: PlacementModel, state: CalcState, spec: MachineSpec): PlacedContext {
  const { cap } = capOf(m, state);
  const config = placementConfig(m, state, spec);
  return placedContext(m.arch, config, machinePlacement(spec), tableFor(m, state.ftype), {
    cap,
    beyond_end: cap * 4,
    extras: m.extras,
  });
}

/** Largest context for the PC's placement, in the calculator's words; cached per configuration. */
export function placedLargest(m: PlacementModel, state: CalcState, spec: MachineSpec): PlacedLargest {
  return memo(m, "largest", state, spec, () => {
    const r = placedLargestRaw(m, state, spec);
    const words = deviceWords(spec);
    const { trained } = capOf(m, state);
    const limitedBy = r.limited_by === "cap" ? (trained ? "trained-context" : "search-end") : r.limited_by;
    return {
      nCtx: r.n_ctx,
      limitedBy,
      limitedWords: wordsFor(limitedBy, words),
      beyond: r.beyond
        ? {
            nCtx: r.beyond.n_ctx,
            atLeast: r.beyond.limited_by === "search-end",
            words: wordsFor(r.beyond.limited_by, words),
          }
        : null,
      bytesAtMax: r.placement?.devices.find((d) => d.name === limitedBy)?.bytes ?? null,
    };
  });
}

/** "largest context 16,384 (16K) (limited by CUDA1 (RTX 4090 #2))" — the CLI and the page say the same. */
export function describePlaced(l: PlacedLargest): string {
  if (l.nCtx === null) return `nothing fits (limited by ${l.limitedWords})`;
  const s = `largest context ${formatContext(l.nCtx)} (limited by ${l.limitedWords})`;
  if (!l.beyond) return s;
  return `${s}; device memory would allow ${l.beyond.atLeast ? "at least " : ""}${formatContext(l.beyond.nCtx)} — beyond the trained context: needs RoPE/YaRN scaling`;
}

/** The verdict at the state's context: the binding bar (furthest over, else the least share free) decides, named. */
export function placedVerdict(m: PlacementModel, state: CalcState, spec: MachineSpec): Verdict {
  let r: PlacementResult;
  try {
    r = placeFor(m, state, spec);
  } catch (e) {
    const text = `Cannot place: ${e instanceof Error ? e.message : String(e)}`;
    return { kind: "unknown", text, headroomBytes: null, headroomPct: null };
  }
  const bind = barsOf(r).bars.find((b): b is DeviceBar & { budget: number } => b.binding && b.budget !== null);
  if (!bind) return { kind: "unknown", text: "No device has a budget.", headroomBytes: null, headroomPct: null };
  const who = deviceWords(spec).get(bind.name) ?? bind.name;
  const room = bind.budget - bind.total;
  const pct = (room / bind.budget) * 100;
  const at = { headroomBytes: room, headroomPct: pct };
  const of = `of its ${formatBinary(bind.budget)}`;
  if (room < 0) return { kind: "no", text: `Does not fit: ${who} is ${formatBinary(-room)} over ${of}.`, ...at };
  if (pct < 10)
    return {
      kind: "tight",
      text: `Tight: ${who} binds with ${formatBinary(room)} to spare (${pct.toFixed(1)} % ${of}, under 10 %).`,
      ...at,
    };
  return {
    kind: "fits",
    text: `Fits: ${who} binds with ${formatBinary(room)} to spare (${pct.toFixed(1)} % ${of}).`,
    ...at,
  };
}

const COLOURS = ["#2563eb", "#15803d", "#b45309", "#c2410c", "#9333ea", "#0e7490", "#be185d", "#4d7c0f"];
const DASHES = ["", "6,3", "2,3", "8,3,2,3", "1,2", "10,4", "4,2,1,2", "3,3"];

/**
 * The chart for a PC: one line per device (its bytes against context, the state's K/V types), each
 * device's memory (and the host's RAM when limited) as a limit line, the binding one marked.
 */
export function placedChart(
  m: PlacementModel,
  state: CalcState,
  spec: MachineSpec,
  largest: PlacedLargest,
): Omit<MemoryChartData, "current"> {
  return memo(m, "chart", state, spec, () => chartOf(m, state, spec, largest));
}

function chartOf(
  m: PlacementModel,
  state: CalcState,
  spec: MachineSpec,
  largest: PlacedLargest,
): Omit<MemoryChartData, "current"> {
  const scale = sliderScale(m.arch.context_length);
  const xDomain: [number, number] = [SLIDER_MIN_CTX, scale.maxCtx];
  const config = placementConfig(m, state, spec);
  const p = machinePlacement(spec);
  const table = tableFor(m, state.ftype);
  const words = deviceWords(spec);
  // one point per octave: a placement per point (the lines are near linear between them)
  const samples = sampleContexts(xDomain[0], xDomain[1], 1);
  const per = new Map<string, { ctx: number; bytes: number }[]>();
  const budgets = new Map<string, number | null>();
  for (const ctx of samples) {
    const r = placeWithExtras(m.arch, { ...config, n_ctx: ctx }, p, table, m.extras);
    for (const d of r.devices) {
      if (d.pool === "host" && d.bytes === 0) continue;
      if (!per.has(d.name)) per.set(d.name, []);
      per.get(d.name)!.push({ ctx, bytes: d.bytes });
      budgets.set(d.name, d.budget_bytes ?? null);
    }
  }
  const binding = largest.limitedBy;
  const series: CurveSeries[] = [...per].map(([name, points], i) => ({
    key: name,
    label: words.get(name) ?? name,
    points,
    maxCtx: name === binding ? largest.nCtx : null,
    maxNote: name === binding ? undefined : "does not bind",
    maxBytes: name === binding ? largest.bytesAtMax : null,
    selected: name === binding,
    colour: COLOURS[i % COLOURS.length],
    dash: DASHES[i % DASHES.length],
  }));
  // devices of one size share one line: "CUDA0 (…), CUDA1 (…) 24 GiB — CUDA1 binds"; the binding
  // (else the smallest) one is the chart's budget line, which also sets the chart's height
  const bySize = new Map<number, string[]>();
  for (const [name, bytes] of budgets) if (bytes !== null) bySize.set(bytes, [...(bySize.get(bytes) ?? []), name]);
  const lines = [...bySize]
    .sort((a, b) => a[0] - b[0])
    .map(([bytes, names]) => ({
      bytes,
      label: `${names.map((n) => words.get(n) ?? n).join(", ")} ${formatBinary(bytes)}${names.includes(binding) ? ` — ${names.length > 1 ? `${binding} ` : ""}binds` : ""}`,
      binding: names.includes(binding),
    }));
  const main = lines.find((l) => l.binding) ?? lines[0] ?? null;
  const limits = lines.filter((l) => l !== main);
  return {
    series,
    budgetBytes: main?.bytes ?? null,
    budgetLabel: main?.label ?? "",
    limits,
    trainCtx: m.arch.context_length,
    measured: [],
    xDomain,
  };
}
