/**
 * The calculator's view model: everything the island shows, computed from the state by the
 * engine (src/lib/engine), the catalog's budget rules (src/lib/catalog) and the command builders.
 *
 * Split in two so the slider stays cheap: `computeStatic` holds what does not depend on the
 * context (curves of every KV configuration, max context per configuration, K/V options, budget,
 * measured points: a few hundred engine calls, ~10 ms); `computeAtCtx` is one breakdown at the
 * slider's context plus what derives from it (~0.1 ms). Both return plain serialisable data: the
 * build renders the default state's view into the page, the browser recomputes it on input.
 *
 * This module (and the engine under it) is loaded lazily by the island; the page's first paint
 * comes from the build.
 */
import { ArchitectureSchema, type Architecture } from "../../schemas/architecture.ts";
import type { Breakdown, Note } from "../../schemas/breakdown.ts";
import type { Budget } from "../../schemas/budget.ts";
import type { Hardware } from "../../schemas/hardware.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import type { TensorTable } from "../../schemas/tensor-table.ts";
import type { CurveSeries, MeasuredMark, MemoryChartData } from "../../charts/memory-vs-context.ts";
import { computeBreakdown } from "../engine/breakdown.ts";
import { resolveLayers } from "../engine/layers.ts";
import { largestCtxBelow, mostLayers, suggest, type Suggestion } from "./suggest.ts";
import type { ContextLimit } from "../catalog/largest-context.ts";
import type { Budget as EngineBudget } from "../engine/solve.ts";
import { engineBudget, usableBudget } from "../catalog/budget.ts";
import { GiB, MiB } from "../units.ts";
import type { CalcCatalog, HardwareOption, KvTypeOption, MeasuredRunOption, ModelOption } from "./catalog.ts";
import { buildCommands, type Command } from "./commands.ts";
import { layerGroups, type LayerGroup } from "./layer-groups.ts";
import { geometry, measuredMarks, runMatches } from "./measured.ts";
import { accepts } from "./normalize.ts";
import { sampleContexts, sliderScale, SLIDER_MIN_CTX, type SliderScale } from "./slider.ts";
import { cachedBreakdown, cachedLargestContext, configError, curvePoints } from "./static-cache.ts";
import type { CalcKvType, CalcState } from "./state.ts";
import { formatBinary, formatDecimal, groupDigits } from "../format.ts";
import { reserveBudget, type Reserve } from "./vision-view.ts";
import { fitsBudget, verdictFor, type Verdict } from "./verdict.ts";

/** A model that is not in the catalog: read from a GGUF header or edited by hand. */
export interface LoadedModel {
  kind: "gguf" | "custom";
  /** File name, URL or "custom". */
  name: string;
  architecture: Architecture;
  tensors: TensorTable | null;
  tensorsFtype: string | null;
  fileBytes: number | null;
  url: string | null;
}

export interface ViewInput {
  state: CalcState;
  catalog: CalcCatalog;
  loaded: LoadedModel | null;
  /** Runs the user loaded in the browser, on top of the catalog's. */
  extraRuns: readonly MeasuredRunOption[];
  /** Bytes held beside the model (a vision projector: ./vision-view.ts), taken off the budget. */
  reserve?: Reserve | null;
}

export interface TypeOption {
  name: CalcKvType;
  bitsPerValue: number;
  /** Why it cannot be picked here; null = allowed. */
  disabled: string | null;
}

export interface MaxRow {
  key: string;
  requested: string;
  effective: string;
  selected: boolean;
  /** Largest context (src/lib/catalog/largest-context.ts: capped at the trained context). */
  maxCtx: number | null;
  limitedBy: ContextLimit | null;
  /** What memory alone would allow past the trained context (needs RoPE/YaRN scaling). */
  beyond: { nCtx: number; atLeast: boolean } | null;
  kvBytes: number | null;
  totalBytes: number | null;
  quality: string[];
  error: string | null;
  colour: string;
  dash: string;
}

export interface BudgetView {
  name: string;
  error: string | null;
  totalBytes: number | null;
  totalStatedAs: string | null;
  items: {
    index: number;
    label: string;
    bytes: number | null;
    statedAs: string | null;
    replacedBy: string | null;
    estimated: boolean;
    overridden: boolean;
    note: string | null;
  }[];
  statedAvailable: string | null;
  quote: string | null;
  source: string;
  notes: string | null;
  /** Usable bytes (min of free RAM after reservations and the working set). */
  usableBytes: number | null;
  limitedBy: string | null;
  freeAfterReservationsBytes: number | null;
  workingSetBytes: number | null;
  workingSetKind: string | null;
  /** The Mac's default working set (before any iogpu.wired_limit_mb override) and how it is known. */
  defaultWorkingSetBytes: number | null;
  defaultWorkingSetKind: string | null;
  /** True when the chosen hardware is Apple Silicon (the wired-limit lever applies). */
  apple: boolean;
  warnings: string[];
  /** What the engine's solver is given. */
  engine: EngineBudget | null;
  /** The number the chart's budget line and the bar use. */
  lineBytes: number | null;
  pool: "device" | "total";
}

export interface ModelInfo {
  id: string;
  name: string;
  family: string | null;
  arch: string;
  source: "catalog" | "gguf" | "custom";
  fileName: string | null;
  blockCount: number;
  trainCtx: number | null;
  hasSwa: boolean;
  hasRecurrent: boolean;
  isMla: boolean;
  paramsB: number | null;
  vision: { available: boolean; reason: string | null; bytes: number };
  variants: ModelOption["variants"];
  ollamaTag: string | null;
  hfId: string | null;
  /** Weights come from the file's tensor table (exact). */
  exactWeights: boolean;
  tensorsFtype: string | null;
}

export interface StaticView {
  key: string;
  model: ModelInfo | null;
  error: string | null;
  scale: SliderScale;
  kOptions: TypeOption[];
  vOptions: TypeOption[];
  budget: BudgetView;
  chart: Omit<MemoryChartData, "current">;
  maxTable: MaxRow[];
  measuredRuns: { id: string; title: string; points: number }[];
  measuredSkipped: string[];
  /** Chart pool in words ("device memory" / "total memory"). */
  poolLabel: string;
  /**
   * Metal only: upper ends for the uncalibrated compute and overhead estimates, from the stated
   * allowances of a reported Metal budget (data/budgets), until a Metal run is ingested.
   */
  metalRange: { overheadHi: number; computeHi: number; source: string } | null;
}

export interface Component {
  key: string;
  label: string;
  bytes: number;
  /** Low and high end for uncalibrated estimates (Metal), else null. */
  range: [number, number] | null;
  /** The part in device (GPU) memory. */
  device: number;
  detail: string;
  estimate: boolean;
  uncalibrated: boolean;
}

export interface CtxView {
  ctx: number;
  error: string | null;
  requested: number;
  totalRequested: number;
  allocated: number;
  nCtxSeq: number;
  nStream: number;
  padNote: string | null;
  beyondModel: boolean;
  effective: { typeK: string; typeV: string; fa: boolean; changes: string[]; vMixed: string | null };
  components: Component[];
  device: number;
  host: number;
  total: number;
  poolBytes: number;
  verdict: Verdict;
  layerGroups: LayerGroup[];
  commands: Command[];
  notes: Note[];
  offload: {
    nLayers: number;
    ngl: number;
    deviceBytes: number;
    hostBytes: number;
    maxLayersFit: number | null;
    partial: boolean;
  };
  current: { ctx: number; bytes: number } | null;
  /** Metal: the verdict with compute and overhead at the high end of their range. */
  verdictHigh: Verdict | null;
  /** When it does not fit: the cheapest single changes that make it fit (./suggest.ts). */
  suggestions?: Suggestion[];
  /** Bytes per allocated cell around this point (engine's local linear model). */
  perToken: number | null;
}

export interface CalcView {
  s: StaticView;
  c: CtxView;
}

/** Line styles: colour + dash per KV configuration; never colour alone. */
const PALETTE = ["#2563eb", "#15803d", "#b45309", "#c2410c", "#9333ea", "#0e7490", "#be185d"];
const DASHES = ["", "6,3", "2,3", "8,3,2,3", "1,2", "10,4", "4,2,1,2"];
const GREY = "#6b7280";

const archCache = new Map<string, Architecture>();
const runArchCache = new WeakMap<MeasuredRunOption, Architecture | null>();

function archOf(m: ModelOption): Architecture {
  let a = archCache.get(m.id);
  if (!a) archCache.set(m.id, (a = ArchitectureSchema.parse(m.architecture)));
  return a;
}

/** The knobs of the state that change what computeStatic returns (everything but ctx and view). */
export function staticKey(s: CalcState): string {
  const { ctx: _c, view: _v, ...rest } = s;
  return JSON.stringify(rest);
}

function engineName(e: string): string {
  return e === "turboquant" ? "the TurboQuant fork" : e === "ollama" ? "Ollama" : "llama.cpp";
}

export function configFor(
  state: CalcState,
  typeK: KvType,
  typeV: KvType,
  ctx: number,
  exactWeights: boolean,
  vision = false,
): RuntimeConfig {
  return {
    n_ctx: ctx,
    type_k: typeK,
    type_v: typeV,
    n_seq: state.nSeq,
    kv_unified: state.unified,
    swa_full: state.swaFull,
    flash_attn: state.flashAttn,
    n_ubatch: state.nUbatch,
    n_batch: 2048,
    n_gpu_layers: state.nGpuLayers,
    no_kv_offload: false,
    backend: state.backend,
    engine: { name: state.engine, revision: state.revision } as RuntimeConfig["engine"],
    n_rs_seq: 0,
    weights_ftype: exactWeights ? null : state.ftype,
    vision_weights: vision,
  };
}

function hardwareLike(h: HardwareOption): Hardware {
  return {
    id: h.id,
    name: h.name,
    vendor: h.vendor,
    memoryKind: h.unified ? "unified" : "discrete",
    memoryBytes: h.memoryBytes,
    metalWorkingSet: h.workingSet
      ? {
          bytes: h.workingSet.bytes,
          kind: h.workingSet.kind as "measured" | "estimated",
          rule: h.workingSet.rule,
          source: "",
          observations: [],
          note: null,
        }
      : null,
    wiredLimitSysctl: h.wiredLimit ? "iogpu.wired_limit_mb" : null,
    usableMemory:
      h.usableBytes !== null
        ? {
            totalBytes: h.memoryBytes,
            reservedBytes: 0,
            usableBytes: h.usableBytes,
            kind: "measured",
            source: "",
            note: null,
          }
        : null,
  } as unknown as Hardware;
}

function budgetView(state: CalcState, catalog: CalcCatalog): BudgetView {
  const b0 = catalog.budgets.find((b) => b.id === state.budget) ?? catalog.budgets[0];
  const hwOpt = state.hardware ? (catalog.hardware.find((h) => h.id === state.hardware) ?? null) : null;
  const hw = hwOpt ? hardwareLike(hwOpt) : null;
  // Apply the user's overrides to a copy of the budget.
  const b: Budget = {
    ...b0,
    total:
      state.totalBytes !== null
        ? { amount: state.totalBytes, unit: "B", bytes: state.totalBytes, approximate: false }
        : b0.total,
    items: b0.items.map((it, i) => {
      const o = state.items[String(i)];
      return o === undefined
        ? it
        : { ...it, stated: { amount: o, unit: "B", bytes: o, approximate: false }, estimated: false };
    }),
  };
  const pool: "device" | "total" = state.backend === "cuda" ? "device" : "total";
  const base: BudgetView = {
    name: b0.name,
    error: null,
    totalBytes: null,
    totalStatedAs: state.totalBytes !== null ? "edited" : b0.total ? `${b0.total.amount} ${b0.total.unit}` : null,
    items: b0.items.map((it, i) => ({
      index: i,
      label: it.label,
      bytes: b.items[i].stated?.bytes ?? null,
      statedAs: it.stated ? `${it.stated.approximate ? "~" : ""}${it.stated.amount} ${it.stated.unit}` : null,
      replacedBy: it.replacedByEngine,
      estimated: it.estimated,
      overridden: state.items[String(i)] !== undefined,
      note: it.note,
    })),
    statedAvailable: b0.statedAvailable ? `${b0.statedAvailable.amount} ${b0.statedAvailable.unit}` : null,
    quote: b0.quote,
    source: b0.source,
    notes: b0.notes,
    usableBytes: null,
    limitedBy: null,
    freeAfterReservationsBytes: null,
    workingSetBytes: null,
    workingSetKind: null,
    defaultWorkingSetBytes: hwOpt?.workingSet?.bytes ?? null,
    defaultWorkingSetKind: hwOpt?.workingSet
      ? `${hwOpt.workingSet.kind}${hwOpt.workingSet.rule ? `: ${hwOpt.workingSet.rule}` : ""}`
      : null,
    apple: hwOpt?.vendor === "apple",
    warnings: [],
    engine: null,
    lineBytes: null,
    pool,
  };
  try {
    const u = usableBudget(b, hw, { wiredLimitMiB: state.wiredMiB });
    const eb = engineBudget(u, hw);
    // Off Apple: the bar and line compare the chart's pool with the usable bytes.
    const engine: EngineBudget = hw ? eb : { bytes: u.bytes, pool };
    return {
      ...base,
      totalBytes: u.totalBytes,
      usableBytes: u.bytes,
      limitedBy: u.limitedBy,
      freeAfterReservationsBytes: u.freeAfterReservationsBytes,
      workingSetBytes: u.workingSetBytes,
      workingSetKind: u.workingSetKind,
      warnings: u.warnings,
      engine: { ...engine, pool: engine.pool ?? pool },
      lineBytes: engine.bytes,
      pool: (engine.pool ?? pool) as "device" | "total",
    };
  } catch (e) {
    return { ...base, error: (e as Error).message };
  }
}

/** The label of what is really allocated: "K q8_0 · V turbo4" (+ boundary layers). */
function allocatedLabel(b: Breakdown): { label: string; vMixed: string | null } {
  const vTypes = new Map<string, number>();
  const kTypes = new Set<string>();
  for (const c of b.kv.caches)
    for (const r of c.rows) {
      kTypes.add(r.type_k);
      if (r.type_v) vTypes.set(r.type_v, (vTypes.get(r.type_v) ?? 0) + 1);
    }
  const k = kTypes.size ? [...kTypes].join("+") : b.effective.type_k;
  if (vTypes.size === 0)
    return {
      label: b.kv.caches.length ? `K ${k} (K only)` : `K ${b.effective.type_k} · V ${b.effective.type_v}`,
      vMixed: null,
    };
  const main = b.effective.type_v;
  const others = [...vTypes.keys()].filter((t) => t !== main);
  const vMixed = others.length
    ? `${others.join(", ")} on ${others.map((t) => vTypes.get(t)).join("+")} boundary layer(s)`
    : null;
  return { label: `K ${k} · V ${main}${vMixed ? ` (+ ${others.join(", ")} on boundary layers)` : ""}`, vMixed };
}

interface Resolved {
  model: ModelInfo;
  arch: Architecture;
  tensors: TensorTable | null;
  tensorsFtype: string | null;
  /** The catalog's quant tables, for the suggestions (./suggest.ts). */
  quants?: Pick<CalcCatalog, "ftypes" | "kvTypes">;
}

function resolveModel(state: CalcState, catalog: CalcCatalog, loaded: LoadedModel | null): Resolved {
  if (state.model === "gguf" || state.model === "custom") {
    if (!loaded)
      throw new Error(
        state.model === "gguf" ? "Load a GGUF file or URL to size it." : "No custom architecture loaded.",
      );
    const a = loaded.architecture;
    const r = resolveLayers(a);
    return {
      arch: a,
      tensors: loaded.tensors,
      tensorsFtype: loaded.tensorsFtype,
      model: {
        id: state.model,
        name: loaded.kind === "gguf" ? `${a.name ?? a.arch} (${loaded.name})` : (a.name ?? `custom ${a.arch}`),
        family: null,
        arch: a.arch,
        source: loaded.kind,
        fileName: loaded.name,
        blockCount: a.block_count,
        trainCtx: a.context_length,
        hasSwa: r.has_swa,
        hasRecurrent: r.recurrent_widths !== null,
        isMla: r.is_mla,
        paramsB: a.n_params ? a.n_params / 1e9 : null,
        vision: {
          available: false,
          reason: "a GGUF's vision encoder is a separate mmproj file: read it in the vision projector box",
          bytes: 0,
        },
        variants: [],
        ollamaTag: null,
        hfId: null,
        exactWeights: loaded.tensors !== null,
        tensorsFtype: loaded.tensorsFtype,
      },
    };
  }
  const m = catalog.models.find((x) => x.id === state.model);
  if (!m) throw new Error(`Model "${state.model}" is not in the catalog.`);
  const a = archOf(m);
  const r = resolveLayers(a);
  const visionBytes = a.n_params_vision ? a.n_params_vision * 2 : 0;
  return {
    arch: a,
    tensors: null,
    tensorsFtype: null,
    model: {
      id: m.id,
      name: m.name,
      family: m.family,
      arch: a.arch,
      source: "catalog",
      fileName: null,
      blockCount: a.block_count,
      trainCtx: a.context_length,
      hasSwa: r.has_swa,
      hasRecurrent: r.recurrent_widths !== null,
      isMla: r.is_mla,
      paramsB: m.paramsB,
      vision: !m.visionEncoder
        ? { available: false, reason: "the model has no vision encoder", bytes: 0 }
        : visionBytes
          ? { available: true, reason: null, bytes: visionBytes }
          : { available: false, reason: "the vision encoder's size is not in the catalog yet", bytes: 0 },
      variants: m.variants,
      ollamaTag: m.ollamaTag,
      hfId: m.hfId,
      exactWeights: false,
      tensorsFtype: null,
    },
  };
}

/** Requested KV configurations drawn as lines: the symmetric set of the engine + the user's pick. */
function lineConfigs(state: CalcState, kvTypes: readonly KvTypeOption[]): { k: KvType; v: KvType }[] {
  const sym: KvType[] = ["f16", "q8_0", "q4_0", "turbo4", "turbo3", "turbo2"];
  const out = sym.filter((t) => accepts(kvTypes, state.engine, t)).map((t) => ({ k: t, v: t }));
  if (!out.some((c) => c.k === state.typeK && c.v === state.typeV)) out.push({ k: state.typeK, v: state.typeV });
  return out;
}

/** The stated Metal allowances of the first reported budget that itemises them (e.g. the 36 GB M3 Max report). */
function metalAllowances(catalog: CalcCatalog, engine: string): StaticView["metalRange"] {
  for (const b of catalog.budgets) {
    const amount = (kinds: string[]) =>
      b.items.filter((i) => kinds.includes(i.kind) && i.stated).reduce((a, i) => a + i.stated!.bytes, 0);
    const driver = amount(["gpu-driver"]);
    const activations = amount(["activations"]);
    if (!driver || !activations) continue;
    const runtime = engine === "ollama" ? amount(["runtime"]) : 0;
    return { overheadHi: driver + runtime, computeHi: activations, source: b.name };
  }
  return null;
}

function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function computeStatic(inp: ViewInput): { view: StaticView; resolved: Resolved | null } {
  const { state, catalog } = inp;
  const budget = reserveBudget(budgetView(state, catalog), inp.reserve);
  const emptyChart = {
    series: [],
    budgetBytes: null,
    budgetLabel: "",
    trainCtx: null,
    measured: [],
    xDomain: [SLIDER_MIN_CTX, 131072] as [number, number],
  };
  let resolved: Resolved;
  try {
    resolved = resolveModel(state, catalog, inp.loaded);
  } catch (e) {
    return {
      resolved: null,
      view: {
        key: staticKey(state),
        model: null,
        error: errMsg(e),
        scale: sliderScale(null),
        kOptions: [],
        vOptions: [],
        budget,
        chart: emptyChart,
        maxTable: [],
        measuredRuns: [],
        measuredSkipped: [],
        poolLabel: "",
        metalRange: null,
      },
    };
  }
  const { arch, tensors, tensorsFtype, model } = resolved;
  const opts = { tensors, tensors_ftype: tensorsFtype };
  const exact = tensors !== null;
  const scale = sliderScale(model.trainCtx);
  const xDomain: [number, number] = [SLIDER_MIN_CTX, scale.maxCtx];
  const vis = state.vision && model.vision.available;

  const tryConfig = (k: KvType, v: KvType): string | null =>
    configError(arch, configFor(state, k, v, 1024, exact, vis), opts);
  const options = (which: "k" | "v"): TypeOption[] =>
    catalog.kvTypes.map((t) => {
      let disabled: string | null = null;
      if (!accepts(catalog.kvTypes, state.engine, t.name))
        disabled = t.name.startsWith("turbo")
          ? `needs the TurboQuant fork (${engineName(state.engine)} rejects it)`
          : `${engineName(state.engine)} does not accept ${t.name}`;
      else if (state.engine === "ollama" && which === "v" && t.name !== state.typeK)
        disabled = "Ollama uses one type for K and V: pick it as the K type";
      else {
        const k = which === "k" ? t.name : state.typeK;
        const v = which === "v" ? t.name : state.engine === "ollama" ? t.name : state.typeV;
        disabled = tryConfig(k as KvType, v as KvType);
      }
      return { name: t.name, bitsPerValue: t.bitsPerValue, disabled };
    });

  // Lines, max context per configuration.
  const eb = budget.engine;
  const samples = sampleContexts(xDomain[0], xDomain[1], 3);
  const series: CurveSeries[] = [];
  const maxTable: MaxRow[] = [];
  const seen = new Map<string, CurveSeries>();
  const configs = lineConfigs(state, catalog.kvTypes);
  const poolOf = (b: Breakdown) => (budget.pool === "device" ? b.total.device_bytes : b.total.bytes);
  configs.forEach((c, i) => {
    const selected = c.k === state.typeK && c.v === state.typeV;
    const requested = `${c.k}/${c.v}`;
    const quality = [...new Set([c.k, c.v])].flatMap((t) =>
      (catalog.kvTypes.find((x) => x.name === t)?.quality ?? []).map((q) => `${t}: ${q}`),
    );
    const colour = PALETTE[i % PALETTE.length];
    const dash = DASHES[i % DASHES.length];
    let probe: Breakdown;
    try {
      probe = cachedBreakdown(arch, configFor(state, c.k, c.v, 4096, exact, vis), opts);
    } catch (e) {
      maxTable.push({
        key: requested,
        requested,
        effective: "—",
        selected,
        maxCtx: null,
        limitedBy: null,
        beyond: null,
        kvBytes: null,
        totalBytes: null,
        quality,
        error: errMsg(e),
        colour: GREY,
        dash,
      });
      return;
    }
    const { label } = allocatedLabel(probe);
    // Same allocation as an earlier line (e.g. the fork's auto-asymmetric K): merge.
    const sig = `${label}|${probe.kv.bytes}|${probe.total.bytes}`;
    const twin = seen.get(sig);
    let row: MaxRow;
    if (twin) {
      twin.label = `${twin.label.replace(/ \(asked: .*\)$/, "")} (asked: ${[twin.key, requested].join(", ")})`;
      twin.selected ||= selected;
      const tr = maxTable.find((r) => r.key === twin.key)!;
      row = { ...tr, key: requested, requested, selected, quality, colour: twin.colour, dash: twin.dash };
      maxTable.push(row);
      return;
    }
    const pool = budget.pool === "device" ? "device" : "total";
    const points = curvePoints(arch, configFor(state, c.k, c.v, 0, exact, vis), samples, pool, opts);
    let maxCtx: number | null = null;
    let maxBytes: number | null = null;
    let limitedBy: MaxRow["limitedBy"] = null;
    let beyond: MaxRow["beyond"] = null;
    let kvBytes: number | null = null;
    let error: string | null = null;
    if (eb) {
      try {
        const cfg = configFor(state, c.k, c.v, 0, exact, vis);
        const r = cachedLargestContext(arch, cfg, eb, { ...opts, trainedCtx: model.trainCtx, searchEnd: xDomain[1] });
        limitedBy = r.limitedBy;
        if (r.beyond) beyond = { nCtx: r.beyond.nCtx, atLeast: r.beyond.limitedBy === "search-end" };
        if (r.nCtx !== null && r.breakdown) {
          maxCtx = r.nCtx;
          maxBytes = poolOf(r.breakdown);
          kvBytes = r.breakdown.kv.bytes + r.breakdown.kv.extra_bytes;
        }
      } catch (e) {
        error = errMsg(e);
      }
    } else error = budget.error ?? "no budget";
    const s: CurveSeries = {
      key: requested,
      label,
      points,
      maxCtx,
      maxBytes,
      maxLimited: limitedBy === "search-end",
      selected,
      colour,
      dash,
    };
    seen.set(sig, s);
    series.push(s);
    row = {
      key: requested,
      requested,
      effective: label,
      selected,
      maxCtx,
      limitedBy,
      beyond,
      kvBytes,
      totalBytes: maxBytes,
      quality,
      error,
      colour,
      dash,
    };
    maxTable.push(row);
  });
  for (const s of series)
    if (s.label.includes("(asked:"))
      for (const r of maxTable) if (r.colour === s.colour) r.effective = s.label.replace(/ \(asked: .*\)$/, "");

  // Measured points.
  const colourOf = (key: string) => maxTable.find((r) => r.key === key && !r.error)?.colour ?? GREY;
  const geo = geometry(arch);
  const measured: MeasuredMark[] = [];
  const measuredRuns: StaticView["measuredRuns"] = [];
  const measuredSkipped: string[] = [];
  for (const run of [...catalog.runs, ...inp.extraRuns]) {
    let runArch = runArchCache.get(run);
    if (runArch === undefined) {
      const r = run.architecture ? ArchitectureSchema.safeParse(run.architecture) : null;
      runArch = r && r.success ? r.data : null;
      runArchCache.set(run, runArch);
    }
    if (!runMatches(run, model.source === "catalog" ? model.id : null, geo, runArch)) continue;
    const { marks, skipped } = measuredMarks({ run, arch: runArch ?? arch, chartPool: budget.pool, colourOf });
    measured.push(...marks);
    measuredSkipped.push(...skipped);
    measuredRuns.push({ id: run.id, title: run.title, points: marks.length });
  }

  const picked = maxTable.find((r) => r.selected);
  const budgetLabel =
    budget.lineBytes !== null
      ? `budget ${formatDecimal(budget.lineBytes)} (${formatBinary(budget.lineBytes)})${picked?.limitedBy === "memory" ? " — binds" : ""}`
      : "no budget";
  const ws = eb?.device_limit_bytes;
  const limits =
    ws !== undefined
      ? [
          {
            bytes: ws,
            label: `GPU working-set limit ${formatBinary(ws)}${picked?.limitedBy === "working-set" ? " — binds" : ""}`,
            binding: picked?.limitedBy === "working-set",
          },
        ]
      : [];
  const view: StaticView = {
    key: staticKey(state),
    model,
    error: null,
    scale,
    kOptions: options("k"),
    vOptions: options("v"),
    budget,
    chart: { series, budgetBytes: budget.lineBytes, budgetLabel, limits, trainCtx: model.trainCtx, measured, xDomain },
    maxTable,
    measuredRuns,
    measuredSkipped,
    poolLabel: budget.pool === "device" ? "device (GPU) memory" : "total memory (device + host)",
    metalRange: state.backend === "metal" ? metalAllowances(catalog, state.engine) : null,
  };
  return { view, resolved: { ...resolved, quants: { ftypes: catalog.ftypes, kvTypes: catalog.kvTypes } } };
}

function fileNameFor(state: CalcState, model: ModelInfo): string {
  if (model.source === "gguf") return state.ggufUrl ?? model.fileName ?? "model.gguf";
  if (model.source === "custom") return "model.gguf";
  return `${model.id}-${state.ftype}.gguf`;
}

function bytesText(n: number): string {
  return `${formatBinary(n)} (${formatDecimal(n)})`;
}

export function computeAtCtx(sv: StaticView, resolved: Resolved | null, state: CalcState): CtxView {
  const empty: CtxView = {
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
  if (!resolved || !sv.model) return empty;
  const { arch, tensors, tensorsFtype } = resolved;
  const model = sv.model;
  const exact = tensors !== null;
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
    b = computeBreakdown(arch, configFor(state, state.typeK, state.typeV, state.ctx, exact, vis), opts);
  } catch (e) {
    return {
      ...empty,
      error: errMsg(e),
      commands,
      verdict: { kind: "unknown", text: `Cannot compute: ${errMsg(e)}`, headroomBytes: null, headroomPct: null },
    };
  }
  const visionBytes = vis ? model.vision.bytes : 0;
  const mr = sv.metalRange;
  const metal = state.backend === "metal";
  const devOf = (list: readonly { host: boolean; bytes: number }[]) =>
    list.filter((x) => !x.host).reduce((s, x) => s + x.bytes, 0);
  const hostOf = (list: readonly { host: boolean; bytes: number }[]) =>
    list.filter((x) => x.host).reduce((s, x) => s + x.bytes, 0);
  const wDetail =
    b.weights.source === "tensor-table"
      ? `exact, from the GGUF's tensor table${b.weights.ftype ? ` (${b.weights.ftype})` : ""}`
      : b.weights.source === "builder"
        ? `exact tensor table built for ${b.weights.ftype} (llama-quantize mixing rules)`
        : b.weights.source === "params-x-bpw"
          ? `estimate: parameters × typical bits per weight of ${b.weights.ftype}`
          : "unknown (no ftype)";
  const { label: effLabel, vMixed } = allocatedLabel(b);
  // KV per device includes alignment and rotation buffers; split K/V by their size-line shares.
  const kvDev = devOf(b.kv.per_device);
  const kShare = b.kv.bytes > 0 ? b.kv.k_bytes / b.kv.bytes : 0.5;
  const components: Component[] = [
    {
      key: "weights",
      label: "Weights",
      bytes: devOf(b.weights.per_device) + hostOf(b.weights.per_device),
      device: devOf(b.weights.per_device),
      detail: `${wDetail}; file ${formatBinary(b.weights.bytes)}; device ${formatBinary(devOf(b.weights.per_device))}, host ${formatBinary(hostOf(b.weights.per_device))}${
        b.weights.tied_duplicate_bytes
          ? `; includes the tied output copy ${formatBinary(b.weights.tied_duplicate_bytes)}`
          : ""
      }${visionBytes ? `; includes the vision encoder ${formatBinary(visionBytes)} (estimate, F16 mmproj)` : ""}`,
      estimate: b.weights.estimate,
      uncalibrated: false,
      range: null,
    },
  ];
  components.push(
    {
      key: "k",
      label: `KV: K (${b.effective.type_k})`,
      bytes: b.kv.k_bytes,
      device: kvDev * kShare,
      detail: `${b.kv.caches.map((c) => `${c.kind} cache ${c.cells} cells × ${c.n_stream} stream(s), ${c.layers} layers`).join("; ") || "no attention layers"}`,
      estimate: false,
      uncalibrated: false,
      range: null,
    },
    {
      key: "v",
      label: `KV: V (${b.effective.type_v}${vMixed ? "*" : ""})`,
      bytes: b.kv.v_bytes,
      device: kvDev * (1 - kShare),
      detail: vMixed ? `* ${vMixed}` : model.isMla ? "MLA stores K only" : "exact",
      estimate: false,
      uncalibrated: false,
      range: null,
    },
  );
  if (b.kv.extra_bytes)
    components.push({
      key: "rot",
      label: "TurboQuant rotation buffers",
      bytes: b.kv.extra_bytes,
      device: 0,
      detail: "in the KV buffer, not in the size line",
      estimate: false,
      uncalibrated: false,
      range: null,
    });
  components.push(
    {
      key: "rs",
      label: "Recurrent state",
      bytes: b.recurrent.bytes,
      device: devOf(b.recurrent.per_device),
      detail: b.recurrent.layers
        ? `${b.recurrent.layers} layers × ${b.recurrent.cells} cells (sequences), f32`
        : "none",
      estimate: false,
      uncalibrated: false,
      range: null,
    },
    {
      key: "out",
      label: "Output (logits) buffer",
      bytes: b.output.bytes,
      device: 0,
      detail: `${b.output.name}, host; n_vocab × n_seq × 4 B`,
      estimate: false,
      uncalibrated: false,
      range: null,
    },
    {
      key: "compute",
      label: "Compute buffers",
      bytes: b.compute.bytes,
      device: devOf(b.compute.per_backend),
      detail: b.compute.label,
      estimate: true,
      uncalibrated: metal,
      range: mr ? [b.compute.bytes, Math.max(b.compute.bytes, mr.computeHi)] : null,
    },
    {
      key: "overhead",
      label: "Runtime overhead",
      bytes: b.overhead.bytes,
      device: b.overhead.device_bytes,
      detail: b.overhead.label,
      estimate: true,
      uncalibrated: !b.overhead.calibrated,
      range: mr ? [b.overhead.bytes, Math.max(b.overhead.bytes, mr.overheadHi)] : null,
    },
  );
  const device = b.total.device_bytes;
  const host = b.total.host_bytes;
  const total = device + host;
  const poolBytes = sv.budget.pool === "device" ? device : total;
  const eb = sv.budget.engine;
  const verdict = verdictFor(b.total, sv.budget);
  // Metal: the same verdict with compute and overhead at the high end of their range.
  let verdictHigh: Verdict | null = null;
  if (eb && mr) {
    const extra = Math.max(0, mr.computeHi - b.compute.bytes) + Math.max(0, mr.overheadHi - b.overhead.bytes);
    const hi = { ...b, total: { device_bytes: device + extra, host_bytes: host, bytes: total + extra } };
    const f = fitsBudget(hi, eb);
    const word = !f.ok ? "does not fit" : f.rel < 0.1 ? "tight" : "fits";
    verdictHigh = {
      kind: !f.ok ? "no" : f.rel < 0.1 ? "tight" : "fits",
      text: `With compute and overhead at the allowances of the budget “${mr.source}” (${formatDecimal(mr.computeHi)} activations, ${formatDecimal(mr.overheadHi)} runtime) instead: ${word}, ${f.ok ? `${formatBinary(f.headroom)} to spare` : `${formatBinary(-f.headroom)} over`}.`,
      headroomBytes: f.headroom,
      headroomPct: f.rel * 100,
    };
  }
  const changes: string[] = [];
  for (const n of b.notes) if (n.code.startsWith("turbo-") || n.code === "fa-auto-resolved") changes.push(n.message);
  // Most GPU layers that fit (partial offload).
  const nLayers = arch.block_count + 1;
  let maxLayersFit: number | null = null;
  if (eb && state.backend !== "cpu") {
    const fitsAt = (ngl: number) => {
      try {
        const x = computeBreakdown(
          arch,
          { ...configFor(state, state.typeK, state.typeV, state.ctx, exact, vis), n_gpu_layers: ngl },
          opts,
        );
        return fitsBudget(x, eb).ok;
      } catch {
        return false;
      }
    };
    maxLayersFit = mostLayers(fitsAt, nLayers);
  }
  // Does not fit: what makes it fit. Tight: what leaves 10 % to spare (the verdict's threshold).
  const tight = verdict.kind === "tight";
  const target = (s2: CalcState): boolean => {
    try {
      const f = fitsBudget(computeBreakdown(arch, configFor(s2, s2.typeK, s2.typeV, s2.ctx, exact, vis), opts), eb!);
      return tight ? f.rel >= 0.1 : f.ok;
    } catch {
      return false;
    }
  };
  const suggestions =
    eb && (verdict.kind === "no" || tight) && resolved.quants
      ? suggest({
          state,
          maxLayersFit:
            tight && state.backend !== "cpu"
              ? mostLayers((n) => target({ ...state, nGpuLayers: n }), nLayers)
              : maxLayersFit,
          nLayers,
          largestCtx: tight
            ? largestCtxBelow((c) => target({ ...state, ctx: c }), state.ctx)
            : (sv.maxTable.find((r) => r.selected)?.maxCtx ?? null),
          exactWeights: exact,
          ftypes: resolved.quants.ftypes,
          kvTypes: resolved.quants.kvTypes,
          fits: target,
          tight,
        })
      : [];
  const groups = layerGroups(b, resolveLayers(arch));
  const padNote =
    b.context.allocated_cells !== b.context.n_ctx_total_requested
      ? `llama.cpp allocates ${groupDigits(b.context.allocated_cells)} cells for -c ${groupDigits(b.context.n_ctx_total_requested)} (padded to a multiple of 256${b.context.n_stream > 1 ? ` per stream, × ${b.context.n_stream} streams` : ""}).`
      : null;
  return {
    ctx: state.ctx,
    error: null,
    requested: b.context.requested,
    totalRequested: b.context.n_ctx_total_requested,
    allocated: b.context.allocated_cells,
    nCtxSeq: b.context.n_ctx_seq,
    nStream: b.context.n_stream,
    padNote,
    beyondModel: model.trainCtx !== null && b.context.n_ctx_seq > model.trainCtx,
    effective: { typeK: effLabel, typeV: b.effective.type_v, fa: b.effective.flash_attn, changes, vMixed },
    components,
    device,
    host,
    total,
    poolBytes,
    verdict,
    layerGroups: groups,
    commands,
    notes: b.notes,
    offload: {
      nLayers,
      ngl: state.nGpuLayers < 0 ? nLayers : Math.min(state.nGpuLayers, nLayers),
      deviceBytes: device,
      hostBytes: host,
      maxLayersFit,
      partial: state.nGpuLayers >= 0 && state.nGpuLayers < nLayers,
    },
    current: { ctx: state.ctx, bytes: poolBytes },
    verdictHigh,
    perToken: b.bytes_per_token,
    suggestions,
  };
}

/** Both halves at once (the build's first paint, tests). */
export function computeView(inp: ViewInput): CalcView {
  const { view, resolved } = computeStatic(inp);
  return { s: view, c: computeAtCtx(view, resolved, inp.state) };
}

export { bytesText, GiB, MiB };
