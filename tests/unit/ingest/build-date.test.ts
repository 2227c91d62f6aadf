/**
 * Dating a build by its log formats (docs/memory-model.md#log-format-history, #engine-revisions) and picking
 * the engine revision(s) whose date span overlaps.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDateRange } from "../../../scripts/ingest/build-date.ts";
import { revisionsFor } from "../../../src/lib/runs/revisions.ts";
import { parseLlamaCppLog } from "../../../scripts/ingest/parsers/llama-cpp.ts";

test("revision spans: current since 2026-01-25, then 2025-11-07, 2025-10-28, 2025-07-16", () => {
  assert.deepEqual(revisionsFor({ from: "2026-04-21" }), ["current"]);
  assert.deepEqual(revisionsFor({ from: "2026-01-15" }), ["current", "2025-11-07"]);
  assert.deepEqual(revisionsFor({ from: "2025-09-24", to: "2025-10-28" }), ["2025-07-16"]);
  assert.deepEqual(revisionsFor({ to: "2025-05-20" }), []);
  assert.deepEqual(revisionsFor({}), ["current", "2025-11-07", "2025-10-28", "2025-07-16"]);
});

test("formats bound the build date", () => {
  const modern = parseLlamaCppLog(
    [
      "load_tensors:        CUDA0 model buffer size =  4000.00 MiB",
      "llama_kv_cache: size =  512.00 MiB (  4096 cells,  32 layers,  1/1 seqs), K (f16):  256.00 MiB, V (f16):  256.00 MiB",
      "sched_reserve:      CUDA0 compute buffer size =   300.00 MiB",
    ].join("\n"),
  );
  const r = formatDateRange(modern);
  assert.deepEqual([r.from, r.to], ["2026-01-15", undefined]);
  const mid = parseLlamaCppLog(
    [
      "llama_kv_cache_unified:      CUDA0 KV buffer size =   512.00 MiB",
      "llama_kv_cache_unified: size =  512.00 MiB (  4096 cells,  32 layers,  1/ 1 seqs), K (f16):  256.00 MiB, V (f16):  256.00 MiB",
      "llama_context:      CUDA0 compute buffer size =   300.00 MiB",
    ].join("\n"),
  );
  const m = formatDateRange(mid);
  assert.deepEqual([m.from, m.to], ["2025-07-16", "2025-08-21"]);
  assert.deepEqual(revisionsFor(m), ["2025-07-16"]);
  const old = parseLlamaCppLog(
    [
      "llm_load_tensors:        CUDA0 buffer size =  4403.49 MiB",
      "llama_kv_cache_init:      CUDA0 KV buffer size =   512.00 MiB",
      "llama_new_context_with_model: KV self size  =  512.00 MiB, K (f16):  256.00 MiB, V (f16):  256.00 MiB",
      "llama_new_context_with_model:      CUDA0 compute buffer size =   296.00 MiB",
    ].join("\n"),
  );
  const o = formatDateRange(old);
  assert.equal(o.to, "2025-01-12");
  assert.deepEqual(revisionsFor(o), [], "builds before 2025-07-16 are not modelled");
});
