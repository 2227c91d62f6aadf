import type { Architecture } from "../../schemas/architecture.ts";
import type { KvCache, KvLayerRow, Note } from "../../schemas/breakdown.ts";
import { isTurboType } from "../kv-types.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { EngineProfile } from "../../schemas/runtime-config.ts";
import { mlaStoresV } from "./context.ts";
import { kvTypeTraits, rowBytes } from "./ggml-types.ts";
import type { ResolvedArchitecture, ResolvedLayer } from "./layers.ts";

/**
 * KV cache instances (docs/memory-model.md#kv-layers to #mla, #turboquant): per-layer rows, the numbers of each
 * `llama_kv_cache: size = …` line, and the TurboQuant fork's silent changes.
 */

/** f32 128×128 rotation + inverse + 128 f32 inner-q scales (docs/memory-model.md#turboquant-rotation-buffers), per cache instance. */
export const TURBO_ROTATION_BYTES = 2 * 128 * 128 * 4 + 128 * 4;

export interface KvTypePlan {
  /** K type of every cache (post auto-asymmetric). */
  readonly type_k: KvType;
  /** Requested V type (printed in the size line). */
  readonly type_v: KvType;
  /** Per-layer V type override (turbo2 boundary layers → q8_0). */
  readonly v_override: ReadonlyMap<number, KvType>;
  /** Flash attention resolved: V not transposed, no padding to the widest layer. */
  readonly fa: boolean;
}

/**
 * Decide the effective K/V types for a profile (TurboQuant silent changes, docs/memory-model.md#turboquant-auto-asymmetric and #turboquant-boundary-v) and add
 * notes. Validity checks (unsupported types, quantized V without FA) are done by the caller.
 */
export function planKvTypes(
  r: ResolvedArchitecture,
  typeK: KvType,
  typeV: KvType,
  fa: boolean,
  profile: EngineProfile,
  notes: Note[],
): KvTypePlan {
  let k = typeK;
  const vOverride = new Map<number, KvType>();
  if (profile.name === "turboquant") {
    // The fork's src/llama-kv-cache.cpp, llama_kv_cache ctor, "Auto-asymmetric" block
    // (docs/memory-model.md#turboquant-auto-asymmetric): authored 2026-04-09 (348fb77cc), on the
    // branch as 157f27f71 (committed 2026-05-01), so absent from the late-March builds `2026-03`
    // stands for. No MLA test (n_head / n_head_kv = 128 on DeepSeek V3); the ratio is layer 0's.
    if (profile.revision !== "2026-03" && isTurboType(k) && k === typeV && r.arch.arch !== "deepseek4") {
      const ratio = layer0Ratio(r.arch);
      if (ratio !== null && ratio >= 6) {
        notes.push({
          code: "turbo-auto-asymmetric-k",
          level: "info",
          message: `TurboQuant auto-asymmetric: GQA ratio ${ratio}:1 (layer 0) ≥ 6, K upgraded from ${k} to q8_0 (TURBO_AUTO_ASYMMETRIC=0 disables)`,
        });
        k = "q8_0";
      }
    }
    // Auto boundary V (docs/memory-model.md#turboquant-boundary-v): first committed 2026-03-30
    // 21:46 −05:00 (5364f8a1d; on the branch as a6ff53846), after the 2026-03-25 … 03-29 builds.
    // The fork's hparams.n_layer is the GGUF block_count, NextN/MTP blocks included (they hold no KV).
    if (profile.revision !== "2026-03" && typeV === "turbo2" && r.n_layer_all >= 8) {
      const n = r.n_layer_all;
      for (const il of [0, 1, n - 2, n - 1]) vOverride.set(il, "q8_0");
      notes.push({
        code: "turbo-boundary-v",
        level: "info",
        message: `TurboQuant boundary V (mode 7, auto for turbo2 V): blocks 0, 1, ${n - 2}, ${n - 1} of ${n} store V as q8_0 where they hold KV`,
      });
    }
  }
  return { type_k: k, type_v: typeV, v_override: vOverride, fa };
}

/**
 * hparams.n_head(0) / n_head_kv(0) as llama.cpp loads them, whatever kind layer 0 is (load_hparams:
 * a scalar fills every layer, an array gives entry 0, a missing n_head_kv defaults to n_head); 1
 * when layer 0 has no KV heads (the recurrent layer 0 of Granite-hybrid, Nemotron-H, Jamba). The
 * fork's src/llama-kv-cache.cpp at 69d8e4be, llama_kv_cache ctor, "Auto-asymmetric" block.
 */
export function layer0Ratio(a: Architecture): number | null {
  const at0 = (v: number | readonly number[]): number | undefined => (typeof v === "number" ? v : v[0]);
  if (a.n_head === null) return null;
  const nHead = at0(a.n_head);
  const nHeadKv = a.n_head_kv === null ? nHead : at0(a.n_head_kv);
  if (nHead === undefined || nHeadKv === undefined) return null;
  return nHeadKv > 0 ? Math.floor(nHead / nHeadKv) : 1;
}

/** Per-head zero-padding of a turbo type to a multiple of 128 (docs/memory-model.md#turboquant-head-padding). */
function turboPadded(head: number): number {
  return Math.ceil(head / 128) * 128;
}

export interface KvCacheInput {
  readonly kind: "full" | "swa";
  readonly layers: readonly ResolvedLayer[];
  readonly cells: number;
  readonly n_stream: number;
}

/**
 * Size one cache instance. `deviceOf(il)` names the buffer each layer's tensors live in.
 */
export function sizeCache(
  r: ResolvedArchitecture,
  input: KvCacheInput,
  types: KvTypePlan,
  profile: EngineProfile,
  deviceOf: (il: number) => string,
  padNoted: { k: boolean; v: boolean },
  notes: Note[],
): KvCache {
  const cellsAll = input.cells * input.n_stream;
  const storeV = !r.is_mla || mlaStoresV(profile);
  const tk = kvTypeTraits(types.type_k, profile);
  const kTurbo = isTurboType(types.type_k);
  const rows: KvLayerRow[] = [];
  let kBytes = 0;
  let vBytes = 0;
  for (const l of input.layers) {
    let kWidth = l.k_width;
    if (kTurbo && l.head_k % 128 !== 0 && l.n_head_kv > 0) {
      kWidth = l.n_head_kv * turboPadded(l.head_k);
      if (!padNoted.k) {
        padNoted.k = true;
        notes.push({
          code: "turbo-head-padding",
          level: "info",
          message: `TurboQuant zero-pads K head_dim ${l.head_k} → ${turboPadded(l.head_k)} (cache ${l.k_width} → ${kWidth})`,
        });
      }
    }
    const kRow = rowBytes(tk, kWidth, `layer ${l.il} K (${types.type_k})`, types.type_k);
    let vType: KvType | null = null;
    let vWidth = 0;
    let vRow = 0;
    if (storeV) {
      vType = types.v_override.get(l.il) ?? types.type_v;
      vWidth = types.fa ? l.v_width : r.v_width_max;
      if (!types.fa && vWidth !== l.v_width && !padNoted.v) {
        padNoted.v = true;
        notes.push({
          code: "v-padded-no-fa",
          level: "info",
          message: `V widths differ across layers and flash attention is off: V cache padded to ${r.v_width_max}`,
        });
      }
      if (isTurboType(vType) && !r.is_mla && l.head_v % 128 !== 0 && l.n_head_kv > 0) {
        vWidth = l.n_head_kv * turboPadded(l.head_v);
      }
      vRow = rowBytes(kvTypeTraits(vType, profile), vWidth, `layer ${l.il} V (${vType})`, vType);
    }
    const kb = kRow * cellsAll;
    const vb = vRow * cellsAll;
    kBytes += kb;
    vBytes += vb;
    rows.push({
      layer: l.il,
      type_k: types.type_k,
      type_v: vType,
      k_width: kWidth,
      v_width: vWidth,
      k_bytes: kb,
      v_bytes: vb,
      device: deviceOf(l.il),
    });
  }
  const extra = kTurbo && rows.length > 0 ? TURBO_ROTATION_BYTES : 0;
  return {
    kind: input.kind,
    cells: input.cells,
    n_stream: input.n_stream,
    layers: rows.length,
    type_k: types.type_k,
    type_v: storeV ? types.type_v : null,
    k_bytes: kBytes,
    v_bytes: vBytes,
    bytes: kBytes + vBytes,
    extra_bytes: extra,
    rows,
  };
}

/** Size of an MLA-style K-only indexer cache (docs/memory-model.md#dsa-indexer). */
export function sizeIndexerCache(
  layers: readonly ResolvedLayer[],
  keyLength: number,
  cells: number,
  nStream: number,
  typeK: KvType,
  profile: EngineProfile,
  deviceOf: (il: number) => string,
): KvCache {
  const tk = kvTypeTraits(typeK, profile);
  const row = rowBytes(tk, keyLength, "indexer K", typeK);
  const rows: KvLayerRow[] = layers.map((l) => ({
    layer: l.il,
    type_k: typeK,
    type_v: null,
    k_width: keyLength,
    v_width: 0,
    k_bytes: row * cells * nStream,
    v_bytes: 0,
    device: deviceOf(l.il),
  }));
  const k = rows.reduce((s, x) => s + x.k_bytes, 0);
  return {
    kind: "indexer",
    cells,
    n_stream: nStream,
    layers: rows.length,
    type_k: typeK,
    type_v: null,
    k_bytes: k,
    v_bytes: 0,
    bytes: k,
    extra_bytes: 0,
    rows,
  };
}
