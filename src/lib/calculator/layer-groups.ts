/**
 * Per-layer table of the calculator, grouped: layers with the same kind, geometry, types and
 * bytes are one row ("16 layers: 3, 7, …, 63"), so a 64-layer hybrid reads in four rows and the
 * reader sees why the KV is what it is. Pure; input is the engine's breakdown and resolved layers.
 */
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { ResolvedArchitecture } from "../engine/layers.ts";

export interface LayerGroup {
  /** full / swa / recurrent / recurrent+full / shared-kv / none / mtp. */
  kind: string;
  /** What the kind means, in words. */
  label: string;
  layers: number[];
  /** Compact layer list: "3, 7, …, 63 (every 4th)" or "0–63". */
  layerText: string;
  /** KV cells per stream × streams (attention) or state cells (recurrent); null when none. */
  cells: number | null;
  streams: number | null;
  nHeadKv: number | null;
  headK: number | null;
  headV: number | null;
  /** Row widths as allocated (K after turbo head padding; V padded to the widest layer without FA). */
  kWidth: number | null;
  vWidth: number | null;
  typeK: string | null;
  typeV: string | null;
  /** Recurrent widths (f32 values per cell). */
  rWidth: number | null;
  sWidth: number | null;
  /** Bytes of one layer of the group (K+V or R+S). */
  bytesPerLayer: number;
  /** Bytes of the whole group. */
  bytes: number;
  device: string | null;
}

const KIND_LABEL: Record<string, string> = {
  full: "full attention (KV grows with context)",
  swa: "sliding-window attention (KV capped at the window)",
  recurrent: "recurrent state (fixed per sequence, f32)",
  "recurrent+full": "parallel hybrid: KV and recurrent state",
  "shared-kv": "reuses an earlier layer's KV (no bytes)",
  none: "no KV, no state",
  mtp: "MTP / NextN layer, excluded from KV and state",
};

/** [0,1,2,3] → "0–3"; [3,7,11,15] → "3, 7, …, 15 (every 4th)"; short lists verbatim. */
export function compactLayers(xs: readonly number[]): string {
  if (xs.length === 0) return "";
  if (xs.length === 1) return String(xs[0]);
  const step = xs[1] - xs[0];
  const arithmetic = xs.every((x, i) => i === 0 || x - xs[i - 1] === step);
  if (arithmetic && step === 1) return `${xs[0]}–${xs.at(-1)}`;
  if (arithmetic && xs.length > 3) return `${xs[0]}, ${xs[1]}, …, ${xs.at(-1)} (every ${ordinal(step)})`;
  // Runs of consecutive layers.
  const parts: string[] = [];
  let a = xs[0];
  let prev = xs[0];
  for (let i = 1; i <= xs.length; i++) {
    const x = xs[i];
    if (x === prev + 1) {
      prev = x;
      continue;
    }
    parts.push(a === prev ? String(a) : prev === a + 1 ? `${a}, ${prev}` : `${a}–${prev}`);
    a = prev = x;
  }
  return parts.join(", ");
}

function ordinal(n: number): string {
  const s =
    n % 100 >= 11 && n % 100 <= 13 ? "th" : (({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th");
  return `${n}${s}`;
}

export function layerGroups(b: Breakdown, r: ResolvedArchitecture): LayerGroup[] {
  const groups = new Map<string, LayerGroup>();
  const add = (key: string, il: number, make: () => LayerGroup, bytes: number) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = make()));
    g.layers.push(il);
    g.bytes += bytes;
  };
  const kvRow = new Map<
    number,
    { cache: Breakdown["kv"]["caches"][number]; row: Breakdown["kv"]["caches"][number]["rows"][number] }
  >();
  for (const cache of b.kv.caches) {
    if (cache.kind === "indexer") continue;
    for (const row of cache.rows) kvRow.set(row.layer, { cache, row });
  }
  const recRow = new Map(b.recurrent.rows.map((x) => [x.layer, x]));
  for (const l of r.layers) {
    const kind = l.kind;
    const kv = kvRow.get(l.il);
    const rec = recRow.get(l.il);
    const kvBytes = kv ? kv.row.k_bytes + kv.row.v_bytes : 0;
    const recBytes = rec ? rec.r_bytes + rec.s_bytes : 0;
    const key = [
      kind,
      kv?.cache.kind,
      l.n_head_kv,
      l.head_k,
      l.head_v,
      kv?.row.type_k,
      kv?.row.type_v,
      kv?.row.k_width,
      kv?.row.v_width,
      kvBytes,
      rec?.r_width,
      rec?.s_width,
      recBytes,
      kv?.row.device ?? rec?.device,
    ].join("|");
    const attention = kind === "full" || kind === "swa" || kind === "recurrent+full";
    add(
      key,
      l.il,
      () => ({
        kind,
        label: KIND_LABEL[kind] ?? kind,
        layers: [],
        layerText: "",
        cells: kv ? kv.cache.cells : rec ? b.recurrent.cells : null,
        streams: kv ? kv.cache.n_stream : null,
        nHeadKv: attention ? l.n_head_kv : null,
        headK: attention ? l.head_k : null,
        headV: attention ? l.head_v : null,
        kWidth: kv ? kv.row.k_width : null,
        vWidth: kv ? kv.row.v_width : null,
        typeK: kv ? kv.row.type_k : null,
        typeV: kv ? kv.row.type_v : null,
        rWidth: rec ? rec.r_width : null,
        sWidth: rec ? rec.s_width : null,
        bytesPerLayer: kvBytes + recBytes,
        bytes: 0,
        device: kv?.row.device ?? rec?.device ?? null,
      }),
      kvBytes + recBytes,
    );
  }
  const out = [...groups.values()];
  for (const g of out) g.layerText = compactLayers(g.layers);
  return out.sort((a, b) => a.layers[0] - b.layers[0]);
}
