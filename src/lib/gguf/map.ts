/**
 * GGUF metadata → the engine's architecture schema (docs/memory-model.md#gguf-keys), browser-safe.
 *
 * The mapping copies what llama.cpp's loader reads for the architecture (de3ff81,
 * `llama_model_base::load_hparams` + `src/models/<arch>.cpp` `load_arch_hparams`), with the
 * loader's own defaults where it has one (head_count_kv := head_count, key/value_length :=
 * n_embd / head_count, token_shift_count := 2). Layer-placement rules llama.cpp hard-codes (SWA
 * periods, Gemma 3n's KV cut, which layers are recurrent) stay with the engine; keys an
 * architecture's loader ignores are not mapped (a qwen2 GGUF carrying `sliding_window` gets no
 * SWA in llama.cpp, so none here either).
 *
 * Only architectures listed in ARCHS are mapped. Anything else, or a supported one missing a key
 * its loader requires, is a `GgufMappingError` naming the architecture and the missing keys —
 * never a generic transformer guess.
 */
import { ArchitectureSchema } from "../../schemas/architecture.ts";
import { LIMITS, overLimit } from "../../schemas/limits.ts";
import type { Architecture, ArchitectureInput, RecurrentFamily } from "../../schemas/architecture.ts";
import type { GgufMetadata, GgufValue } from "./header.ts";
import { issueSummary } from "../zod-issues.ts";

export class GgufMappingError extends Error {
  readonly arch: string | null;
  readonly missing: readonly string[];
  constructor(message: string, arch: string | null, missing: readonly string[] = []) {
    super(message);
    this.name = "GgufMappingError";
    this.arch = arch;
    this.missing = missing;
  }
}

type SwaRule =
  /** The loader never reads sliding_window: no SWA whatever the file says. */
  | { kind: "none" }
  /** `load_swa_pattern(ml, period[, dense_first])`: GGUF pattern key first, else the period. */
  | {
      kind: "pattern";
      period: number;
      denseFirst?: boolean;
      /** n_swa when the key is absent (gemma2: 4096); undefined = key required. */
      windowDefault?: number;
      /** SWA only when sliding_window is present and > 0 (gemma3). */
      optional?: boolean;
    }
  /** gemma4: per-layer pattern array required. */
  | { kind: "array" }
  /** llama4: chunked attention, window forced to 8192 unless the file says 0. */
  | { kind: "llama4" }
  /** phi3: read, then disabled by the loader. */
  | { kind: "disabled" }
  /** lfm2: when sliding_window > 0, every attention (non-recurrent) layer is SWA. */
  | { kind: "lfm2" };

interface ArchSpec {
  /** Has attention layers (needs head_count). */
  attention: boolean;
  swa: SwaRule;
  recurrent?: RecurrentFamily;
  /** MLA keys are read (deepseek2 family). */
  mla?: boolean;
  /** Key suffixes (after `{arch}.`) the loader requires, beyond the common ones. */
  required?: readonly string[];
}

const MAMBA1 = ["ssm.conv_kernel", "ssm.inner_size", "ssm.state_size", "ssm.time_step_rank"];
const MAMBA2 = [...MAMBA1, "ssm.group_count"];
const NONE: SwaRule = { kind: "none" };

/** Architectures whose loaders were read for this mapping (llama.cpp de3ff81). */
export const ARCHS: Readonly<Record<string, ArchSpec>> = {
  llama: { attention: true, swa: NONE },
  qwen2: { attention: true, swa: NONE },
  qwen2moe: { attention: true, swa: NONE },
  qwen3: { attention: true, swa: NONE },
  qwen3moe: { attention: true, swa: NONE },
  mistral3: { attention: true, swa: NONE },
  glm4: { attention: true, swa: NONE },
  glm4moe: { attention: true, swa: NONE },
  granite: { attention: true, swa: NONE },
  gemma: { attention: true, swa: NONE },
  phi3: { attention: true, swa: { kind: "disabled" } },
  gemma2: { attention: true, swa: { kind: "pattern", period: 2, windowDefault: 4096 } },
  gemma3: { attention: true, swa: { kind: "pattern", period: 6, optional: true } },
  gemma3n: { attention: true, swa: { kind: "pattern", period: 5 } },
  gemma4: {
    attention: true,
    swa: { kind: "array" },
    required: [
      "attention.sliding_window",
      "attention.sliding_window_pattern",
      "attention.key_length_swa",
      "attention.value_length_swa",
    ],
  },
  "gpt-oss": { attention: true, swa: { kind: "pattern", period: 2 } },
  cohere2: { attention: true, swa: { kind: "pattern", period: 4 } },
  llama4: { attention: true, swa: { kind: "llama4" } },
  deepseek2: { attention: true, swa: NONE, mla: true, required: ["attention.kv_lora_rank"] },
  mamba: { attention: false, swa: NONE, recurrent: "mamba1", required: MAMBA1 },
  mamba2: { attention: false, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  jamba: { attention: true, swa: NONE, recurrent: "mamba1", required: MAMBA1 },
  "falcon-h1": { attention: true, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  granitehybrid: { attention: true, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  nemotron_h: { attention: true, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  nemotron_h_moe: { attention: true, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  qwen3next: { attention: true, swa: NONE, recurrent: "gated-delta-net", required: MAMBA2 },
  qwen35: { attention: true, swa: NONE, recurrent: "gated-delta-net", required: MAMBA2 },
  qwen35moe: { attention: true, swa: NONE, recurrent: "gated-delta-net", required: MAMBA2 },
  rwkv6: { attention: false, swa: NONE, recurrent: "rwkv6", required: ["wkv.head_size"] },
  rwkv6qwen2: { attention: false, swa: NONE, recurrent: "rwkv6", required: ["wkv.head_size"] },
  rwkv7: { attention: false, swa: NONE, recurrent: "rwkv7", required: ["wkv.head_size"] },
  arwkv7: { attention: false, swa: NONE, recurrent: "rwkv7", required: ["wkv.head_size"] },
  lfm2: { attention: true, swa: { kind: "lfm2" }, recurrent: "shortconv", required: ["shortconv.l_cache"] },
  lfm2moe: { attention: true, swa: NONE, recurrent: "shortconv", required: ["shortconv.l_cache"] },
};

export const SUPPORTED_ARCHS: readonly string[] = Object.keys(ARCHS);

/** Minimal view of a tensor info the mapping uses. */
export interface TensorLike {
  name: string;
  shape: readonly number[];
}

class Reader {
  readonly arch: string;
  readonly meta: GgufMetadata;
  constructor(arch: string, meta: GgufMetadata) {
    this.arch = arch;
    this.meta = meta;
  }
  key(suffix: string): string {
    return `${this.arch}.${suffix}`;
  }
  has(suffix: string): boolean {
    return this.meta[this.key(suffix)] !== undefined;
  }
  private bad(suffix: string, v: GgufValue, expected: string): GgufMappingError {
    return new GgufMappingError(
      `GGUF key ${this.key(suffix)} is ${JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? String(x) : x))}, expected ${expected}`,
      this.arch,
    );
  }
  uint(suffix: string): number | null {
    const v = this.meta[this.key(suffix)];
    if (v === undefined) return null;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw this.bad(suffix, v, "a non-negative integer");
    return v;
  }
  float(suffix: string): number | null {
    const v = this.meta[this.key(suffix)];
    if (v === undefined) return null;
    if (typeof v !== "number") throw this.bad(suffix, v, "a number");
    return v;
  }
  /** Scalar or per-layer array of non-negative integers (get_key_or_arr). */
  uintOrArray(suffix: string, nLayer: number): number | number[] | null {
    const v = this.meta[this.key(suffix)];
    if (v === undefined) return null;
    if (Array.isArray(v)) {
      if (v.length !== nLayer) throw this.bad(suffix, v.length, `an array of block_count = ${nLayer} entries`);
      return v.map((x) => {
        if (typeof x === "boolean") return x ? 1 : 0;
        if (typeof x !== "number" || !Number.isInteger(x) || x < 0)
          throw this.bad(suffix, x, "non-negative integer entries");
        return x;
      });
    }
    return this.uint(suffix);
  }
  /** Per-layer flags stored as bool or integer arrays (or a scalar bool for every layer). */
  flags(suffix: string, nLayer: number): boolean[] | null {
    const v = this.meta[this.key(suffix)];
    if (v === undefined) return null;
    if (typeof v === "boolean") return new Array<boolean>(nLayer).fill(v);
    if (!Array.isArray(v)) return null;
    if (v.length > nLayer) throw this.bad(suffix, v.length, `at most block_count = ${nLayer} entries`);
    const out = new Array<boolean>(nLayer).fill(false);
    v.forEach((x, i) => {
      if (typeof x === "boolean") out[i] = x;
      else if (typeof x === "number") out[i] = x !== 0;
      else throw this.bad(suffix, x, "bool or integer entries");
    });
    return out;
  }
}

const first = (v: number | number[]): number => (Array.isArray(v) ? v[0] : v);
const maxOf = (v: number | number[] | null): number | null =>
  v === null ? null : Array.isArray(v) ? Math.max(0, ...v) : v;

/**
 * Map a GGUF header onto the architecture schema. `tensors` (the header's tensor infos) adds
 * `tied_embeddings` (no `output.weight`) and `n_params`; without them both stay null.
 */
export function ggufToArchitecture(
  metadata: GgufMetadata,
  opts: { tensors?: readonly TensorLike[] } = {},
): Architecture {
  const archRaw = metadata["general.architecture"];
  if (typeof archRaw !== "string" || archRaw === "")
    throw new GgufMappingError(
      "GGUF has no general.architecture string; cannot tell which llama.cpp rules apply",
      null,
      ["general.architecture"],
    );
  const arch = archRaw;
  const spec = ARCHS[arch];
  if (!spec)
    throw new GgufMappingError(
      `architecture "${arch}" is not supported: its llama.cpp memory rules have not been mapped ` +
        `(supported: ${SUPPORTED_ARCHS.join(", ")})`,
      arch,
    );
  const r = new Reader(arch, metadata);

  const required = [
    "context_length",
    "embedding_length",
    "block_count",
    ...(spec.attention ? ["attention.head_count"] : []),
    ...(spec.required ?? []),
  ];
  const swa = spec.swa;
  if (swa.kind === "pattern" && swa.windowDefault === undefined && !swa.optional)
    required.push("attention.sliding_window");
  const missing = required.filter((k) => !r.has(k)).map((k) => r.key(k));
  if (missing.length)
    throw new GgufMappingError(
      `GGUF of architecture "${arch}" lacks ${missing.length === 1 ? "key" : "keys"} ${missing.join(", ")}, required by llama.cpp's ${arch} loader`,
      arch,
      missing,
    );

  const nLayerAll = r.uint("block_count")!;
  if (nLayerAll === 0) throw new GgufMappingError(`${r.key("block_count")} is 0`, arch);
  // bounded before any per-layer array is allocated (src/schemas/limits.ts)
  if (nLayerAll > LIMITS.layers)
    throw new GgufMappingError(overLimit(r.key("block_count"), nLayerAll, LIMITS.layers, "layers"), arch);
  const nextn = r.uint("nextn_predict_layers") ?? 0;
  if (nextn > nLayerAll)
    throw new GgufMappingError(`${r.key("nextn_predict_layers")} = ${nextn} exceeds block_count = ${nLayerAll}`, arch);
  const nEmbd = r.uint("embedding_length")!;

  // head counts: head_count_kv defaults to head_count per layer (load_hparams)
  const nHead = r.uintOrArray("attention.head_count", nLayerAll);
  const nHeadKv = r.uintOrArray("attention.head_count_kv", nLayerAll) ?? nHead;
  const head0 = nHead === null ? 0 : first(nHead);
  // key/value_length default to n_embd / n_head(0) when the model has heads
  const keyLength = head0 > 0 ? (r.uint("attention.key_length") ?? Math.floor(nEmbd / head0)) : null;
  const valueLength = head0 > 0 ? (r.uint("attention.value_length") ?? Math.floor(nEmbd / head0)) : null;
  const keyLengthSwa = head0 > 0 ? r.uint("attention.key_length_swa") : null;
  const valueLengthSwa = head0 > 0 ? r.uint("attention.value_length_swa") : null;

  let slidingWindow: number | null = null;
  let pattern: number | boolean[] | null = null;
  let denseFirst = false;
  let kvFromStart: number | null = null;
  const window = r.uint("attention.sliding_window");
  switch (swa.kind) {
    case "none":
      break;
    case "disabled":
      // llama.cpp reads it and switches SWA off; kept so the engine can say so
      slidingWindow = window && window > 0 ? window : null;
      break;
    case "pattern": {
      if (swa.optional && !(window && window > 0)) break; // gemma3 without a window: no SWA
      slidingWindow = window ?? swa.windowDefault ?? null;
      const arr = r.flags("attention.sliding_window_pattern", nLayerAll);
      pattern = arr ?? r.uint("attention.sliding_window_pattern") ?? swa.period;
      denseFirst = swa.denseFirst ?? false;
      break;
    }
    case "array": {
      slidingWindow = window;
      const arr = r.flags("attention.sliding_window_pattern", nLayerAll);
      if (!arr)
        throw new GgufMappingError(
          `${r.key("attention.sliding_window_pattern")} must be a per-layer array for ${arch}`,
          arch,
          [r.key("attention.sliding_window_pattern")],
        );
      pattern = arr;
      break;
    }
    case "llama4":
      if (window === 0) break; // the file turns chunked attention off
      slidingWindow = 8192; // hard-coded by the loader whatever the file says
      pattern =
        r.flags("attention.sliding_window_pattern", nLayerAll) ?? r.uint("attention.sliding_window_pattern") ?? 4;
      break;
    case "lfm2":
      if (window && window > 0) {
        if (nHeadKv === null || !Array.isArray(nHeadKv))
          throw new GgufMappingError(
            `${arch} with a sliding window needs ${r.key("attention.head_count_kv")} as a per-layer array`,
            arch,
            [r.key("attention.head_count_kv")],
          );
        slidingWindow = window;
        pattern = nHeadKv.map((h, il) => il < nLayerAll - nextn && h !== 0);
      }
      break;
  }

  let sharedKv: number | null = null;
  if (arch === "gemma3n") kvFromStart = 20;
  if (arch === "gemma4") {
    sharedKv = r.uint("attention.shared_kv_layers") ?? 0;
    kvFromStart = nLayerAll - sharedKv;
  }

  let mla: ArchitectureInput["mla"] = null;
  if (spec.mla && r.has("attention.key_length_mla") && r.has("attention.value_length_mla")) {
    const rope = r.uint("rope.dimension_count");
    if (rope === null)
      throw new GgufMappingError(`${arch} MLA needs ${r.key("rope.dimension_count")} (qk_rope_head_dim)`, arch, [
        r.key("rope.dimension_count"),
      ]);
    mla = {
      kv_lora_rank: r.uint("attention.kv_lora_rank")!,
      q_lora_rank: r.uint("attention.q_lora_rank"),
      rope_dim: rope,
      key_length_mla: r.uint("attention.key_length_mla")!,
      value_length_mla: r.uint("attention.value_length_mla")!,
    };
  }

  let recurrent: ArchitectureInput["recurrent"] = null;
  let recurrentLayers: boolean[] | null = null;
  let fullAttnInterval: number | null = null;
  switch (spec.recurrent) {
    case undefined:
      break;
    case "mamba1":
      recurrent = {
        family: "mamba1",
        d_conv: r.uint("ssm.conv_kernel"),
        d_inner: r.uint("ssm.inner_size"),
        d_state: r.uint("ssm.state_size"),
        n_group: 0, // the Mamba-1 loaders never read ssm.group_count
        time_step_rank: r.uint("ssm.time_step_rank"),
      };
      break;
    case "mamba2":
    case "gated-delta-net":
      recurrent = {
        family: spec.recurrent,
        d_conv: r.uint("ssm.conv_kernel"),
        d_inner: r.uint("ssm.inner_size"),
        d_state: r.uint("ssm.state_size"),
        n_group: r.uint("ssm.group_count"),
        time_step_rank: r.uint("ssm.time_step_rank"),
      };
      if (spec.recurrent === "gated-delta-net") {
        recurrentLayers = r.flags("attention.recurrent_layers", nLayerAll);
        fullAttnInterval = r.uint("full_attention_interval");
      }
      break;
    case "rwkv6":
    case "rwkv7":
      recurrent = {
        family: spec.recurrent,
        head_size: r.uint("wkv.head_size"),
        token_shift_count: r.uint("token_shift_count") ?? 2,
      };
      break;
    case "shortconv":
      recurrent = { family: "shortconv", l_cache: r.uint("shortconv.l_cache") };
      break;
    default:
      throw new GgufMappingError(`recurrent family ${spec.recurrent} is not mapped`, arch);
  }

  const tokens = metadata["tokenizer.ggml.tokens"];
  const vocab = r.uint("vocab_size") ?? (Array.isArray(tokens) ? tokens.length : null);

  const expertFf = r.uintOrArray("expert_feed_forward_length", nLayerAll);
  const tensors = opts.tensors;
  const input: ArchitectureInput = {
    arch,
    name: typeof metadata["general.name"] === "string" ? metadata["general.name"] : null,
    block_count: nLayerAll,
    nextn_predict_layers: nextn,
    context_length: r.uint("context_length"),
    n_embd: nEmbd,
    n_head: nHead,
    n_head_kv: nHeadKv,
    key_length: keyLength === 0 ? null : keyLength,
    value_length: valueLength === 0 ? null : valueLength,
    key_length_swa: keyLengthSwa,
    value_length_swa: valueLengthSwa,
    sliding_window: slidingWindow,
    sliding_window_pattern: pattern,
    swa_dense_first: denseFirst,
    mla,
    indexer: null,
    recurrent,
    recurrent_layers: recurrentLayers,
    full_attention_interval: fullAttnInterval,
    n_layer_kv_from_start: kvFromStart,
    shared_kv_layers: sharedKv,
    feed_forward_length: r.uintOrArray("feed_forward_length", nLayerAll),
    expert_count: r.uint("expert_count"),
    expert_used_count: maxOf(r.uintOrArray("expert_used_count", nLayerAll)),
    // per-layer expert widths (gpt-oss-style arrays) → the widest, for the compute estimate
    expert_feed_forward_length: maxOf(expertFf),
    expert_shared_count: r.uint("expert_shared_count"),
    expert_shared_feed_forward_length: r.uint("expert_shared_feed_forward_length"),
    leading_dense_block_count: r.uint("leading_dense_block_count"),
    interleave_moe_layer_step: r.uint("interleave_moe_layer_step"),
    vocab_size: vocab === 0 ? null : vocab,
    tied_embeddings: tensors ? !tensors.some((t) => t.name === "output.weight") : null,
    n_params: tensors ? tensors.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0) : null,
  };
  const parsed = ArchitectureSchema.safeParse(input);
  if (!parsed.success)
    throw new GgufMappingError(
      `GGUF of architecture "${arch}" maps to an invalid architecture: ${issueSummary(parsed.error.issues, { input })}`,
      arch,
    );
  return parsed.data;
}
