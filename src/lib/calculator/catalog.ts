/**
 * The calculator's reduced catalog: what the island needs from data/ (models, KV types, weight
 * ftypes, hardware, budgets, measured runs), small and serialisable, built once at build time by
 * the .astro wrapper from the validated data files. Types only from src/schemas (no runtime zod).
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Budget } from "../../schemas/budget.ts";
import type { Hardware } from "../../schemas/hardware.ts";
import type { Model } from "../../schemas/model.ts";
import type { KvCacheType, WeightFtype } from "../../schemas/quant.ts";
import type { Run } from "../../schemas/run.ts";
import type { ProjectorFacts } from "../../schemas/projector.ts";
import { defaultWeightVariant } from "../catalog/weights.ts";
import type { CalcKvType } from "./state.ts";

export interface ModelOption {
  id: string;
  name: string;
  family: string;
  /** Nominal total parameters (billions), null if unknown. */
  paramsB: number | null;
  activeB: number | null;
  /**
   * Architecture as the engine's schema parsed it at build time (every default applied): the
   * browser uses it as it is, with no schema to load before the first answer.
   */
  architecture: Architecture;
  visionEncoder: boolean | null;
  /** Ollama tag of the model's library blob, if any. */
  ollamaTag: string | null;
  hfId: string | null;
  status: string;
  /** Known downloadable files: label, ftype, bytes, how exact. */
  variants: { label: string; ftype: string | null; bytes: number; kind: string; vision: boolean | null }[];
  /** The weights ftype picked with this model (src/lib/catalog/weights.ts defaultWeightVariant). */
  defaultFtype: string;
  /** The vision projector's published geometry (data/projectors.json), when the catalog has it. */
  projector?: ProjectorFacts | null;
}

export interface KvTypeOption {
  name: CalcKvType;
  bitsPerValue: number;
  engines: string[];
  needsFlashAttention: "never" | "as-v" | "always";
  /** Cited quality figures, one line each ("+6.48 % perplexity vs f16 K/V (cited in …)"). */
  quality: string[];
}

export interface FtypeOption {
  id: string;
  nominalBpw: number;
  typicalBpw: number | null;
}

export interface HardwareOption {
  id: string;
  name: string;
  vendor: "apple" | "nvidia" | "amd";
  unified: boolean;
  memoryBytes: number;
  /** Apple: default GPU working-set limit; null for discrete cards. */
  workingSet: { bytes: number; kind: string; rule: string | null } | null;
  /** Discrete: usable VRAM after the driver reserve. */
  usableBytes: number | null;
  /** Apple: `iogpu.wired_limit_mb` raises the GPU wired limit. */
  wiredLimit: boolean;
}

/** Budgets stay whole (a few small files): the catalog's usableBudget() reads them as they are. */
export type BudgetOption = Budget;

export type MeasuredMetricName =
  | "kv_bytes"
  | "k_bytes"
  | "v_bytes"
  | "recurrent_bytes"
  | "compute_bytes"
  | "model_bytes"
  | "peak_rss_bytes"
  | "peak_footprint_bytes"
  | "gpu_used_bytes";

/** One measured point of a run, reduced to what the overlay needs. */
export interface MeasuredPointOption {
  id: string;
  /** The point's configuration (known fields only). */
  config: {
    n_ctx?: number;
    type_k?: string;
    type_v?: string;
    n_seq?: number;
    kv_unified?: boolean;
    flash_attn?: string;
    n_ubatch?: number;
    backend?: string;
    weights_ftype?: string | null;
    n_gpu_layers?: number;
  };
  nCtxAllocated: number | null;
  /** Metric → bytes and the tool that measured it. */
  values: Partial<Record<MeasuredMetricName, { bytes: number; tool: string }>>;
}

export interface MeasuredRunOption {
  id: string;
  title: string;
  date: string | null;
  /** Catalog model id, if the run names one. */
  modelId: string | null;
  /** Inline architecture of the run (when it pins the measured geometry), parsed like a model's. */
  architecture: Architecture | null;
  arch: string | null;
  ftype: string | null;
  weightsBytes: number | null;
  engine: string;
  /** Engine profile of the run (name + revision), when known. */
  profile: { name: string; revision: string } | null;
  backend: string | null;
  /** Build the numbers came from ("llama.cpp b6000 (de3ff81)", "TurboQuant fork, March 2026"). */
  build: string;
  points: MeasuredPointOption[];
}

export interface CalcCatalog {
  models: ModelOption[];
  kvTypes: KvTypeOption[];
  ftypes: FtypeOption[];
  hardware: HardwareOption[];
  budgets: BudgetOption[];
  runs: MeasuredRunOption[];
}

export function reduceModel(m: Model, projector: ProjectorFacts | null = null): ModelOption {
  const lib = m.weights.find((w) => w.ollamaTag);
  return {
    id: m.id,
    name: m.name,
    family: m.family,
    paramsB: m.params.totalB,
    activeB: m.params.activeB,
    architecture: m.architecture,
    visionEncoder: m.visionEncoder,
    ollamaTag: lib?.ollamaTag ?? null,
    hfId: m.hfId,
    status: m.status,
    defaultFtype: defaultWeightVariant(m).ftype,
    ...(projector ? { projector } : {}),
    variants: m.weights
      .filter((w) => w.bytes !== null)
      .map((w) => ({
        label: w.ollamaTag ?? `${w.publisher ?? "file"} ${w.ftypeStated ?? w.ftype ?? ""}`.trim(),
        ftype: w.ftype,
        bytes: w.bytes as number,
        kind: w.bytesKind,
        vision: w.includesVision,
      })),
  };
}

export function reduceKvType(t: KvCacheType): KvTypeOption {
  return {
    name: t.name,
    bitsPerValue: t.bitsPerValue,
    engines: [...t.engines],
    needsFlashAttention: t.needsFlashAttention,
    quality: t.quality.map(
      (q) =>
        `${q.value > 0 ? "+" : ""}${q.value} ${q.unit} ${q.metric} (cited in ${q.citedIn.replace(/ \(.*$/, "")}, not measured here)`,
    ),
  };
}

export function reduceFtype(f: WeightFtype): FtypeOption {
  return { id: f.id, nominalBpw: f.nominalBpw, typicalBpw: f.typicalBpw };
}

export function reduceHardware(h: Hardware): HardwareOption {
  return {
    id: h.id,
    name: h.name,
    vendor: h.vendor,
    unified: h.memoryKind === "unified",
    memoryBytes: h.memoryBytes,
    workingSet: h.metalWorkingSet
      ? { bytes: h.metalWorkingSet.bytes, kind: h.metalWorkingSet.kind, rule: h.metalWorkingSet.rule }
      : null,
    usableBytes: h.usableMemory?.usableBytes ?? null,
    wiredLimit: h.wiredLimitSysctl !== null,
  };
}

export function reduceBudget(b: Budget): BudgetOption {
  return b;
}

const METRICS: MeasuredMetricName[] = [
  "kv_bytes",
  "k_bytes",
  "v_bytes",
  "recurrent_bytes",
  "compute_bytes",
  "model_bytes",
  "peak_rss_bytes",
  "peak_footprint_bytes",
  "gpu_used_bytes",
];

function buildLabel(r: Run): string {
  const rt = r.runtime;
  const parts: string[] = [];
  if (rt.fork) parts.push(rt.fork);
  else if (rt.engine !== "unknown") parts.push(rt.engine);
  const lc = rt.llama_cpp;
  if (lc) {
    const b = [lc.version ?? (lc.build_number !== undefined ? `b${lc.build_number}` : null), lc.commit?.slice(0, 9)]
      .filter(Boolean)
      .join(" ");
    if (b) parts.push(b);
    else if (lc.build_date) parts.push(`build ${lc.build_date}`);
  }
  if (rt.ollama_version) parts.push(`Ollama ${rt.ollama_version}`);
  if (rt.backend) parts.push(rt.backend);
  return parts.join(", ") || "build unknown";
}

export function reduceRun(r: Run): MeasuredRunOption {
  return {
    id: r.id,
    title: r.title,
    date: r.date ?? null,
    modelId: r.model.preset ?? null,
    architecture: r.model.architecture ?? null,
    arch: r.model.arch ?? r.model.architecture?.arch ?? null,
    ftype: r.model.ftype ?? null,
    weightsBytes: r.model.weights_bytes ?? null,
    engine: r.runtime.engine,
    profile: r.runtime.profile ? { name: r.runtime.profile.name, revision: r.runtime.profile.revision } : null,
    backend: r.runtime.backend ?? null,
    build: buildLabel(r),
    points: r.points
      .filter((p) => p.status === "ok")
      .map((p) => {
        const values: MeasuredPointOption["values"] = {};
        for (const k of METRICS) {
          const v = p.measured[k];
          if (v) values[k] = { bytes: v.bytes, tool: v.source.tool };
        }
        return {
          id: p.id,
          config: {
            n_ctx: p.config.n_ctx,
            type_k: p.config.type_k,
            type_v: p.config.type_v,
            n_seq: p.config.n_seq,
            kv_unified: p.config.kv_unified,
            flash_attn: p.config.flash_attn,
            n_ubatch: p.config.n_ubatch,
            backend: p.config.backend,
            weights_ftype: p.config.weights_ftype,
            n_gpu_layers: p.config.n_gpu_layers,
          },
          nCtxAllocated: p.n_ctx_allocated ?? null,
          values,
        };
      })
      .filter((p) => Object.keys(p.values).length > 0),
  };
}

/** What the island needs before the full catalog arrives: picker lists only. */
export interface LightCatalog {
  models: {
    id: string;
    name: string;
    family: string;
    paramsB: number | null;
    activeB: number | null;
    status: string;
    defaultFtype: string;
  }[];
  kvTypes: KvTypeOption[];
  ftypes: FtypeOption[];
  hardware: { id: string; name: string; vendor: string; unified: boolean; memoryBytes: number }[];
  budgets: { id: string; name: string; hardwareId: string | null; items: number; hasTotal: boolean }[];
}

export function lightCatalog(c: CalcCatalog): LightCatalog {
  return {
    models: c.models.map((m) => ({
      id: m.id,
      name: m.name,
      family: m.family,
      paramsB: m.paramsB,
      activeB: m.activeB,
      status: m.status,
      defaultFtype: m.defaultFtype,
    })),
    kvTypes: c.kvTypes,
    ftypes: c.ftypes,
    hardware: c.hardware.map((h) => ({
      id: h.id,
      name: h.name,
      vendor: h.vendor,
      unified: h.unified,
      memoryBytes: h.memoryBytes,
    })),
    budgets: c.budgets.map((b) => ({
      id: b.id,
      name: b.name,
      hardwareId: b.hardwareId,
      items: b.items.length,
      hasTotal: b.total !== null,
    })),
  };
}

/**
 * What /calculator/catalog.json holds: the catalog without its measured runs (those are served per
 * architecture, see groupRunsByArch), plus the keys that have a runs file.
 */
export type CatalogFile = Omit<CalcCatalog, "runs"> & { runKeys: string[] };

/**
 * File key of an architecture name (`general.architecture`): path-safe; names that collide after
 * the replacement share a file, which is harmless since runMatches checks the arch again.
 */
export function runsFileKey(arch: string): string {
  return arch.replace(/[^A-Za-z0-9_-]/g, "_");
}

/**
 * Runs grouped by the file key of every architecture they can match under (runMatches): the arch
 * of the catalog model the run names, and the arch of the run's own inline architecture. A run
 * that can match no model (no known preset, no architecture) is in no file. Keys sorted; runs keep
 * their order.
 */
export function groupRunsByArch(
  runs: readonly MeasuredRunOption[],
  models: readonly Pick<ModelOption, "id" | "architecture">[],
): Map<string, MeasuredRunOption[]> {
  const modelArch = new Map(models.map((m) => [m.id, m.architecture.arch]));
  const groups = new Map<string, MeasuredRunOption[]>();
  for (const run of runs) {
    const keys = new Set<string>();
    const preset = run.modelId !== null ? modelArch.get(run.modelId) : undefined;
    if (preset) keys.add(runsFileKey(preset));
    if (run.architecture?.arch) keys.add(runsFileKey(run.architecture.arch));
    for (const k of keys) {
      const g = groups.get(k);
      if (g) g.push(run);
      else groups.set(k, [run]);
    }
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** catalog.json's content: everything but the runs, and the run file keys. */
export function catalogFile(c: CalcCatalog): CatalogFile {
  const { runs, ...rest } = c;
  return { ...rest, runKeys: [...groupRunsByArch(runs, c.models).keys()] };
}
