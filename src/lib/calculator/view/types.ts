/**
 * The shapes of the calculator's view model (what the island shows): the context-independent half
 * (StaticView, ./static.ts) and the half at the slider's context (CtxView, ./ctx.ts). Plain,
 * serialisable data: the build renders the default state's view into the page.
 */
import type { PcView } from "./placed.ts";
import type { Architecture } from "../../../schemas/architecture.ts";
import type { Note } from "../../../schemas/breakdown.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import type { MemoryChartData } from "../../../charts/memory-vs-context.ts";
import type { Suggestion } from "../suggest.ts";
import type { ContextLimit } from "../../catalog/largest-context.ts";
import type { Budget as EngineBudget } from "../../engine/solve.ts";
import type { CalcCatalog, MeasuredRunOption, ModelOption } from "../catalog.ts";
import type { Command } from "../commands.ts";
import type { LayerGroup } from "../layer-groups.ts";
import type { SliderScale } from "../slider.ts";
import type { CalcKvType, CalcState } from "../state.ts";
import type { Reserve } from "../vision-view.ts";
import type { PlacementExtras } from "../../engine/placement/extras.ts";
import type { Verdict } from "../verdict.ts";

export interface LoadedModel {
  /** `hf`: imported by Hugging Face id (a GGUF repo's file header, or config.json + safetensors). */
  kind: "gguf" | "custom" | "hf";
  /** File name, URL, repo id or "custom". */
  name: string;
  architecture: Architecture;
  tensors: TensorTable | null;
  tensorsFtype: string | null;
  fileBytes: number | null;
  url: string | null;
  /** Imports: what was fetched, in words (bytes and requests). */
  importNote?: string | null;
  /** Imports of a GGUF repo: the file read. */
  hfFile?: string | null;
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
  source: "catalog" | "gguf" | "custom" | "hf";
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
   * Metal only: the upper end of the runtime overhead (the engine counts it as 0 until a Metal run
   * is ingested), the stated driver/runtime allowance of a reported Metal budget (data/budgets).
   * The compute buffers' range is the engine's own (METAL_RANGE, src/lib/engine/compute/metal.ts).
   */
  metalRange: { overheadHi: number; source: string } | null;
  /** A PC is set: its machine and the largest context for its placement (./placed.ts); absent for one device. */
  pc?: PcView | null;
}

export interface Component {
  key: string;
  label: string;
  bytes: number;
  /** Low and high end for uncalibrated estimates (Metal), else null. */
  range: [number, number] | null;
  /** Where the range comes from, in words (null: no range). */
  rangeSource?: string | null;
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

/** The model the state names, resolved to its architecture (and tensor table, for a GGUF). */
export interface Resolved {
  model: ModelInfo;
  arch: Architecture;
  tensors: TensorTable | null;
  tensorsFtype: string | null;
  /** The catalog's quant tables, for the suggestions (../suggest.ts). */
  quants?: Pick<CalcCatalog, "ftypes" | "kvTypes">;
  /** A PC's projector and draft model, placed with the model (./placed.ts pcExtras). */
  extras?: PlacementExtras | null;
}
