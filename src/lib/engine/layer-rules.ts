import type { Architecture } from "../../schemas/architecture.ts";
import { EngineError, missingField } from "./errors.ts";

/**
 * The hard-coded per-architecture layer rules of llama.cpp (docs/memory-model.md#kv-layers,
 * #swa-patterns, #hybrid-layer-patterns, #nextn-mtp-filter), keyed by `arch`: which layers are
 * SWA and which are recurrent. layers.ts applies them layer by layer.
 */

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
export const SWA_DEFAULT_WINDOW: Readonly<Record<string, number>> = {
  gemma2: 4096,
  "gpt-oss": 128,
  llama4: 8192,
};
/** Archs whose SWA pattern is read from the GGUF (per-layer array). */
const SWA_FROM_GGUF = new Set(["gemma4"]);
/** Archs with SWA disabled in llama.cpp. */
const SWA_DISABLED = new Set(["phi3"]);

export const PURE_RECURRENT = new Set(["mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7"]);
const QWEN_HYBRID = new Set(["qwen3next", "qwen35", "qwen35moe"]);
const HKV_ZERO_HYBRID = new Set(["jamba", "granitehybrid", "lfm2", "lfm2moe"]);
export const NEMOTRON_H = new Set(["nemotron_h", "nemotron_h_moe"]);
/** Hybrids whose MTP layers are dropped from KV and RS (docs/memory-model.md#nextn-mtp-filter). */
export const HYBRID_MTP_FILTER = new Set(["qwen3next", "qwen35", "qwen35moe", "minimax01"]);
/** Non-hybrid archs with the `il < n_layer()` MTP filter (docs/memory-model.md#nextn-mtp-filter). */
export const MTP_FILTER = new Set(["step35", "hy_v3", "glm-dsa", "mimo2", "deepseek32"]);

export function perLayer(value: number | readonly number[] | null, il: number, field: string, why: string): number {
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

export function maxOf(value: number | readonly number[] | null): number | null {
  if (value === null) return null;
  return typeof value === "number" ? value : Math.max(0, ...value);
}

/** is_swa(il) for the arch (docs/memory-model.md#swa-patterns). */
export function swaPredicate(a: Architecture, rules: string[]): ((il: number) => boolean) | null {
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
export function recurrentPredicate(a: Architecture, nLayer: number, rules: string[]): ((il: number) => boolean) | null {
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
