import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown, BufferBytes, KvCache, Note, RecurrentLayerRow } from "../../schemas/breakdown.ts";
import { isQuantizedKvType, isTurboType, kvTypesAccepted } from "../kv-types.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import type { TensorTable } from "../../schemas/tensor-table.ts";
import { estimateCompute, estimateOverhead } from "./compute.ts";
import type { ComputeInput } from "./compute.ts";
import { cellRules, planContext, swaCells } from "./context.ts";
import type { ContextPlan } from "./context.ts";
import { EngineError, missingField } from "./errors.ts";
import { kvTypeTraits } from "./ggml-types.ts";
import { planKvTypes, sizeCache, sizeIndexerCache } from "./kv.ts";
import type { KvTypePlan } from "./kv.ts";
import { resolveLayers } from "./layers.ts";
import type { ResolvedArchitecture } from "./layers.ts";
import { FTYPE_FALLBACK_BPW, normaliseFtype } from "./ftypes.ts";
import {
  allocBytes,
  buildTensorTable,
  IMATRIX_DEPENDENT_FTYPES,
  IMATRIX_REQUIRED_FTYPES,
  isInputTensor,
  tensorBytes,
  tensorLayer,
} from "./weights.ts";

/**
 * The memory engine's entry point: one Breakdown for (architecture, runtime config).
 */

export interface BreakdownOptions {
  /** Exact tensor table (GGUF header). Takes precedence over config.weights_ftype. */
  readonly tensors?: TensorTable | null;
  /** ftype of the tensor table (display only), e.g. from general.file_type. */
  readonly tensors_ftype?: string | null;
}

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

function devNames(config: RuntimeConfig): { dev: string; hostCompute: string } {
  if (config.backend === "cuda") return { dev: "CUDA0", hostCompute: "CUDA_Host" };
  if (config.backend === "metal") return { dev: "MTL0", hostCompute: "CPU" };
  return { dev: "CPU", hostCompute: "CPU" };
}

/** Layers on the device by `-ngl` (output layer counted first, docs/memory-model.md#offload). */
function placement(
  nLayerAll: number,
  config: RuntimeConfig,
): { onDevice: (il: number) => boolean; outputOnDevice: boolean; offload: "all" | "none" | "partial" } {
  if (config.backend === "cpu" || config.n_gpu_layers === 0)
    return { onDevice: () => false, outputOnDevice: false, offload: "none" };
  const ngl = config.n_gpu_layers;
  if (ngl < 0 || ngl >= nLayerAll + 1) return { onDevice: () => true, outputOnDevice: true, offload: "all" };
  const start = Math.max(nLayerAll + 1 - ngl, 0);
  return { onDevice: (il) => il >= start, outputOnDevice: true, offload: "partial" };
}

/**
 * Validate the configuration against the profile and resolve FA. Throws for combinations that
 * llama.cpp (or the profile) rejects.
 */
function resolveFa(config: RuntimeConfig, notes: Note[]): boolean {
  const p = config.engine;
  const anyTurbo = isTurboType(config.type_k) || isTurboType(config.type_v);
  if (anyTurbo && p.name !== "turboquant")
    throw new EngineError(
      "unsupported-config",
      `Unsupported cache type: ${isTurboType(config.type_k) ? config.type_k : config.type_v} (turbo types need the turboquant engine profile)`,
      isTurboType(config.type_k) ? "type_k" : "type_v",
    );
  if (p.name === "ollama") {
    const accepted = kvTypesAccepted("ollama");
    for (const [t, field] of [
      [config.type_k, "type_k"],
      [config.type_v, "type_v"],
    ] as const)
      if (!accepted.includes(t))
        throw new EngineError(
          "unsupported-config",
          `ollama does not accept KV cache type ${t}: OLLAMA_KV_CACHE_TYPE takes ${accepted.join(", ")}`,
          field,
        );
  }
  if (p.name === "ollama" && config.type_k !== config.type_v)
    throw new EngineError(
      "unsupported-config",
      `ollama has one KV type (OLLAMA_KV_CACHE_TYPE): type_k ${config.type_k} and type_v ${config.type_v} must be equal`,
      "type_v",
    );
  let fa: boolean;
  if (config.flash_attn === "on") fa = true;
  else if (config.flash_attn === "off") fa = false;
  else {
    fa = true;
    notes.push({
      code: "fa-auto-resolved",
      level: "info",
      message: "flash attention auto resolved to on (the backend supports it)",
    });
  }
  if (anyTurbo && !fa) {
    fa = true;
    notes.push({
      code: "turbo-fa-forced",
      level: "info",
      message: "turbo cache types require flash_attn — enabled automatically",
    });
  }
  if (!fa && isQuantizedKvType(config.type_v))
    throw new EngineError(
      "unsupported-config",
      `quantized V cache was requested (${config.type_v}), but this requires Flash Attention (use --fa on or an f16/bf16/f32 V cache)`,
      "type_v",
    );
  return fa;
}

/**
 * Model-dependent refusals of llama.cpp's context constructor (verified against de3ff81):
 * - with flash attention (on or auto), a quantized K (V) type's block must divide the K (V) head
 *   dim: "K cache type q8_0 with block size 32 does not divide n_embd_head_k=80";
 * - an MLA model refuses different K and V types (current rules).
 */
function checkTypesForModel(r: ResolvedArchitecture, config: RuntimeConfig, fa: boolean, current: boolean): void {
  if (fa) {
    for (const [t, which] of [
      [config.type_k, "k"],
      [config.type_v, "v"],
    ] as const) {
      if (!isQuantizedKvType(t) || isTurboType(t)) continue;
      if (which === "v" && r.is_mla) continue;
      const blck = kvTypeTraits(t, config.engine).blck;
      for (const l of r.layers) {
        if (!l.kv || l.n_head_kv === 0) continue;
        const head = which === "k" ? l.head_k : l.head_v;
        if (head % blck !== 0)
          throw new EngineError(
            "block-size",
            `${which.toUpperCase()} cache type ${t} with block size ${blck} does not divide n_embd_head_${which}=${head} (flash attention needs whole blocks per head)`,
            which === "k" ? "type_k" : "type_v",
          );
      }
    }
  }
  // Upstream's llama_context refuses this; the TurboQuant fork (69d8e4be) has no such check.
  if (current && config.engine.name !== "turboquant" && r.is_mla && config.type_k !== config.type_v)
    throw new EngineError(
      "unsupported-config",
      `model does not support different K (${config.type_k}) and V (${config.type_v}) cache types (MLA)`,
      "type_v",
    );
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

  // Requested context (ollama: num_ctx per request).
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
  const totalReq = p.name === "ollama" ? requested * config.n_seq : requested;
  if (p.name === "ollama" && config.n_seq > 1)
    notes.push({
      code: "ollama-per-request-ctx",
      level: "info",
      message: `ollama: num_ctx ${requested} is per request; llama-server gets -c ${totalReq} (× ${config.n_seq} parallel)`,
    });

  const plan = planContext(totalReq, config.n_seq, config.kv_unified, config.n_batch, config.n_ubatch, rules, fa);
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

  const types = planKvTypes(r, config.type_k, config.type_v, fa, p, notes);
  const names = devNames(config);
  const place = placement(r.n_layer_all, config);
  const kvOnHost = config.no_kv_offload;
  const deviceOf = (il: number): string =>
    !kvOnHost && place.onDevice(il) && config.backend !== "cpu" ? names.dev : "CPU";

  const fullLayers = r.layers.filter((l) => l.kv && !l.swa);
  const swaLayers = r.layers.filter((l) => l.kv && l.swa);
  const caches: KvCache[] = [];
  const padNoted = { k: false, v: false };
  let kvSlope = 0;
  // iSWA builds two instances; a non-SWA model one.
  // iSWA always builds the non-SWA instance, even with 0 layers (llama.cpp prints it).
  if (fullLayers.length > 0 || r.has_swa) {
    const c = sizeCache(
      r,
      { kind: "full", layers: fullLayers, cells: plan.n_ctx_seq, n_stream: plan.n_stream },
      types,
      p,
      deviceOf,
      padNoted,
      notes,
    );
    caches.push(c);
    kvSlope += c.bytes / plan.n_ctx;
  }
  if (r.has_swa) {
    const cells = swaCells(plan, r.n_swa!, config.n_seq, config.kv_unified, config.swa_full, rules);
    const c = sizeCache(
      r,
      { kind: "swa", layers: swaLayers, cells, n_stream: plan.n_stream },
      types,
      p,
      deviceOf,
      padNoted,
      notes,
    );
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
    const c = sizeIndexerCache(
      fullLayers,
      arch.indexer.key_length,
      plan.n_ctx_seq,
      plan.n_stream,
      types.type_k,
      p,
      deviceOf,
    );
    caches.push(c);
    kvSlope += c.bytes / plan.n_ctx;
  }

  // Recurrent state (docs/memory-model.md#recurrent-state): f32, max(1, n_seq) × (1 + n_rs_seq) cells.
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
  const recurrent: Breakdown["recurrent"] = {
    bytes: rBytes + sBytes,
    r_bytes: rBytes,
    s_bytes: sBytes,
    cells: rw ? rsCells : 0,
    layers: recRows.length,
    rows: recRows,
    per_device: [...recPer].map(([name, bytes]) => ({ name, host: name === "CPU", bytes })),
  };

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

interface WeightsOut {
  readonly w: Breakdown["weights"];
  readonly notes: Note[];
}

const weightsCache = new WeakMap<object, Map<string, WeightsOut>>();

function computeWeights(arch: Architecture, config: RuntimeConfig, opts: BreakdownOptions): WeightsOut {
  const key = `${config.backend}|${config.n_gpu_layers}|${config.weights_ftype}|${opts.tensors_ftype ?? ""}|${config.engine.name}|${config.engine.revision}`;
  const cacheKey: object = opts.tensors ?? arch;
  let m = weightsCache.get(cacheKey);
  if (!m) weightsCache.set(cacheKey, (m = new Map()));
  const hit = m.get(key);
  if (hit) return hit;
  const out = computeWeightsUncached(arch, config, opts);
  m.set(key, out);
  return out;
}

function computeWeightsUncached(arch: Architecture, config: RuntimeConfig, opts: BreakdownOptions): WeightsOut {
  const notes: Note[] = [];
  let tensors: TensorTable | null = opts.tensors ?? null;
  let source: Breakdown["weights"]["source"] = "tensor-table";
  let ftype: string | null = opts.tensors_ftype ?? null;
  if (!tensors && config.weights_ftype) {
    ftype = normaliseFtype(config.weights_ftype);
    try {
      tensors = buildTensorTable(arch, ftype);
      source = "builder";
      if (IMATRIX_DEPENDENT_FTYPES.has(ftype))
        notes.push({
          code: "weights-imatrix-dependent",
          level: "info",
          message: `${ftype}: llama-quantize picks some tensor types differently with an importance matrix; these weights are for a file quantized ${IMATRIX_REQUIRED_FTYPES.has(ftype) ? "with" : "without"} one`,
        });
    } catch (e) {
      if (!(e instanceof EngineError) || e.code === "block-size") throw e;
      const bpw = FTYPE_FALLBACK_BPW[ftype];
      if (bpw === undefined)
        throw new EngineError(
          "unsupported-config",
          `unknown weights ftype "${config.weights_ftype}" (known: ${Object.keys(FTYPE_FALLBACK_BPW).join(", ")})`,
          "weights_ftype",
        );
      if (arch.n_params === null)
        throw missingField("n_params", `for the params × bpw weights fallback (${e.message})`);
      const bytes = Math.round((arch.n_params * bpw) / 8);
      const embd =
        arch.n_embd !== null && arch.vocab_size !== null
          ? Math.min(bytes, Math.round((arch.n_embd * arch.vocab_size * bpw) / 8))
          : 0;
      const place = placement(arch.block_count, config);
      const devName = devNames(config).dev;
      const per: BufferBytes[] =
        place.offload === "none"
          ? [{ name: "CPU_Mapped", host: true, bytes }]
          : [
              { name: "CPU_Mapped", host: true, bytes: embd },
              { name: devName, host: false, bytes: bytes - embd },
            ];
      notes.push({
        code: "weights-fallback",
        level: "warning",
        message: `weights estimated as n_params × ${bpw} bpw (${ftype}); ${e.message}`,
      });
      return {
        w: { bytes, source: "params-x-bpw", estimate: true, ftype, per_device: per, tied_duplicate_bytes: 0 },
        notes,
      };
    }
  }
  if (!tensors) {
    notes.push({
      code: "weights-missing",
      level: "warning",
      message: "no tensor table and no weights ftype: weights counted as 0",
    });
    return {
      w: { bytes: 0, source: "none", estimate: true, ftype: null, per_device: [], tied_duplicate_bytes: 0 },
      notes,
    };
  }
  const place = placement(arch.block_count, config);
  const names = devNames(config);
  const backendKind = config.backend === "cuda" ? "cuda" : config.backend === "metal" ? "metal" : "host";
  let total = 0;
  let host = 0;
  let dev = 0;
  let hasOutput = false;
  let embd: TensorTable[number] | null = null;
  // llama.cpp de3ff81 creates NextN/MTP layer tensors with TENSOR_SKIP unless MTP drafting is on
  // (llama_model_params.load_mtp, default false): they stay in the file, not in memory.
  const mtpFrom =
    config.engine.name === "llama.cpp" && config.engine.revision === "current"
      ? arch.block_count - arch.nextn_predict_layers
      : Infinity;
  let mtpBytes = 0;
  for (const t of tensors) {
    const b = tensorBytes(t);
    total += b;
    if (t.name === "output.weight") hasOutput = true;
    if (t.name === "token_embd.weight") embd = t;
    const il = tensorLayer(t.name);
    if (il !== null && il >= mtpFrom) {
      mtpBytes += b;
      continue;
    }
    const onDev = isInputTensor(t.name) ? false : il === null ? place.outputOnDevice : place.onDevice(il);
    if (onDev) dev += allocBytes(t, backendKind);
    else host += allocBytes(t, "host");
  }
  let dup = 0;
  if (!hasOutput && embd) {
    // Tied embeddings: token_embd is loaded a second time as the output tensor (docs/memory-model.md#weights-runtime).
    if (place.outputOnDevice) {
      dup = allocBytes(embd, backendKind);
      dev += dup;
    } else {
      dup = 0; // same CPU mapping, no second copy
    }
  }
  const per: BufferBytes[] = [{ name: "CPU_Mapped", host: true, bytes: host }];
  if (dev > 0) per.push({ name: names.dev, host: false, bytes: dev });
  if (mtpBytes > 0)
    notes.push({
      code: "weights-mtp-not-loaded",
      level: "info",
      message: `${arch.nextn_predict_layers} NextN/MTP layer(s), ${mtpBytes} B of the file, are not loaded (llama.cpp loads them only for MTP drafting)`,
    });
  return {
    w: { bytes: total, source, estimate: false, ftype, per_device: per, tied_duplicate_bytes: dup },
    notes,
  };
}

function addTo(map: Map<string, BufferBytes>, name: string, host: boolean, bytes: number): void {
  const e = map.get(name);
  if (e) e.bytes += bytes;
  else map.set(name, { name, host, bytes });
}

/**
 * Full breakdown: KV, recurrent state, weights, output, compute (estimate), overhead (estimate),
 * totals per pool, bytes per token. Throws EngineError when the model cannot be sized.
 */
export function computeBreakdown(arch: Architecture, config: RuntimeConfig, opts: BreakdownOptions = {}): Breakdown {
  const m = planMemory(arch, config);
  return assemble(arch, config, opts, m);
}

function assemble(arch: Architecture, config: RuntimeConfig, opts: BreakdownOptions, m: MemoryPlan): Breakdown {
  const { r, plan, caches } = m;
  const notes = [...m.notes];
  if (arch.vocab_size === null) throw missingField("vocab_size", "for the output and compute buffers");
  if (arch.n_embd === null) throw missingField("n_embd", "for the compute buffer");

  // KV per device (aligned tensor sizes + rotation buffers in the first turbo layer's buffer).
  const kvPer = new Map<string, BufferBytes>();
  const cudaKv = config.backend === "cuda";
  let kB = 0;
  let vB = 0;
  let extra = 0;
  for (const c of caches) {
    kB += c.k_bytes;
    vB += c.v_bytes;
    extra += c.extra_bytes;
    for (const row of c.rows) {
      const host = row.device === "CPU";
      const align = cudaKv && !host ? 128 : 32;
      let kb = row.k_bytes;
      let vb = row.v_bytes;
      if (cudaKv && !host) {
        // CUDA quantized-row padding (docs/memory-model.md#kv-buffer-alignment): + row(type, 512 − ne0 % 512) per quantized tensor.
        kb += cudaRowPad(row.type_k, row.k_width, config);
        if (row.type_v) vb += cudaRowPad(row.type_v, row.v_width, config);
      }
      const bytes = Math.ceil(kb / align) * align + (row.type_v ? Math.ceil(vb / align) * align : 0);
      addTo(kvPer, row.device, host, bytes);
    }
    if (c.extra_bytes > 0 && c.rows.length > 0) {
      const d = c.rows[0].device;
      addTo(kvPer, d, d === "CPU", c.extra_bytes);
    }
  }

  const w0 = computeWeights(arch, config, opts);
  notes.push(...w0.notes);
  let weights = w0.w;
  if (config.vision_weights) {
    if (arch.n_params_vision === null) throw missingField("n_params_vision", "because vision_weights is on");
    const vb = arch.n_params_vision * 2;
    const onDev = m.offload !== "none";
    weights = {
      ...weights,
      estimate: true,
      per_device: [...weights.per_device, { name: onDev ? m.devName : "CPU", host: !onDev, bytes: vb }],
    };
    notes.push({
      code: "vision-weights-estimate",
      level: "warning",
      message: `vision encoder counted as n_params_vision × 2 B (F16 mmproj) = ${vb} B; not in weights.bytes`,
    });
  }

  // Output buffer: n_vocab × n_seq × 4 at init (docs/memory-model.md#output-buffer).
  const outName = config.backend === "cuda" && m.offload !== "none" ? "CUDA_Host" : "CPU";
  const outBytes = arch.vocab_size * config.n_seq * 4;

  // Compute + overhead estimates.
  const full = caches.find((c) => c.kind === "full" && c.layers > 0) ?? caches.find((c) => c.kind === "swa");
  const swa = caches.find((c) => c.kind === "swa" && c.layers > 0 && c !== full);
  const ci: ComputeInput = {
    r,
    n_vocab: arch.vocab_size,
    n_embd: arch.n_embd,
    n_tok: plan.n_ubatch,
    n_kv: full ? full.cells : 0,
    cells_total: full ? full.cells * full.n_stream : 1,
    n_kv_swa: swa ? swa.cells : 0,
    n_stream: full ? full.n_stream : 1,
    fa: m.fa,
    type_k: m.types.type_k,
    type_v: m.types.type_v,
    n_head: r.n_head_max,
    backend: config.backend,
    offload: m.offload,
    profile: config.engine,
  };
  if (!m.fa && full && r.n_head_max === null)
    throw missingField("n_head", "for the compute buffer without flash attention (KQ matrix)");
  const comp = estimateCompute(ci);
  const over = estimateOverhead(ci);
  if (config.backend === "metal") notes.push({ code: "compute-estimate", level: "warning", message: comp.label });
  if (!over.calibrated) notes.push({ code: "overhead-uncalibrated", level: "warning", message: over.label });

  // Totals.
  let device = 0;
  let host = 0;
  const add = (list: readonly BufferBytes[]): void => {
    for (const b of list) {
      if (b.host) host += b.bytes;
      else device += b.bytes;
    }
  };
  const kvPerList = [...kvPer.values()];
  add(kvPerList);
  add(m.recurrent.per_device);
  add(weights.per_device);
  add(comp.per_backend);
  host += outBytes;
  device += over.device_bytes;
  host += over.host_bytes;
  const total = device + host;

  // Linear model around this point.
  const slope = m.kv_slope + comp.slope_per_cell + over.slope_per_cell;
  const bpt = Math.round(slope * 1000) / 1000;

  return {
    engine: config.engine,
    model: { arch: arch.arch, name: arch.name },
    context: {
      requested: m.requested,
      n_ctx_total_requested: m.n_ctx_total_requested,
      allocated_cells: plan.n_ctx,
      n_ctx_seq: plan.n_ctx_seq,
      n_stream: plan.n_stream,
      n_seq: config.n_seq,
      kv_unified: config.kv_unified,
      n_ctx_train: arch.context_length,
    },
    effective: {
      type_k: m.types.type_k,
      type_v: m.types.type_v,
      flash_attn: m.fa,
      n_ubatch: plan.n_ubatch,
      n_batch: plan.n_batch,
    },
    layer_kinds: r.layers.map((l) => l.kind),
    kv: {
      k_bytes: kB,
      v_bytes: vB,
      bytes: kB + vB,
      extra_bytes: extra,
      caches,
      per_device: kvPerList,
    },
    recurrent: m.recurrent,
    weights,
    output: { bytes: outBytes, name: outName },
    compute: { bytes: comp.bytes, per_backend: comp.per_backend, estimate: true, label: comp.label },
    overhead: {
      bytes: over.device_bytes + over.host_bytes,
      device_bytes: over.device_bytes,
      host_bytes: over.host_bytes,
      parts: over.parts,
      estimate: true,
      label: over.label,
      calibrated: over.calibrated,
    },
    total: { device_bytes: device, host_bytes: host, bytes: total },
    bytes_per_token: bpt,
    fixed_bytes: Math.round(total - slope * plan.n_ctx),
    notes,
  };
}

function cudaRowPad(type: KvType, width: number, config: RuntimeConfig): number {
  if (width % 512 === 0 || !isQuantizedKvType(type)) return 0;
  // Quantized: one row chunk of (512 − ne0 % 512) values.
  const tr = kvTypeTraits(type, config.engine);
  return Math.ceil((512 - (width % 512)) / tr.blck) * tr.bytes;
}
