import type { Architecture, LayerKind, RecurrentSpec } from "../../schemas/architecture.ts";
import { EngineError, missingField } from "./errors.ts";

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

export interface RecurrentWidths {
  /** n_embd_r (f32 values per cell). */
  readonly r: number;
  /** n_embd_s. */
  readonly s: number;
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

/** SWA period hard-coded per arch (docs/memory-model.md#swa-patterns). */
const SWA_PERIOD: Readonly<Record<string, number>> = {
  gemma2: 2,
  gemma3: 6,
  gemma3n: 5,
  "gpt-oss": 2,
  llama4: 4,
  cohere2: 4,
};
/** n_swa defaults where llama.cpp hard-codes one (used when the GGUF key is absent). */
const SWA_DEFAULT_WINDOW: Readonly<Record<string, number>> = {
  gemma2: 4096,
  "gpt-oss": 128,
  llama4: 8192,
};
/** Archs whose SWA pattern is read from the GGUF (per-layer array). */
const SWA_FROM_GGUF = new Set(["gemma4"]);
/** Archs with SWA disabled in llama.cpp. */
const SWA_DISABLED = new Set(["phi3"]);

const PURE_RECURRENT = new Set(["mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7"]);
const QWEN_HYBRID = new Set(["qwen3next", "qwen35", "qwen35moe"]);
const HKV_ZERO_HYBRID = new Set(["jamba", "granitehybrid", "lfm2", "lfm2moe"]);
const NEMOTRON_H = new Set(["nemotron_h", "nemotron_h_moe"]);
/** Hybrids whose MTP layers are dropped from KV and RS (docs/memory-model.md#nextn-mtp-filter). */
const HYBRID_MTP_FILTER = new Set(["qwen3next", "qwen35", "qwen35moe", "minimax01"]);
/** Non-hybrid archs with the `il < n_layer()` MTP filter (docs/memory-model.md#nextn-mtp-filter). */
const MTP_FILTER = new Set(["step35", "hy_v3", "glm-dsa", "mimo2", "deepseek32"]);

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

function perLayer(value: number | readonly number[] | null, il: number, field: string, why: string): number {
  if (value === null) throw missingField(field, why);
  if (typeof value === "number") return value;
  if (il >= value.length)
    throw new EngineError(
      "invalid-field",
      `architecture field "${field}" has ${value.length} entries but layer ${il} needs one (block_count layers expected)`,
      field,
    );
  return value[il];
}

function maxOf(value: number | readonly number[] | null): number | null {
  if (value === null) return null;
  return typeof value === "number" ? value : Math.max(0, ...value);
}

/** n_embd_r / n_embd_s of one recurrent layer (docs/memory-model.md#recurrent-families). */
export function recurrentWidths(arch: Architecture): RecurrentWidths {
  const rs = arch.recurrent;
  if (!rs) throw missingField("recurrent", `for the recurrent layers of "${arch.arch}"`);
  const need = (k: keyof RecurrentSpec): number => {
    const v = rs[k];
    if (v === null || typeof v !== "number") throw missingField(`recurrent.${k}`, `by the ${rs.family} state formula`);
    return v;
  };
  const nEmbd = (): number => {
    if (arch.n_embd === null) throw missingField("n_embd", `by the ${rs.family} state formula`);
    return arch.n_embd;
  };
  switch (rs.family) {
    case "mamba1": {
      const dConv = need("d_conv");
      const dInner = need("d_inner");
      return { r: (dConv - 1) * dInner, s: need("d_state") * dInner };
    }
    case "mamba2":
    case "gated-delta-net": {
      const dConv = need("d_conv");
      const dInner = need("d_inner");
      const dState = need("d_state");
      const nGroup = need("n_group");
      return { r: (dConv - 1) * (dInner + 2 * nGroup * dState), s: dState * dInner };
    }
    case "rwkv6":
    case "rwkv7":
      return { r: need("token_shift_count") * nEmbd(), s: nEmbd() * need("head_size") };
    case "shortconv":
      return { r: nEmbd() * (need("l_cache") - 1), s: 0 };
    case "kda": {
      const hs = need("head_size");
      const nh = need("n_head");
      return { r: 3 * (need("d_conv") - 1) * nh * hs, s: hs * hs * nh };
    }
    case "minimax-linear": {
      const hs = need("head_size");
      return { r: 0, s: hs * hs * need("n_head") };
    }
  }
}

/** is_swa(il) for the arch (docs/memory-model.md#swa-patterns). */
function swaPredicate(a: Architecture, rules: string[]): ((il: number) => boolean) | null {
  if (SWA_DISABLED.has(a.arch)) {
    if (a.sliding_window !== null) rules.push(`${a.arch}: SWA disabled, full-size cache`);
    return null;
  }
  const pat = a.sliding_window_pattern;
  const hard = SWA_PERIOD[a.arch];
  // llama.cpp's load_swa_pattern reads a GGUF sliding_window_pattern before the hard-coded
  // period (verified against llama.cpp de3ff81 on a tiny gemma3 GGUF).
  if (pat === null && hard !== undefined && !SWA_FROM_GGUF.has(a.arch)) {
    rules.push(`${a.arch}: SWA period ${hard} (hard-coded)`);
    return (il) => il % hard < hard - 1;
  }
  if (pat === null) {
    if (SWA_FROM_GGUF.has(a.arch)) throw missingField("sliding_window_pattern", `for ${a.arch}'s per-layer SWA layout`);
    return null;
  }
  rules.push(`${a.arch}: SWA pattern from sliding_window_pattern`);
  if (typeof pat === "number") {
    const p = pat;
    return a.swa_dense_first ? (il) => il % p !== 0 : (il) => il % p < p - 1;
  }
  const arr = pat;
  return (il) => {
    if (il >= arr.length)
      throw new EngineError(
        "invalid-field",
        `architecture field "sliding_window_pattern" has ${arr.length} entries but layer ${il} needs one`,
        "sliding_window_pattern",
      );
    return arr[il];
  };
}

/** Which layers are recurrent (docs/memory-model.md#hybrid-layer-patterns), or null for none. */
function recurrentPredicate(a: Architecture, nLayer: number, rules: string[]): ((il: number) => boolean) | null {
  const arch = a.arch;
  const rl = a.recurrent_layers;
  const fromArray = (il: number): boolean => {
    if (!rl) return false;
    if (il >= rl.length)
      throw new EngineError(
        "invalid-field",
        `architecture field "recurrent_layers" has ${rl.length} entries but layer ${il} needs one`,
        "recurrent_layers",
      );
    return rl[il];
  };
  const hkvZero = (il: number): boolean =>
    perLayer(a.n_head_kv, il, "n_head_kv", `to find the recurrent layers of ${arch}`) === 0;
  if (PURE_RECURRENT.has(arch)) {
    rules.push(`${arch}: every layer recurrent`);
    return (il) => il < nLayer;
  }
  if (arch === "falcon-h1") {
    rules.push("falcon-h1: parallel hybrid, every layer has KV and recurrent state");
    return () => true;
  }
  if (QWEN_HYBRID.has(arch)) {
    if (rl) {
      rules.push(`${arch}: recurrent layers from recurrent_layers`);
      return (il) => il < nLayer && fromArray(il);
    }
    const interval = a.full_attention_interval ?? 4;
    rules.push(`${arch}: layer il recurrent iff (il + 1) % ${interval} != 0`);
    return (il) => il < nLayer && (il + 1) % interval !== 0;
  }
  if (HKV_ZERO_HYBRID.has(arch)) {
    rules.push(`${arch}: recurrent iff head_count_kv[il] == 0`);
    return hkvZero;
  }
  if (NEMOTRON_H.has(arch)) {
    rules.push(`${arch}: recurrent iff head_count_kv[il] == 0 and feed_forward_length[il] == 0`);
    return (il) =>
      hkvZero(il) &&
      perLayer(a.feed_forward_length, il, "feed_forward_length", "to find Nemotron-H's layer types") === 0;
  }
  if (a.recurrent === null) return null;
  if (rl) {
    rules.push(`${arch}: recurrent layers from recurrent_layers`);
    return fromArray;
  }
  throw missingField(
    "recurrent_layers",
    `to know which layers of "${arch}" are recurrent (no hard-coded rule for this architecture)`,
  );
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
  const isMla = a.mla !== null;

  const isRecr = recurrentPredicate(a, nLayer, rules);
  const isSwa = swaPredicate(a, rules);
  const mtpDropped = filterAll || HYBRID_MTP_FILTER.has(a.arch) || MTP_FILTER.has(a.arch);
  if (nextn > 0)
    rules.push(
      mtpDropped
        ? `${a.arch}: ${nextn} MTP/NextN layer(s) excluded from KV`
        : `${a.arch}: ${nextn} NextN layer(s) kept and given KV (no MTP filter)`,
    );

  let kvFromStart = a.n_layer_kv_from_start;
  if (kvFromStart === null && a.arch === "gemma3n") kvFromStart = 20;
  if (kvFromStart === null && a.arch === "gemma4") {
    if (a.shared_kv_layers === null) throw missingField("shared_kv_layers", "for Gemma 4's KV-sharing tail");
    kvFromStart = nAll - a.shared_kv_layers;
  }
  if (kvFromStart !== null && kvFromStart < nAll)
    rules.push(`${a.arch}: only layers il < ${kvFromStart} own KV; later layers reuse`);

  const isNemotron = NEMOTRON_H.has(a.arch);
  const pureRecurrent = PURE_RECURRENT.has(a.arch);

  // First pass: kinds.
  const kinds: LayerKind[] = [];
  const swaFlags: boolean[] = [];
  for (let il = 0; il < nAll; il++) {
    const swa = isSwa ? isSwa(il) : false;
    swaFlags.push(swa);
    if (il >= nLayer && mtpDropped) {
      kinds.push("mtp");
      continue;
    }
    if (pureRecurrent) {
      kinds.push(il < nLayer ? "recurrent" : "none");
      continue;
    }
    const recr = isRecr ? isRecr(il) : false;
    if (a.arch === "falcon-h1") {
      kinds.push("recurrent+full");
      continue;
    }
    if (recr) {
      kinds.push("recurrent");
      continue;
    }
    if (isNemotron) {
      const ff = perLayer(a.feed_forward_length, il, "feed_forward_length", "for Nemotron-H");
      if (ff !== 0) {
        kinds.push("none");
        continue;
      }
    }
    if (kvFromStart !== null && il >= kvFromStart) {
      kinds.push("shared-kv");
      continue;
    }
    kinds.push(swa ? "swa" : "full");
  }

  const needsHeads = kinds.some((k) => k === "full" || k === "swa" || k === "recurrent+full");
  const nHeadScalar = (il: number): number | null => {
    if (a.n_head === null) return null;
    return perLayer(a.n_head, il, "n_head", "for attention head counts");
  };

  const layers: ResolvedLayer[] = [];
  let vMax = 0;
  let kMax = 0;
  let nHeadMax: number | null = null;
  let gqa: number | null = null;
  for (let il = 0; il < nAll; il++) {
    const kind = kinds[il];
    const swa = swaFlags[il];
    const attn = kind === "full" || kind === "swa" || kind === "recurrent+full";
    let nHead: number | null = null;
    let nHeadKv = 0;
    let headK = 0;
    let headV = 0;
    if (attn || (kind === "shared-kv" && needsHeads)) {
      nHead = nHeadScalar(il);
      if (isMla) {
        const m = a.mla!;
        nHeadKv = 1;
        headK = m.kv_lora_rank + m.rope_dim;
        headV = m.kv_lora_rank;
      } else {
        nHeadKv = perLayer(a.n_head_kv, il, "n_head_kv", "for the KV cache width");
        const dflt = (field: string): number => {
          if (a.n_embd === null || nHead === null || nHead === 0)
            throw missingField(field, "for the KV head dim (no n_embd / n_head to derive it from)");
          return a.n_embd / nHead;
        };
        const fullK = a.key_length ?? dflt("key_length");
        const fullV = a.value_length ?? dflt("value_length");
        headK = swa ? (a.key_length_swa ?? fullK) : fullK;
        headV = swa ? (a.value_length_swa ?? fullV) : fullV;
        if (!Number.isInteger(headK) || !Number.isInteger(headV))
          throw missingField("key_length", "(n_embd / n_head is not an integer)");
      }
    }
    let resolvedKind = kind;
    // Deci-style zero-head layers: a 0-byte row inside the cache (not for hybrids, filtered above).
    if (attn && nHeadKv === 0 && !isMla && kind !== "recurrent+full") resolvedKind = "none";
    const kvOwn = attn;
    let reuse: number | null = null;
    if (kind === "shared-kv" && kvFromStart !== null) {
      // Reuse the last SWA layer (kvFromStart − 2) if SWA, else the last full layer (kvFromStart − 1).
      let j = kvFromStart - 1;
      while (j >= 0 && (kinds[j] === "shared-kv" || swaFlags[j] !== swa)) j--;
      reuse = j >= 0 ? j : null;
    }
    const kW = nHeadKv * headK;
    const vW = nHeadKv * headV;
    if (kvOwn) {
      if (vW > vMax) vMax = vW;
      if (kW > kMax) kMax = kW;
      if (nHead !== null && (nHeadMax === null || nHead > nHeadMax)) nHeadMax = nHead;
      if (gqa === null && nHead !== null && nHeadKv > 0) gqa = Math.floor(nHead / nHeadKv);
    }
    layers.push({
      il,
      kind: resolvedKind,
      swa,
      kv: kvOwn,
      recurrent: kind === "recurrent" || kind === "recurrent+full",
      reuse,
      n_head: nHead,
      n_head_kv: nHeadKv,
      head_k: headK,
      head_v: headV,
      k_width: kW,
      v_width: vW,
    });
  }

  const hasRecurrent = layers.some((l) => l.recurrent);
  const hasSwaKv = layers.some((l) => l.kv && l.swa);
  let nSwa: number | null = null;
  if (hasSwaKv) {
    nSwa = a.sliding_window ?? SWA_DEFAULT_WINDOW[a.arch] ?? null;
    if (nSwa === null) throw missingField("sliding_window", `for the SWA cache of ${a.arch}`);
  }
  const res: ResolvedArchitecture = {
    arch: a,
    layers,
    n_layer_all: nAll,
    n_layer: nLayer,
    has_swa: hasSwaKv,
    n_swa: nSwa,
    is_mla: isMla,
    v_width_max: vMax,
    k_width_max: kMax,
    n_head_max: nHeadMax ?? maxOf(a.n_head),
    gqa_ratio: gqa,
    recurrent_widths: hasRecurrent ? recurrentWidths(a) : null,
    rules,
  };
  m.set(key, res);
  return res;
}
