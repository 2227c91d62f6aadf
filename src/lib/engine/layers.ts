import type { Architecture, LayerKind } from "../../schemas/architecture.ts";
import { EngineError, missingField } from "./errors.ts";
import {
  HYBRID_MTP_FILTER,
  maxOf,
  MTP_FILTER,
  NEMOTRON_H,
  perLayer,
  PURE_RECURRENT,
  recurrentPredicate,
  SWA_DEFAULT_WINDOW,
  swaPredicate,
} from "./layer-rules.ts";
import { recurrentWidths } from "./recurrent-widths.ts";
import type { RecurrentWidths } from "./recurrent-widths.ts";

export { recurrentWidths } from "./recurrent-widths.ts";
export type { RecurrentWidths } from "./recurrent-widths.ts";

/**
 * Per-layer resolution of an architecture: which layers hold KV (full / SWA), which hold
 * recurrent state, which reuse another layer's KV, with their head counts and row widths.
 * The hard-coded per-architecture rules of docs/memory-model.md (#kv-layers, #swa-patterns, #hybrid-layer-patterns) live here,
 * keyed by `arch`; the data only carries GGUF values.
 */

export interface ResolvedLayer {
  readonly il: number;
  readonly kind: LayerKind;
  /** hparams.is_swa(il) */
  readonly swa: boolean;
  /** Layer owns KV tensors in an attention cache (possibly of 0 bytes for head_count_kv 0). */
  readonly kv: boolean;
  /** Layer owns recurrent state (R/S tensors). */
  readonly recurrent: boolean;
  /** Layer whose KV this layer reuses (shared-kv), else null. */
  readonly reuse: number | null;
  /** Query heads (null when unknown and not needed). */
  readonly n_head: number | null;
  /** KV heads (MLA: 1). */
  readonly n_head_kv: number;
  /** K / V head dims (SWA dims on SWA layers; MLA: kv_lora_rank + rope, kv_lora_rank). */
  readonly head_k: number;
  readonly head_v: number;
  /** n_embd_k_gqa(il), n_embd_v_gqa(il) before any padding. */
  readonly k_width: number;
  readonly v_width: number;
}

export interface ResolvedArchitecture {
  readonly arch: Architecture;
  readonly layers: readonly ResolvedLayer[];
  /** block_count (n_layer_all). */
  readonly n_layer_all: number;
  /** block_count − nextn_predict_layers (hparams.n_layer()). */
  readonly n_layer: number;
  /** iSWA: two cache instances. */
  readonly has_swa: boolean;
  /** n_swa (window) when has_swa, else null. */
  readonly n_swa: number | null;
  readonly is_mla: boolean;
  /** n_embd_v_gqa_max() over all layers (V width with FA off). */
  readonly v_width_max: number;
  /** Largest K width over KV layers (compute estimate). */
  readonly k_width_max: number;
  /** Largest query head count over attention layers (compute estimate), null if unknown. */
  readonly n_head_max: number | null;
  /** First attention layer's n_head / n_head_kv: the model's GQA (the fork's ratio is kv.ts's layer0Ratio). */
  readonly gqa_ratio: number | null;
  readonly recurrent_widths: RecurrentWidths | null;
  /** Rules applied (for notes). */
  readonly rules: readonly string[];
}

const cache = new WeakMap<Architecture, Map<string, ResolvedArchitecture>>();

export interface ResolveOptions {
  /**
   * Drop NextN/MTP layers (il ≥ n_layer()) from the KV cache for EVERY architecture, as llama.cpp
   * de3ff81 does (create_memory filters il < n_layer() whenever nextn_predict_layers > 0; checked
   * against real llama.cpp on a tiny glm4moe GGUF). false = the per-arch lists of
   * docs/memory-model.md#nextn-mtp-filter (older builds: GLM-4.x / DeepSeek2 keep a NextN layer's KV), used by older revisions.
   */
  readonly mtpFilterAll?: boolean;
}

/** First layer that reuses another's KV (Gemma 3n / Gemma 4 KV sharing), or null (docs/memory-model.md#shared-kv-layers). */
function sharedKvStart(a: Architecture, nAll: number, rules: string[]): number | null {
  let kvFromStart = a.n_layer_kv_from_start;
  if (kvFromStart === null && a.arch === "gemma3n") kvFromStart = 20;
  if (kvFromStart === null && a.arch === "gemma4") {
    if (a.shared_kv_layers === null) throw missingField("shared_kv_layers", "for Gemma 4's KV-sharing tail");
    kvFromStart = nAll - a.shared_kv_layers;
  }
  if (kvFromStart !== null && kvFromStart < nAll)
    rules.push(`${a.arch}: only layers il < ${kvFromStart} own KV; later layers reuse`);
  return kvFromStart;
}

interface KindInput {
  readonly a: Architecture;
  readonly nAll: number;
  readonly nLayer: number;
  readonly mtpDropped: boolean;
  readonly isRecr: ((il: number) => boolean) | null;
  readonly isSwa: ((il: number) => boolean) | null;
  readonly kvFromStart: number | null;
}

/** The kind of one layer before head counts are known. */
function kindOf(x: KindInput, il: number, swa: boolean): LayerKind {
  const { a, nLayer } = x;
  if (il >= nLayer && x.mtpDropped) return "mtp";
  if (PURE_RECURRENT.has(a.arch)) return il < nLayer ? "recurrent" : "none";
  const recr = x.isRecr ? x.isRecr(il) : false;
  if (a.arch === "falcon-h1") return "recurrent+full";
  if (recr) return "recurrent";
  if (NEMOTRON_H.has(a.arch)) {
    const ff = perLayer(a.feed_forward_length, il, "feed_forward_length", "for Nemotron-H");
    if (ff !== 0) return "none";
  }
  if (x.kvFromStart !== null && il >= x.kvFromStart) return "shared-kv";
  return swa ? "swa" : "full";
}

interface HeadDims {
  readonly nHead: number | null;
  readonly nHeadKv: number;
  readonly headK: number;
  readonly headV: number;
}

/** Query/KV heads and head dims of an attention layer (MLA: one latent head). */
function headDims(a: Architecture, il: number, swa: boolean): HeadDims {
  const nHead = a.n_head === null ? null : perLayer(a.n_head, il, "n_head", "for attention head counts");
  if (a.mla !== null) {
    const m = a.mla;
    return { nHead, nHeadKv: 1, headK: m.kv_lora_rank + m.rope_dim, headV: m.kv_lora_rank };
  }
  const nHeadKv = perLayer(a.n_head_kv, il, "n_head_kv", "for the KV cache width");
  const dflt = (field: string): number => {
    if (a.n_embd === null || nHead === null || nHead === 0)
      throw missingField(field, "for the KV head dim (no n_embd / n_head to derive it from)");
    return a.n_embd / nHead;
  };
  const fullK = a.key_length ?? dflt("key_length");
  const fullV = a.value_length ?? dflt("value_length");
  const headK = swa ? (a.key_length_swa ?? fullK) : fullK;
  const headV = swa ? (a.value_length_swa ?? fullV) : fullV;
  if (!Number.isInteger(headK) || !Number.isInteger(headV))
    throw missingField("key_length", "(n_embd / n_head is not an integer)");
  return { nHead, nHeadKv, headK, headV };
}

const NO_HEADS: HeadDims = { nHead: null, nHeadKv: 0, headK: 0, headV: 0 };

/** One layer from its kind: heads, widths, the layer whose KV it reuses. */
function resolveLayer(
  a: Architecture,
  il: number,
  kinds: readonly LayerKind[],
  swaFlags: readonly boolean[],
  kvFromStart: number | null,
  needsHeads: boolean,
): ResolvedLayer {
  const kind = kinds[il];
  const swa = swaFlags[il];
  const attn = kind === "full" || kind === "swa" || kind === "recurrent+full";
  const h = attn || (kind === "shared-kv" && needsHeads) ? headDims(a, il, swa) : NO_HEADS;
  let resolvedKind = kind;
  // Deci-style zero-head layers: a 0-byte row inside the cache (not for hybrids, filtered above).
  if (attn && h.nHeadKv === 0 && a.mla === null && kind !== "recurrent+full") resolvedKind = "none";
  let reuse: number | null = null;
  if (kind === "shared-kv" && kvFromStart !== null) {
    // Reuse the last SWA layer (kvFromStart − 2) if SWA, else the last full layer (kvFromStart − 1).
    let j = kvFromStart - 1;
    while (j >= 0 && (kinds[j] === "shared-kv" || swaFlags[j] !== swa)) j--;
    reuse = j >= 0 ? j : null;
  }
  return {
    il,
    kind: resolvedKind,
    swa,
    kv: attn,
    recurrent: kind === "recurrent" || kind === "recurrent+full",
    reuse,
    n_head: h.nHead,
    n_head_kv: h.nHeadKv,
    head_k: h.headK,
    head_v: h.headV,
    k_width: h.nHeadKv * h.headK,
    v_width: h.nHeadKv * h.headV,
  };
}

/**
 * Resolve every layer of an architecture. Pure; memoised per architecture object.
 * Throws EngineError when a needed field is null or inconsistent.
 */
export function resolveLayers(a: Architecture, opts: ResolveOptions = {}): ResolvedArchitecture {
  const filterAll = opts.mtpFilterAll ?? true;
  const key = filterAll ? "all" : "lists";
  let m = cache.get(a);
  if (!m) cache.set(a, (m = new Map()));
  const hit = m.get(key);
  if (hit) return hit;
  const res = resolveUncached(a, filterAll);
  m.set(key, res);
  return res;
}

function resolveUncached(a: Architecture, filterAll: boolean): ResolvedArchitecture {
  const rules: string[] = [];
  const nAll = a.block_count;
  const nextn = a.nextn_predict_layers;
  if (nextn >= nAll)
    throw new EngineError(
      "invalid-field",
      `nextn_predict_layers (${nextn}) must be smaller than block_count (${nAll})`,
      "nextn_predict_layers",
    );
  const nLayer = nAll - nextn;
  const isRecr = recurrentPredicate(a, nLayer, rules);
  const isSwa = swaPredicate(a, rules);
  const mtpDropped = filterAll || HYBRID_MTP_FILTER.has(a.arch) || MTP_FILTER.has(a.arch);
  if (nextn > 0)
    rules.push(
      mtpDropped
        ? `${a.arch}: ${nextn} MTP/NextN layer(s) excluded from KV`
        : `${a.arch}: ${nextn} NextN layer(s) kept and given KV (no MTP filter)`,
    );
  const kvFromStart = sharedKvStart(a, nAll, rules);

  // First pass: kinds.
  const x: KindInput = { a, nAll, nLayer, mtpDropped, isRecr, isSwa, kvFromStart };
  const kinds: LayerKind[] = [];
  const swaFlags: boolean[] = [];
  for (let il = 0; il < nAll; il++) {
    const swa = isSwa ? isSwa(il) : false;
    swaFlags.push(swa);
    kinds.push(kindOf(x, il, swa));
  }
  const needsHeads = kinds.some((k) => k === "full" || k === "swa" || k === "recurrent+full");
  const layers: ResolvedLayer[] = [];
  for (let il = 0; il < nAll; il++) layers.push(resolveLayer(a, il, kinds, swaFlags, kvFromStart, needsHeads));
  return summarise(a, layers, nLayer, rules);
}

/** The architecture-wide figures over the resolved layers. */
function summarise(a: Architecture, layers: ResolvedLayer[], nLayer: number, rules: string[]): ResolvedArchitecture {
  let vMax = 0;
  let kMax = 0;
  let nHeadMax: number | null = null;
  let gqa: number | null = null;
  for (const l of layers) {
    if (!l.kv) continue;
    if (l.v_width > vMax) vMax = l.v_width;
    if (l.k_width > kMax) kMax = l.k_width;
    if (l.n_head !== null && (nHeadMax === null || l.n_head > nHeadMax)) nHeadMax = l.n_head;
    if (gqa === null && l.n_head !== null && l.n_head_kv > 0) gqa = Math.floor(l.n_head / l.n_head_kv);
  }
  const hasRecurrent = layers.some((l) => l.recurrent);
  const hasSwaKv = layers.some((l) => l.kv && l.swa);
  let nSwa: number | null = null;
  if (hasSwaKv) {
    nSwa = a.sliding_window ?? SWA_DEFAULT_WINDOW[a.arch] ?? null;
    if (nSwa === null) throw missingField("sliding_window", `for the SWA cache of ${a.arch}`);
  }
  return {
    arch: a,
    layers,
    n_layer_all: layers.length,
    n_layer: nLayer,
    has_swa: hasSwaKv,
    n_swa: nSwa,
    is_mla: a.mla !== null,
    v_width_max: vMax,
    k_width_max: kMax,
    n_head_max: nHeadMax ?? maxOf(a.n_head),
    gqa_ratio: gqa,
    recurrent_widths: hasRecurrent ? recurrentWidths(a) : null,
    rules,
  };
}
