/**
 * A llama.cpp log does not print its build date, but its line formats changed on known dates
 * (docs/memory-model.md#log-format-history, #engine-revisions). Each format seen bounds the build date; the
 * intersection picks the engine revision(s) whose rules apply. Dates are half-open [from, to).
 */
import type { LlamaCppFacts } from "./parsers/llama-cpp.ts";

export interface DateRange {
  from?: string;
  to?: string;
  /** Which formats bounded it. */
  evidence: string[];
}

function narrow(r: DateRange, from: string | undefined, to: string | undefined, why: string): void {
  if (from && (!r.from || from > r.from)) r.from = from;
  if (to && (!r.to || to < r.to)) r.to = to;
  if (!r.evidence.includes(why)) r.evidence.push(why);
}

/** The build-date range the formats of a llama.cpp log imply. */
export function formatDateRange(f: LlamaCppFacts): DateRange {
  const r: DateRange = { evidence: [] };
  const ctxs = f.contexts;
  const computePrefixes = new Set(ctxs.flatMap((c) => c.compute.map((b) => b.prefix)));
  const kvSizes = ctxs.flatMap((c) => c.caches.map((k) => k.size).filter((s) => s !== undefined));
  const kvBufferPrefixes = new Set(ctxs.flatMap((c) => c.caches.flatMap((k) => k.buffers.map((b) => b.prefix))));
  const breakdownPrefixes = new Set(ctxs.map((c) => c.breakdown?.prefix).filter(Boolean));
  const modelPrefixes = new Set(f.models.flatMap((m) => m.buffers.map((b) => b.prefix)));
  const devices = new Set(f.models.flatMap((m) => m.buffers.map((b) => b.device)));

  if (computePrefixes.has("sched_reserve"))
    narrow(r, "2026-01-15", undefined, "compute lines under sched_reserve: (since 2026-01-15)");
  if (computePrefixes.has("llama_context"))
    narrow(r, "2025-03-01", "2026-01-15", "compute lines under llama_context: (2025-03 → 2026-01-15)");
  if (computePrefixes.has("llama_init_from_model"))
    narrow(r, "2025-01-12", "2025-04-01", "compute lines under llama_init_from_model: (2025-01-12 → 2025-03)");
  if (computePrefixes.has("llama_new_context_with_model"))
    narrow(r, undefined, "2025-01-12", "compute lines under llama_new_context_with_model: (before 2025-01-12)");
  if (breakdownPrefixes.has("common_memory_breakdown_print"))
    narrow(r, "2026-04-21", undefined, "common_memory_breakdown_print (since 2026-04-21)");
  if (breakdownPrefixes.has("llama_memory_breakdown_print"))
    narrow(r, "2025-09-24", "2026-04-21", "llama_memory_breakdown_print (2025-09-24 → 2026-04-21)");
  for (const s of kvSizes) {
    if (s.format === "current" && s.prefix === "llama_kv_cache")
      narrow(r, "2025-08-21", undefined, "llama_kv_cache: size line with a/b seqs (since 2025-08-21)");
    else if (s.format === "current")
      narrow(r, "2025-07-16", undefined, "KV size line with a/b seqs (since 2025-07-16)");
    else if (s.format === "seqs")
      narrow(r, "2025-06-01", "2025-07-16", "KV size line with 'n seqs' (2025-06 → 2025-07-16)");
    else if (s.format === "cells-layers")
      narrow(r, "2025-05-20", "2025-07-16", "KV size line with cells and layers only (2025-05-20 → 2025-06)");
    else if (s.format === "kv-self-size") narrow(r, undefined, "2025-05-20", "KV self size line (before 2025-05-20)");
  }
  if (kvBufferPrefixes.has("llama_kv_cache_unified"))
    narrow(r, "2025-03-01", "2025-08-21", "llama_kv_cache_unified: (2025-03 → 2025-08-21)");
  if (kvBufferPrefixes.has("llama_kv_cache_init"))
    narrow(r, undefined, "2025-04-01", "llama_kv_cache_init: (until 2025-03)");
  if (modelPrefixes.has("load_tensors")) narrow(r, "2025-01-12", undefined, "load_tensors: (since 2025-01-12)");
  if (modelPrefixes.has("llm_load_tensors"))
    narrow(r, undefined, "2025-01-12", "llm_load_tensors: (before 2025-01-12)");
  if ([...devices].some((d) => d.startsWith("MTL0")))
    narrow(r, "2025-09-17", undefined, "Metal buffers named MTL0 (since 2025-09-17)");
  if (devices.has("Metal")) narrow(r, undefined, "2025-09-17", "Metal buffers named Metal (before 2025-09-17)");
  if (ctxs.some((c) => c.recurrent.some((x) => x.size?.rsSeq !== undefined)))
    narrow(r, "2026-05-16", undefined, "recurrent size line with rs_seq (since 2026-05-16)");
  return r;
}
