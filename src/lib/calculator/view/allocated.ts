import type { Breakdown } from "../../../schemas/breakdown.ts";

/** The label of what is really allocated: "K q8_0 · V turbo4" (+ boundary layers). */
export function allocatedLabel(b: Breakdown): { label: string; vMixed: string | null } {
  const vTypes = new Map<string, number>();
  const kTypes = new Set<string>();
  for (const c of b.kv.caches)
    for (const r of c.rows) {
      kTypes.add(r.type_k);
      if (r.type_v) vTypes.set(r.type_v, (vTypes.get(r.type_v) ?? 0) + 1);
    }
  const k = kTypes.size ? [...kTypes].join("+") : b.effective.type_k;
  if (vTypes.size === 0)
    return {
      label: b.kv.caches.length ? `K ${k} (K only)` : `K ${b.effective.type_k} · V ${b.effective.type_v}`,
      vMixed: null,
    };
  const main = b.effective.type_v;
  const others = [...vTypes.keys()].filter((t) => t !== main);
  const vMixed = others.length
    ? `${others.join(", ")} on ${others.map((t) => vTypes.get(t)).join("+")} boundary layer(s)`
    : null;
  return { label: `K ${k} · V ${main}${vMixed ? ` (+ ${others.join(", ")} on boundary layers)` : ""}`, vMixed };
}
