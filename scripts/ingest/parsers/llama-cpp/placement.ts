/** Layer placement lines. */
import { RE_OFFLOADED, RE_LOAD_MODE, RE_KV_LAYER, RE_LAYER_ASSIGNED } from "./patterns.ts";
import { type ParserState, context, newModel } from "./state.ts";

/** Where layers went: per-layer KV devices, layer assignment, offload count, load mode. */
export function handlePlacementLine(s: ParserState, t: string, n: number): boolean {
  let m: RegExpExecArray | null;
  m = t.includes("layer") && t.includes("llama_kv_cache") ? RE_KV_LAYER.exec(t) : null;
  if (m) {
    const c = context(s, n);
    const kl = (c.kvLayers ??= { assigned: 0, filtered: 0, devices: {} });
    if (m[2] === undefined) kl.filtered++;
    else {
      kl.assigned++;
      kl.devices[m[2]] = (kl.devices[m[2]] ?? 0) + 1;
    }
    return true;
  }
  if (t.includes("assigned to device")) {
    m = RE_LAYER_ASSIGNED.exec(t);
    if (m) {
      const md = s.model ?? newModel(s, n);
      const d = (md.layerDevices ??= {});
      d[m[2]] = (d[m[2]] ?? 0) + 1;
      return true;
    }
  }
  if (t.includes("offloaded")) {
    m = RE_OFFLOADED.exec(t);
    if (m) {
      (s.model ?? newModel(s, n)).offloaded = { layers: Number(m[1]), of: Number(m[2]), line: n };
      return true;
    }
  }
  if (t.includes("load_mode")) {
    m = RE_LOAD_MODE.exec(t);
    if (m) {
      (s.model ?? newModel(s, n)).loadMode = m[1];
      return true;
    }
  }
  return false;
}
