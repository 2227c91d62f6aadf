import type { TensorInfo, TensorTable } from "../../schemas/tensor-table.ts";
import { allocBytes, isInputTensor, tensorBytes, tensorLayer } from "./weights.ts";

/**
 * What the runtime weights (runtime-weights.ts, docs/memory-model.md#weights-runtime) read of a
 * tensor table for one backend kind, summed once per table: each layer's file bytes and the bytes
 * it allocates on the device and on the host, and the same for the tensors outside the layers.
 * Only the placement (which layers are offloaded: -ngl, the PC's split) changes between the
 * calls for one table — a search over GPU layers re-sums a few dozen layers, not every tensor.
 * Byte counts are integers, so the sums are those of the tensor-by-tensor loop, in any order.
 */
export interface TableSums {
  /** Σ file bytes of every tensor. */
  readonly total: number;
  /** Per `blk.N.` layer: file bytes, bytes allocated on the device kind, on the host. */
  readonly layers: ReadonlyMap<number, { raw: number; dev: number; host: number }>;
  /** Input tensors (token embeddings): always on the host. */
  readonly inputHost: number;
  /** The other tensors outside the layers (output, norms): where the output layer goes. */
  readonly otherDev: number;
  readonly otherHost: number;
  readonly hasOutput: boolean;
  /** The last `token_embd.weight` (loaded again as the output when the embeddings are tied). */
  readonly embd: TensorInfo | null;
}

const cache = new WeakMap<TensorTable, Map<string, TableSums>>();

/** The sums of `tensors` for a device of `kind`. Throws what `tensorBytes` throws, for the same tensor. */
export function tableSums(tensors: TensorTable, kind: "cuda" | "metal" | "host"): TableSums {
  let byKind = cache.get(tensors);
  if (!byKind) cache.set(tensors, (byKind = new Map()));
  const hit = byKind.get(kind);
  if (hit) return hit;
  const layers = new Map<number, { raw: number; dev: number; host: number }>();
  let total = 0;
  let inputHost = 0;
  let otherDev = 0;
  let otherHost = 0;
  let hasOutput = false;
  let embd: TensorInfo | null = null;
  for (const t of tensors) {
    const b = tensorBytes(t);
    total += b;
    if (t.name === "output.weight") hasOutput = true;
    if (t.name === "token_embd.weight") embd = t;
    const il = tensorLayer(t.name);
    const host = allocBytes(t, "host");
    if (il !== null) {
      let l = layers.get(il);
      if (!l) layers.set(il, (l = { raw: 0, dev: 0, host: 0 }));
      l.raw += b;
      l.dev += allocBytes(t, kind);
      l.host += host;
    } else if (isInputTensor(t.name)) inputHost += host;
    else {
      otherDev += allocBytes(t, kind);
      otherHost += host;
    }
  }
  const sums: TableSums = { total, layers, inputHost, otherDev, otherHost, hasOutput, embd };
  byKind.set(kind, sums);
  return sums;
}
