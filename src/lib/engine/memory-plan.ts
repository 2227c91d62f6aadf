import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown, KvCache, Note, RecurrentLayerRow } from "../../schemas/breakdown.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { checkTypesForModel, resolveFa } from "./config-checks.ts";
import { cellRules, planContext, swaCells } from "./context.ts";
import type { ContextPlan } from "./context.ts";
import { EngineError, missingField } from "./errors.ts";
import { planKvTypes, sizeCache, sizeIndexerCache } from "./kv.ts";
import type { KvTypePlan } from "./kv.ts";
import { resolveLayers } from "./layers.ts";
import type { ResolvedArchitecture } from "./layers.ts";
import { devNames, placement } from "./offload.ts";

/** Everything about the attention/recurrent memory (no weights, compute, overhead). */
export interface MemoryPlan {
  readonly r: ResolvedArchitecture;
  readonly plan: ContextPlan;
  readonly requested: number;
  readonly n_ctx_total_requested: number;
  readonly fa: boolean;
  readonly types: KvTypePlan;
  readonly caches: KvCache[];
  readonly recurrent: Breakdown["recurrent"];
  readonly notes: Note[];
  /** Bytes per total cell of the caches that grow with n_ctx. */
  readonly kv_slope: number;
  readonly deviceOf: (il: number) => string;
  readonly offload: "all" | "none" | "partial";
  readonly devName: string;
}

/** The context asked for (n_ctx 0 = the training context) and the total llama-server gets (ollama: × n_seq). */
function requestedContext(arch: Architecture, config: RuntimeConfig, notes: Note[]): [number, number] {
  const p = config.engine;
  let requested = config.n_ctx;
  if (requested === 0) {
    if (p.name === "ollama")
      throw new EngineError(
        "unsupported-config",
        "ollama needs an explicit num_ctx (n_ctx > 0); its default depends on VRAM (4k/32k/256k)",
        "n_ctx",
      );
    if (arch.context_length === null)
      throw missingField("context_length", "because n_ctx = 0 means the training context");
    requested = arch.context_length;
  }
  // Requested context (ollama: num_ctx per request).
  const totalReq = p.name === "ollama" ? requested * config.n_seq : requested;
  if (p.name === "ollama" && config.n_seq > 1)
    notes.push({
      code: "ollama-per-request-ctx",
      level: "info",
      message: `ollama: num_ctx ${requested} is per request; llama-server gets -c ${totalReq} (× ${config.n_seq} parallel)`,
    });
  return [requested, totalReq];
}

function contextNotes(arch: Architecture, plan: ContextPlan, totalReq: number, notes: Note[]): void {
  if (plan.n_ctx !== totalReq)
    notes.push({
      code: "ctx-padded",
      level: "info",
      message: `n_ctx ${totalReq} → ${plan.n_ctx} cells (n_ctx_seq ${plan.n_ctx_seq} × ${plan.n_stream} stream${plan.n_stream > 1 ? "s" : ""})`,
    });
  if (arch.context_length !== null && plan.n_ctx_seq > arch.context_length)
    notes.push({
      code: "ctx-exceeds-train",
      level: "warning",
      message: `n_ctx_seq (${plan.n_ctx_seq}) > n_ctx_train (${arch.context_length}) -- possible training context overflow`,
    });
}

interface CacheInput {
  readonly arch: Architecture;
  readonly config: RuntimeConfig;
  readonly r: ResolvedArchitecture;
  readonly plan: ContextPlan;
  readonly types: KvTypePlan;
  readonly deviceOf: (il: number) => string;
  readonly notes: Note[];
}

/** The KV caches (full, SWA, indexer) and their bytes per total cell. */
function planCaches(x: CacheInput): { caches: KvCache[]; kvSlope: number } {
  const { arch, config, r, plan, types, deviceOf, notes } = x;
  const p = config.engine;
  const rules = cellRules(p);
  const fullLayers = r.layers.filter((l) => l.kv && !l.swa);
  const swaLayers = r.layers.filter((l) => l.kv && l.swa);
  const caches: KvCache[] = [];
  const padNoted = { k: false, v: false };
  let kvSlope = 0;
  // iSWA builds two instances; a non-SWA model one.
  // iSWA always builds the non-SWA instance, even with 0 layers (llama.cpp prints it).
  if (fullLayers.length > 0 || r.has_swa) {
    const spec = { kind: "full", layers: fullLayers, cells: plan.n_ctx_seq, n_stream: plan.n_stream } as const;
    const c = sizeCache(r, spec, types, p, deviceOf, padNoted, notes);
    caches.push(c);
    kvSlope += c.bytes / plan.n_ctx;
  }
  if (r.has_swa) {
    const cells = swaCells(plan, r.n_swa!, config.n_seq, config.kv_unified, config.swa_full, rules);
    const spec = { kind: "swa", layers: swaLayers, cells, n_stream: plan.n_stream } as const;
    const c = sizeCache(r, spec, types, p, deviceOf, padNoted, notes);
    caches.push(c);
    if (cells === plan.n_ctx_seq) kvSlope += c.bytes / plan.n_ctx;
    else
      notes.push({
        code: "swa-capped",
        level: "info",
        message: `SWA cache capped at ${cells} cells per stream (window ${r.n_swa}, n_ubatch ${plan.n_ubatch})`,
      });
  }
  if (arch.indexer) {
    const k = arch.indexer.key_length;
    const c = sizeIndexerCache(fullLayers, k, plan.n_ctx_seq, plan.n_stream, types.type_k, p, deviceOf);
    caches.push(c);
    kvSlope += c.bytes / plan.n_ctx;
  }
  return { caches, kvSlope };
}

/** Recurrent state (docs/memory-model.md#recurrent-state): f32, max(1, n_seq) × (1 + n_rs_seq) cells. */
function recurrentState(
  r: ResolvedArchitecture,
  config: RuntimeConfig,
  deviceOf: (il: number) => string,
): Breakdown["recurrent"] {
  const rw = r.recurrent_widths;
  const recRows: RecurrentLayerRow[] = [];
  const rsCells = Math.max(1, config.n_seq) * (1 + config.n_rs_seq);
  let rBytes = 0;
  let sBytes = 0;
  if (rw) {
    for (const l of r.layers) {
      if (!l.recurrent) continue;
      const rb = rw.r * 4 * rsCells;
      const sb = rw.s * 4 * rsCells;
      rBytes += rb;
      sBytes += sb;
      recRows.push({ layer: l.il, r_width: rw.r, s_width: rw.s, r_bytes: rb, s_bytes: sb, device: deviceOf(l.il) });
    }
  }
  const recPer = new Map<string, number>();
  for (const row of recRows) recPer.set(row.device, (recPer.get(row.device) ?? 0) + row.r_bytes + row.s_bytes);
  return {
    bytes: rBytes + sBytes,
    r_bytes: rBytes,
    s_bytes: sBytes,
    cells: rw ? rsCells : 0,
    layers: recRows.length,
    rows: recRows,
    per_device: [...recPer].map(([name, bytes]) => ({ name, host: name === "CPU", bytes })),
  };
}

/**
 * KV caches and recurrent state for a configuration: the byte-exact part of the engine.
 */
export function planMemory(arch: Architecture, config: RuntimeConfig): MemoryPlan {
  const p = config.engine;
  const rules = cellRules(p);
  const r = resolveLayers(arch, { mtpFilterAll: rules === "current" });
  const notes: Note[] = [];
  const fa = resolveFa(config, notes);
  checkTypesForModel(r, config, fa, rules === "current");
  const [requested, totalReq] = requestedContext(arch, config, notes);
  const plan = planContext(totalReq, config.n_seq, config.kv_unified, config.n_batch, config.n_ubatch, rules, fa);
  contextNotes(arch, plan, totalReq, notes);

  const types = planKvTypes(r, config.type_k, config.type_v, fa, p, notes);
  const names = devNames(config);
  const place = placement(r.n_layer_all, config);
  const kvOnHost = config.no_kv_offload;
  const deviceOf = (il: number): string =>
    !kvOnHost && place.onDevice(il) && config.backend !== "cpu" ? names.dev : "CPU";
  const { caches, kvSlope } = planCaches({ arch, config, r, plan, types, deviceOf, notes });
  const recurrent = recurrentState(r, config, deviceOf);
  return {
    r,
    plan,
    requested,
    n_ctx_total_requested: totalReq,
    fa,
    types,
    caches,
    recurrent,
    notes,
    kv_slope: kvSlope,
    deviceOf,
    offload: place.offload,
    devName: names.dev,
  };
}
