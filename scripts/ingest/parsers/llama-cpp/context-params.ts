/** Context parameters (`n_ctx = …`, flash attention, types, slots) and other key = value lines. */
import {
  RE_KV_META,
  RE_CREATING,
  RE_CTX_PARAM,
  RE_METAL_WS,
  RE_METAL_UNIFIED,
  RE_SLOTS,
  RE_ATTN_ROT,
} from "./patterns.ts";
import { type ParserState, newContext, context, openCache, cacheFor } from "./state.ts";
import { handleInfo } from "./model-info.ts";

export function handleKeyValue(s: ParserState, t: string, n: number): boolean {
  let m =
    t.includes("llama_context:") ||
    t.includes("llama_new_context_with_model:") ||
    t.includes("llama_init_from_model:") ||
    t.includes("init:")
      ? RE_CTX_PARAM.exec(t)
      : null;
  if (m) {
    const key = m[1] === "n_ctx_per_seq" ? "n_ctx_seq" : m[1];
    let c = s.ctx;
    if (!c || c.params[key] || c.caches.length || c.compute.length) c = newContext(s, n);
    c.params[key] = { value: m[2], line: n };
    return true;
  }
  if (t.includes("print_info:") || t.includes("llm_load_print_meta:")) return handleInfo(s, t, n);
  m = t.includes("kv_size") ? RE_KV_META.exec(t) : null;
  if (m) {
    const c = context(s, n);
    cacheFor(s, c, n, "meta").meta = {
      kvSize: Number(m[1]),
      typeK: m[2],
      typeV: m[3],
      nLayer: Number(m[4]),
      line: n,
    };
    return true;
  }
  m = t.includes("creating") ? RE_CREATING.exec(t) : null;
  if (m) {
    const c = context(s, n);
    const kind = m[1] === "non-SWA" ? "non-swa" : m[1] === "SWA" ? "swa" : m[1] === "main" ? "dsa-main" : "dsa-indexer";
    const k = openCache(s, c, n, kind);
    k.createdCells = Number(m[2]);
    return true;
  }
  m = t.includes("attn_rot_") ? RE_ATTN_ROT.exec(t) : null;
  if (m) {
    if (m[1] === "k") s.facts.attnRot.k = Number(m[2]);
    else s.facts.attnRot.v = Number(m[2]);
    return true;
  }
  m = t.includes("recommendedMaxWorkingSetSize") ? RE_METAL_WS.exec(t) : null;
  if (m) {
    const mb = Number(m[1]);
    s.runLevelLine = true;
    s.facts.metal = {
      ...s.facts.metal,
      recommendedMaxWorkingSetMB: mb,
      recommendedMaxWorkingSetBytes: Math.round(mb * 1e6),
      line: n,
    };
    return true;
  }
  m = t.includes("nified memory") || t.includes("UnifiedMemory") ? RE_METAL_UNIFIED.exec(t) : null;
  if (m) {
    s.runLevelLine = true;
    s.facts.metal = { ...s.facts.metal, unifiedMemory: m[1] === "true", line: s.facts.metal?.line ?? n };
    return true;
  }
  m = t.includes("n_slots") ? RE_SLOTS.exec(t) : null;
  if (m) {
    s.facts.serverSlots = {
      nSlots: Number(m[1]),
      nCtxSlot: Number(m[2]),
      kvUnified: m[3] === undefined ? undefined : m[3] === "true",
      line: n,
    };
    return true;
  }
  return false;
}
