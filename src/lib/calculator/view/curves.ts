/**
 * The lines of the chart and the rows of the max-context table: one per requested KV
 * configuration (the engine's symmetric set + the user's pick), each with its memory curve and
 * its largest context for the budget. Configurations the engine allocates identically (e.g. the
 * fork's auto-asymmetric K) share one line.
 */
import type { Architecture } from "../../../schemas/architecture.ts";
import type { Breakdown } from "../../../schemas/breakdown.ts";
import type { KvType } from "../../../schemas/kv-type.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import type { CurveSeries } from "../../../charts/memory-vs-context.ts";
import type { KvTypeOption } from "../catalog.ts";
import { accepts } from "../normalize.ts";
import { cachedBreakdown, cachedLargestContext, curvePoints } from "../static-cache.ts";
import type { CalcState } from "../state.ts";
import { allocatedLabel } from "./allocated.ts";
import { configFor, errMsg } from "./config.ts";
import type { BudgetView, MaxRow } from "./types.ts";

/** Line styles: colour + dash per KV configuration; never colour alone. */
const PALETTE = ["#2563eb", "#15803d", "#b45309", "#c2410c", "#9333ea", "#0e7490", "#be185d"];
const DASHES = ["", "6,3", "2,3", "8,3,2,3", "1,2", "10,4", "4,2,1,2"];
export const GREY = "#6b7280";
/** The context each line is first computed at (its label, and whether it is another line's twin). */
const PROBE_CTX = 4096;

/** What every line is computed from. */
export interface LineInput {
  state: CalcState;
  kvTypes: readonly KvTypeOption[];
  arch: Architecture;
  opts: { tensors: TensorTable | null; tensors_ftype: string | null };
  /** Weights from a tensor table (exact). */
  exact: boolean;
  /** The vision encoder is counted. */
  vis: boolean;
  budget: BudgetView;
  samples: number[];
  xDomain: [number, number];
  trainCtx: number | null;
}

/** Requested KV configurations drawn as lines: the symmetric set of the engine + the user's pick. */
function lineConfigs(state: CalcState, kvTypes: readonly KvTypeOption[]): { k: KvType; v: KvType }[] {
  const sym: KvType[] = ["f16", "q8_0", "q4_0", "turbo4", "turbo3", "turbo2"];
  const out = sym.filter((t) => accepts(kvTypes, state.engine, t)).map((t) => ({ k: t, v: t }));
  if (!out.some((c) => c.k === state.typeK && c.v === state.typeV)) out.push({ k: state.typeK, v: state.typeV });
  return out;
}

type Largest = Pick<MaxRow, "maxCtx" | "limitedBy" | "beyond" | "kvBytes" | "totalBytes" | "error">;

/** Largest context of one configuration for the budget (capped at the trained context). */
function largestFor(inp: LineInput, k: KvType, v: KvType): Largest {
  const { state, arch, opts, exact, vis, budget } = inp;
  const out: Largest = { maxCtx: null, limitedBy: null, beyond: null, kvBytes: null, totalBytes: null, error: null };
  const eb = budget.engine;
  if (!eb) return { ...out, error: budget.error ?? "no budget" };
  const poolOf = (b: Breakdown) => (budget.pool === "device" ? b.total.device_bytes : b.total.bytes);
  try {
    const cfg = configFor(state, k, v, 0, exact, vis);
    const r = cachedLargestContext(arch, cfg, eb, { ...opts, trainedCtx: inp.trainCtx, searchEnd: inp.xDomain[1] });
    out.limitedBy = r.limitedBy;
    if (r.beyond) out.beyond = { nCtx: r.beyond.nCtx, atLeast: r.beyond.limitedBy === "search-end" };
    if (r.nCtx !== null && r.breakdown) {
      out.maxCtx = r.nCtx;
      out.totalBytes = poolOf(r.breakdown);
      out.kvBytes = r.breakdown.kv.bytes + r.breakdown.kv.extra_bytes;
    }
  } catch (e) {
    out.error = errMsg(e);
  }
  return out;
}

/** Cited quality notes of the configuration's types. */
function qualityOf(kvTypes: readonly KvTypeOption[], k: KvType, v: KvType): string[] {
  return [...new Set([k, v])].flatMap((t) =>
    (kvTypes.find((x) => x.name === t)?.quality ?? []).map((q) => `${t}: ${q}`),
  );
}

/** A table row, its fields in the view's order. */
function row(
  base: Pick<MaxRow, "key" | "requested" | "selected" | "quality" | "dash">,
  effective: string,
  m: Largest,
  colour: string,
): MaxRow {
  const { key, requested, selected, quality, dash } = base;
  const { maxCtx, limitedBy, beyond, kvBytes, totalBytes, error } = m;
  return {
    key,
    requested,
    effective,
    selected,
    maxCtx,
    limitedBy,
    beyond,
    kvBytes,
    totalBytes,
    quality,
    error,
    colour,
    dash,
  };
}

/** The chart's series and the max-context table, in the same order and styles. */
export function curvesAndMaxTable(inp: LineInput): { series: CurveSeries[]; maxTable: MaxRow[] } {
  const { state, arch, opts, exact, vis } = inp;
  const series: CurveSeries[] = [];
  const maxTable: MaxRow[] = [];
  const seen = new Map<string, CurveSeries>();
  lineConfigs(state, inp.kvTypes).forEach((c, i) => {
    const selected = c.k === state.typeK && c.v === state.typeV;
    const requested = `${c.k}/${c.v}`;
    const quality = qualityOf(inp.kvTypes, c.k, c.v);
    const colour = PALETTE[i % PALETTE.length];
    const dash = DASHES[i % DASHES.length];
    const base = { key: requested, requested, selected, quality, dash };
    let probe: Breakdown;
    try {
      probe = cachedBreakdown(arch, configFor(state, c.k, c.v, PROBE_CTX, exact, vis), opts);
    } catch (e) {
      const none = { maxCtx: null, limitedBy: null, beyond: null, kvBytes: null, totalBytes: null };
      maxTable.push(row(base, "—", { ...none, error: errMsg(e) }, GREY));
      return;
    }
    const { label } = allocatedLabel(probe);
    // Same allocation as an earlier line (e.g. the fork's auto-asymmetric K): merge.
    const sig = `${label}|${probe.kv.bytes}|${probe.total.bytes}`;
    const twin = seen.get(sig);
    if (twin) {
      twin.label = `${twin.label.replace(/ \(asked: .*\)$/, "")} (asked: ${[twin.key, requested].join(", ")})`;
      twin.selected ||= selected;
      const tr = maxTable.find((r) => r.key === twin.key)!;
      maxTable.push({ ...tr, ...base, colour: twin.colour, dash: twin.dash });
      return;
    }
    const pool = inp.budget.pool === "device" ? "device" : "total";
    // the probe is the totals-only path's reference breakdown (one full breakdown less per line)
    const ref = { nCtx: PROBE_CTX, breakdown: probe };
    const points = curvePoints(arch, configFor(state, c.k, c.v, 0, exact, vis), inp.samples, pool, opts, ref);
    const m = largestFor(inp, c.k, c.v);
    const s: CurveSeries = {
      key: requested,
      label,
      points,
      maxCtx: m.maxCtx,
      maxBytes: m.totalBytes,
      maxLimited: m.limitedBy === "search-end",
      selected,
      colour,
      dash,
    };
    seen.set(sig, s);
    series.push(s);
    maxTable.push(row(base, label, m, colour));
  });
  for (const s of series)
    if (s.label.includes("(asked:"))
      for (const r of maxTable) if (r.colour === s.colour) r.effective = s.label.replace(/ \(asked: .*\)$/, "");
  return { series, maxTable };
}
