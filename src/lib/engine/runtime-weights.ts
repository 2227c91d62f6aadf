import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown, BufferBytes, Note } from "../../schemas/breakdown.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import type { TensorTable } from "../../schemas/tensor-table.ts";
import { EngineError, missingField } from "./errors.ts";
import { FTYPE_FALLBACK_BPW, normaliseFtype } from "./ftypes.ts";
import { matmulProfile, matmulProfileFromArch } from "./compute/matmul-profile.ts";
import type { MatmulProfile } from "./compute/matmul-profile.ts";
import { devNames, placement } from "./offload.ts";
import { tableSums } from "./table-sums.ts";
import { allocBytes, buildTensorTable, IMATRIX_DEPENDENT_FTYPES, IMATRIX_REQUIRED_FTYPES } from "./weights.ts";

export interface BreakdownOptions {
  /** Exact tensor table (GGUF header). Takes precedence over config.weights_ftype. */
  readonly tensors?: TensorTable | null;
  /** ftype of the tensor table (display only), e.g. from general.file_type. */
  readonly tensors_ftype?: string | null;
}

export interface WeightsOut {
  readonly w: Breakdown["weights"];
  readonly notes: Note[];
  /** What the CUDA overhead reads of the matrices (docs/memory-model.md#cuda-runtime-overhead). */
  readonly matmul: MatmulProfile;
}

const weightsCache = new WeakMap<object, Map<string, WeightsOut>>();

/** Everything of the configuration the weights depend on (besides the architecture and the tensors). */
export function weightsKey(config: RuntimeConfig, opts: BreakdownOptions): string {
  return `${config.backend}|${config.n_gpu_layers}|${config.weights_ftype}|${opts.tensors_ftype ?? ""}|${config.engine.name}|${config.engine.revision}`;
}

function cacheFor(arch: Architecture, opts: BreakdownOptions): Map<string, WeightsOut> {
  const cacheKey: object = opts.tensors ?? arch;
  let m = weightsCache.get(cacheKey);
  if (!m) weightsCache.set(cacheKey, (m = new Map()));
  return m;
}

export function computeWeights(arch: Architecture, config: RuntimeConfig, opts: BreakdownOptions): WeightsOut {
  const key = weightsKey(config, opts);
  const m = cacheFor(arch, opts);
  const hit = m.get(key);
  if (hit) return hit;
  const out = computeWeightsUncached(arch, config, opts);
  m.set(key, out);
  return out;
}

/** The weights computed so far for `arch` (and `opts.tensors`), by weights key. */
export function weightsEntries(arch: Architecture, opts: BreakdownOptions): [string, WeightsOut][] {
  return [...cacheFor(arch, opts)];
}

/**
 * Takes `entries` as the weights of `arch` (and `opts.tensors`) by weights key: what
 * computeWeights returned for the same architecture and tensors (weightsEntries, e.g. at build
 * time, through JSON), so a breakdown of one of these keys skips building the tensor table. An
 * entry already there is kept.
 */
export function seedWeights(
  arch: Architecture,
  opts: BreakdownOptions,
  entries: readonly [string, WeightsOut][],
): void {
  const m = cacheFor(arch, opts);
  for (const [key, out] of entries) if (!m.has(key)) m.set(key, out);
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
      const out = fallbackWeights(arch, config, ftype, e);
      return { w: out.w, notes: [...notes, ...out.notes], matmul: out.matmul };
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
      matmul: matmulProfileFromArch(arch, null),
    };
  }
  return tableWeights(arch, config, tensors, source, ftype, notes);
}

/** The params × bpw estimate when no tensor table can be built for the ftype (docs/memory-model.md#weights-fallback). */
function fallbackWeights(arch: Architecture, config: RuntimeConfig, ftype: string, e: EngineError): WeightsOut {
  const notes: Note[] = [];
  const bpw = FTYPE_FALLBACK_BPW[ftype];
  if (bpw === undefined)
    throw new EngineError(
      "unsupported-config",
      `unknown weights ftype "${config.weights_ftype}" (known: ${Object.keys(FTYPE_FALLBACK_BPW).join(", ")})`,
      "weights_ftype",
    );
  if (arch.n_params === null) throw missingField("n_params", `for the params × bpw weights fallback (${e.message})`);
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
    matmul: matmulProfileFromArch(arch, ftype),
  };
}

/** Weights from a tensor table, per buffer (docs/memory-model.md#weights-runtime). */
function tableWeights(
  arch: Architecture,
  config: RuntimeConfig,
  tensors: TensorTable,
  source: Breakdown["weights"]["source"],
  ftype: string | null,
  notes: Note[],
): WeightsOut {
  const place = placement(arch.block_count, config);
  const names = devNames(config);
  const backendKind = config.backend === "cuda" ? "cuda" : config.backend === "metal" ? "metal" : "host";
  // llama.cpp de3ff81 creates NextN/MTP layer tensors with TENSOR_SKIP unless MTP drafting is on
  // (llama_model_params.load_mtp, default false): they stay in the file, not in memory.
  const mtpFrom =
    config.engine.name === "llama.cpp" && config.engine.revision === "current"
      ? arch.block_count - arch.nextn_predict_layers
      : Infinity;
  // Summed once per table (./table-sums.ts); here only where each layer goes.
  const sums = tableSums(tensors, backendKind);
  const { total, hasOutput, embd } = sums;
  let host = sums.inputHost;
  let dev = 0;
  let mtpBytes = 0;
  for (const [il, l] of sums.layers) {
    if (il >= mtpFrom) mtpBytes += l.raw;
    else if (place.onDevice(il)) dev += l.dev;
    else host += l.host;
  }
  if (place.outputOnDevice) dev += sums.otherDev;
  else host += sums.otherHost;
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
      // docs/memory-model.md#weights-mtp-not-loaded: common_model_params_to_llama sets load_mtp only for --spec-type draft-mtp
      message: `${arch.nextn_predict_layers} NextN/MTP layer(s), ${mtpBytes} B of the file, are not loaded: llama.cpp loads them only with --spec-type draft-mtp (MTP drafting, which also adds a draft context with its own KV cache for those layers — not counted here)`,
    });
  return {
    w: { bytes: total, source, estimate: false, ftype, per_device: per, tied_duplicate_bytes: dup },
    notes,
    matmul: matmulProfile(tensors),
  };
}
