/**
 * An architecture's memory layout as the engine resolves it, in numbers (the words are the
 * catalog's `attentionLayout`): layer counts by kind and the attention geometry per group.
 */
import type { Architecture, LayerKind } from "../../schemas/architecture.ts";
import { resolveLayers } from "../engine/index.ts";

export interface LayoutFacts {
  /** hparams.n_layer(): layers without the NextN/MTP ones. */
  layers: number;
  mtpLayers: number;
  counts: Partial<Record<LayerKind, number>>;
  /** Distinct (KV heads, K dim, V dim) of attention layers, with how many layers have each. */
  attention: Array<{ kvHeads: number; headK: number; headV: number; layers: number; swa: boolean }>;
  recurrentFamily: string | null;
  mla: boolean;
  slidingWindow: number | null;
}

export function layoutFacts(arch: Architecture): LayoutFacts {
  const r = resolveLayers(arch);
  const counts: Partial<Record<LayerKind, number>> = {};
  for (const l of r.layers) counts[l.kind] = (counts[l.kind] ?? 0) + 1;
  const groups = new Map<string, LayoutFacts["attention"][number]>();
  for (const l of r.layers) {
    if (!l.kv || l.reuse !== null) continue;
    const key = `${l.n_head_kv}/${l.head_k}/${l.head_v}/${l.swa}`;
    const g = groups.get(key);
    if (g) g.layers++;
    else groups.set(key, { kvHeads: l.n_head_kv, headK: l.head_k, headV: l.head_v, layers: 1, swa: l.swa });
  }
  return {
    layers: r.n_layer,
    mtpLayers: r.n_layer_all - r.n_layer,
    counts,
    attention: [...groups.values()],
    recurrentFamily: arch.recurrent?.family ?? null,
    mla: r.is_mla,
    slidingWindow: r.n_swa,
  };
}
