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
import type { Architecture, ArchitectureInput } from "../../schemas/architecture.ts";
import type { GgufMetadata } from "./header.ts";
import { issueSummary } from "../zod-issues.ts";
import { ARCHS, SUPPORTED_ARCHS } from "./arch-specs.ts";
import type { ArchSpec, SwaRule } from "./arch-specs.ts";
import { GgufMappingError, Reader } from "./key-reader.ts";

export { ARCHS, SUPPORTED_ARCHS } from "./arch-specs.ts";
export { GgufMappingError } from "./key-reader.ts";

/** Minimal view of a tensor info the mapping uses. */
export interface TensorLike {
  name: string;
  shape: readonly number[];
}

const first = (v: number | number[]): number => (Array.isArray(v) ? v[0] : v);
const maxOf = (v: number | number[] | null): number | null =>
  v === null ? null : Array.isArray(v) ? Math.max(0, ...v) : v;

/** The architecture's spec, or a GgufMappingError for a file without one or an unmapped one. */
function specOf(metadata: GgufMetadata): [string, ArchSpec] {
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
  return [arch, spec];
}

/** Every key the architecture's loader requires is present. */
function checkRequired(r: Reader, spec: ArchSpec): void {
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
      `GGUF of architecture "${r.arch}" lacks ${missing.length === 1 ? "key" : "keys"} ${missing.join(", ")}, required by llama.cpp's ${r.arch} loader`,
      r.arch,
      missing,
    );
}

/** block_count and nextn_predict_layers, bounded before any per-layer array is allocated (src/schemas/limits.ts). */
function layerCounts(r: Reader): [number, number] {
  const nLayerAll = r.uint("block_count")!;
  if (nLayerAll === 0) throw new GgufMappingError(`${r.key("block_count")} is 0`, r.arch);
  if (nLayerAll > LIMITS.layers)
    throw new GgufMappingError(overLimit(r.key("block_count"), nLayerAll, LIMITS.layers, "layers"), r.arch);
  const nextn = r.uint("nextn_predict_layers") ?? 0;
  if (nextn > nLayerAll)
    throw new GgufMappingError(
      `${r.key("nextn_predict_layers")} = ${nextn} exceeds block_count = ${nLayerAll}`,
      r.arch,
    );
  return [nLayerAll, nextn];
}

type SwaFields = Pick<ArchitectureInput, "sliding_window" | "sliding_window_pattern" | "swa_dense_first">;

/** The window and per-layer SWA pattern as the loader reads them for this SWA rule. */
function swaFields(
  r: Reader,
  swa: SwaRule,
  nLayerAll: number,
  nextn: number,
  nHeadKv: number | number[] | null,
): SwaFields {
  const none: SwaFields = { sliding_window: null, sliding_window_pattern: null, swa_dense_first: false };
  const window = r.uint("attention.sliding_window");
  const pat = (): number | boolean[] | null =>
    r.flags("attention.sliding_window_pattern", nLayerAll) ?? r.uint("attention.sliding_window_pattern");
  switch (swa.kind) {
    case "none":
      return none;
    case "disabled":
      // llama.cpp reads it and switches SWA off; kept so the engine can say so
      return { ...none, sliding_window: window && window > 0 ? window : null };
    case "pattern":
      if (swa.optional && !(window && window > 0)) return none; // gemma3 without a window: no SWA
      return {
        sliding_window: window ?? swa.windowDefault ?? null,
        sliding_window_pattern: pat() ?? swa.period,
        swa_dense_first: swa.denseFirst ?? false,
      };
    case "array": {
      const arr = r.flags("attention.sliding_window_pattern", nLayerAll);
      if (!arr)
        throw new GgufMappingError(
          `${r.key("attention.sliding_window_pattern")} must be a per-layer array for ${r.arch}`,
          r.arch,
          [r.key("attention.sliding_window_pattern")],
        );
      return { ...none, sliding_window: window, sliding_window_pattern: arr };
    }
    case "llama4":
      if (window === 0) return none; // the file turns chunked attention off
      // window hard-coded by the loader whatever the file says
      return { ...none, sliding_window: 8192, sliding_window_pattern: pat() ?? 4 };
    case "lfm2":
      if (!(window && window > 0)) return none;
      if (nHeadKv === null || !Array.isArray(nHeadKv))
        throw new GgufMappingError(
          `${r.arch} with a sliding window needs ${r.key("attention.head_count_kv")} as a per-layer array`,
          r.arch,
          [r.key("attention.head_count_kv")],
        );
      return {
        ...none,
        sliding_window: window,
        sliding_window_pattern: nHeadKv.map((h, il) => il < nLayerAll - nextn && h !== 0),
      };
  }
}

/** MLA ranks (deepseek2 family) when the file carries the MLA keys. */
function mlaFields(r: Reader, spec: ArchSpec): ArchitectureInput["mla"] {
  if (!spec.mla || !r.has("attention.key_length_mla") || !r.has("attention.value_length_mla")) return null;
  const rope = r.uint("rope.dimension_count");
  if (rope === null)
    throw new GgufMappingError(`${r.arch} MLA needs ${r.key("rope.dimension_count")} (qk_rope_head_dim)`, r.arch, [
      r.key("rope.dimension_count"),
    ]);
  return {
    kv_lora_rank: r.uint("attention.kv_lora_rank")!,
    q_lora_rank: r.uint("attention.q_lora_rank"),
    rope_dim: rope,
    key_length_mla: r.uint("attention.key_length_mla")!,
    value_length_mla: r.uint("attention.value_length_mla")!,
  };
}

type RecurrentFields = Pick<ArchitectureInput, "recurrent" | "recurrent_layers" | "full_attention_interval">;

/** The recurrent family's state sizes (and, for gated-delta-net, which layers are recurrent). */
function recurrentFields(r: Reader, spec: ArchSpec, nLayerAll: number): RecurrentFields {
  const out: RecurrentFields = { recurrent: null, recurrent_layers: null, full_attention_interval: null };
  switch (spec.recurrent) {
    case undefined:
      return out;
    case "mamba1":
      return {
        ...out,
        recurrent: {
          family: "mamba1",
          d_conv: r.uint("ssm.conv_kernel"),
          d_inner: r.uint("ssm.inner_size"),
          d_state: r.uint("ssm.state_size"),
          n_group: 0, // the Mamba-1 loaders never read ssm.group_count
          time_step_rank: r.uint("ssm.time_step_rank"),
        },
      };
    case "mamba2":
    case "gated-delta-net": {
      const recurrent: ArchitectureInput["recurrent"] = {
        family: spec.recurrent,
        d_conv: r.uint("ssm.conv_kernel"),
        d_inner: r.uint("ssm.inner_size"),
        d_state: r.uint("ssm.state_size"),
        n_group: r.uint("ssm.group_count"),
        time_step_rank: r.uint("ssm.time_step_rank"),
      };
      if (spec.recurrent !== "gated-delta-net") return { ...out, recurrent };
      const recurrentLayers = r.flags("attention.recurrent_layers", nLayerAll);
      return {
        recurrent,
        recurrent_layers: recurrentLayers,
        full_attention_interval: r.uint("full_attention_interval"),
      };
    }
    case "rwkv6":
    case "rwkv7":
      return {
        ...out,
        recurrent: {
          family: spec.recurrent,
          head_size: r.uint("wkv.head_size"),
          token_shift_count: r.uint("token_shift_count") ?? 2,
        },
      };
    case "shortconv":
      return { ...out, recurrent: { family: "shortconv", l_cache: r.uint("shortconv.l_cache") } };
    default:
      throw new GgufMappingError(`recurrent family ${spec.recurrent} is not mapped`, r.arch);
  }
}

interface AttentionFields {
  readonly n_head: number | number[] | null;
  readonly n_head_kv: number | number[] | null;
  readonly key_length: number | null;
  readonly value_length: number | null;
  readonly key_length_swa: number | null;
  readonly value_length_swa: number | null;
}

/** Attention geometry: head counts (head_count_kv defaults to head_count per layer, load_hparams) and head dims. */
function attentionFields(r: Reader, nLayerAll: number, nEmbd: number): AttentionFields {
  const nHead = r.uintOrArray("attention.head_count", nLayerAll);
  const nHeadKv = r.uintOrArray("attention.head_count_kv", nLayerAll) ?? nHead;
  const head0 = nHead === null ? 0 : first(nHead);
  // key/value_length default to n_embd / n_head(0) when the model has heads
  const keyLength = head0 > 0 ? (r.uint("attention.key_length") ?? Math.floor(nEmbd / head0)) : null;
  const valueLength = head0 > 0 ? (r.uint("attention.value_length") ?? Math.floor(nEmbd / head0)) : null;
  return {
    n_head: nHead,
    n_head_kv: nHeadKv,
    key_length: keyLength === 0 ? null : keyLength,
    value_length: valueLength === 0 ? null : valueLength,
    key_length_swa: head0 > 0 ? r.uint("attention.key_length_swa") : null,
    value_length_swa: head0 > 0 ? r.uint("attention.value_length_swa") : null,
  };
}

/**
 * Map a GGUF header onto the architecture schema. `tensors` (the header's tensor infos) adds
 * `tied_embeddings` (no `output.weight`) and `n_params`; without them both stay null.
 */
export function ggufToArchitecture(
  metadata: GgufMetadata,
  opts: { tensors?: readonly TensorLike[] } = {},
): Architecture {
  const [arch, spec] = specOf(metadata);
  const r = new Reader(arch, metadata);
  checkRequired(r, spec);
  const [nLayerAll, nextn] = layerCounts(r);
  const nEmbd = r.uint("embedding_length")!;
  const attn = attentionFields(r, nLayerAll, nEmbd);
  const swa = swaFields(r, spec.swa, nLayerAll, nextn, attn.n_head_kv);
  // KV sharing: Gemma 3n's first 20 layers own KV; Gemma 4's last shared_kv_layers reuse.
  const sharedKv = arch === "gemma4" ? (r.uint("attention.shared_kv_layers") ?? 0) : null;
  const kvFromStart = arch === "gemma3n" ? 20 : sharedKv !== null ? nLayerAll - sharedKv : null;
  const mla = mlaFields(r, spec);
  const rec = recurrentFields(r, spec, nLayerAll);
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
    ...attn,
    ...swa,
    mla,
    indexer: null,
    ...rec,
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
