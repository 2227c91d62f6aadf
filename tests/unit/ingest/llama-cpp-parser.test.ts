/**
 * llama.cpp log parser. Expected values are the numbers printed in the verbatim llama.cpp output of
 * tests/fixtures/ingest/log-formats/llama-cpp/, hand conversions of them (MiB × 1048576), the README
 * table of the ingested H100 measurement, or llama.cpp's format strings (format-*.txt there) filled
 * by hand (marked "format-filled").
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mainContexts, parseLlamaCppLog } from "../../../scripts/ingest/parsers/llama-cpp.ts";
import { normaliseLine } from "../../../scripts/ingest/parsers/common.ts";
import { LOG_FORMATS } from "./helpers.ts";

const fx = (name: string) => readFileSync(join(LOG_FORMATS, "llama-cpp", name), "utf8");
const inline = JSON.parse(readFileSync(join(LOG_FORMATS, "inline-lines.json"), "utf8")) as Record<string, string>;
const MiB = 1048576;

test("wrappers are stripped: timestamps+level, router child, journal, docker, ANSI, CRLF", () => {
  assert.deepEqual(normaliseLine("0.00.618.526 I sched_reserve: x"), { text: "sched_reserve: x", level: "I" });
  assert.equal(normaliseLine(inline["router-child-layer"]).text, "llama_kv_cache: layer  31: dev = Meta()");
  assert.equal(normaliseLine(inline["router-child-layer"]).level, "D");
  assert.equal(normaliseLine(inline["journal-print-info"]).text, "print_info: n_embd_head_k    = 128");
  assert.equal(
    normaliseLine(inline["docker-print-info"]).text,
    "print_info: EOG token        = 151643 '<|endoftext|>'",
  );
  assert.equal(normaliseLine("\x1b[33mllama_context: n_ctx = 4096\x1b[0m\r").text, "llama_context: n_ctx = 4096");
});

test("current KV lines (real example): one cache, buffer 224 MiB, size 512 MiB = 256 + 256", () => {
  const f = parseLlamaCppLog(fx("kv-current.log"));
  assert.equal(f.warnings.length, 0);
  const [c] = mainContexts(f);
  assert.equal(c.caches.length, 1);
  const k = c.caches[0];
  assert.deepEqual(
    k.buffers.map((b) => [b.device, b.mib, b.bytes]),
    [["CUDA0", 224, 224 * MiB]],
  );
  assert.equal(k.size!.bytes, 512 * MiB);
  assert.equal(k.size!.cells, 32768);
  assert.equal(k.size!.layers, 4);
  assert.equal(k.size!.nSeqMax, 1);
  assert.equal(k.size!.nStream, 1);
  assert.deepEqual(
    [k.size!.k.type, k.size!.k.bytes, k.size!.v!.type, k.size!.v!.bytes],
    ["f16", 256 * MiB, "f16", 256 * MiB],
  );
  assert.equal(k.size!.format, "current");
});

test("2025-01 block (real): KV self size + CUDA_Host output buffer", () => {
  const f = parseLlamaCppLog(fx("kv-2025-01.log"));
  const [c] = mainContexts(f);
  const k = c.caches[0];
  assert.equal(k.buffers[0].mib, 112);
  assert.equal(k.size!.format, "kv-self-size");
  assert.equal(k.size!.bytes, 112 * MiB);
  assert.equal(k.size!.k.bytes, 56 * MiB);
  assert.equal(k.size!.v!.bytes, 56 * MiB);
  assert.deepEqual(
    c.output.map((o) => [o.device, o.mib]),
    [["CUDA_Host", 0.58]],
  );
  assert.equal(c.output[0].prefix, "llama_init_from_model");
});

test("context parameters (real), spacing-insensitive", () => {
  const f = parseLlamaCppLog(fx("context-params.log"));
  const p = f.contexts[0].params;
  const v = Object.fromEntries(Object.entries(p).map(([k, x]) => [k, x.value]));
  assert.deepEqual(v, {
    n_seq_max: "1",
    n_ctx: "4096",
    n_ctx_seq: "4096",
    n_batch: "2048",
    n_ubatch: "512",
    causal_attn: "1",
    flash_attn: "auto",
    kv_unified: "false",
  });
  assert.equal(parseLlamaCppLog(inline["ctx-param-spacing"]).contexts[0].params.n_ctx.value, "4096");
});

test("compute buffers (real): one block of consecutive lines, timestamps stripped", () => {
  const f = parseLlamaCppLog(fx("compute.log"));
  const c = f.contexts[0];
  assert.deepEqual(
    c.compute.map((b) => [b.device, b.mib]),
    [
      ["CUDA0", 654.78],
      ["CUDA_Host", 411.29],
      ["MTL0", 2161.01],
      ["CPU", 397.05],
    ],
  );
  assert.equal(c.computeBlocks, 1);
  assert.equal(c.compute[0].bytes, Math.round(654.78 * MiB));
});

test("re-reserve: the last non-zero block wins; zero (dry-run) blocks are ignored", () => {
  const log = [
    "llama_context: n_ctx = 4096",
    "sched_reserve:      CUDA0 compute buffer size =     0.00 MiB",
    "sched_reserve: graph splits = 2",
    "sched_reserve:      CUDA0 compute buffer size =   300.00 MiB",
    "sched_reserve:  CUDA_Host compute buffer size =    20.00 MiB",
    "sched_reserve: graph splits = 2",
    "sched_reserve:      CUDA0 compute buffer size =   310.50 MiB",
    "sched_reserve:  CUDA_Host compute buffer size =    21.00 MiB",
    "sched_reserve:        CPU compute buffer size =     4.00 MiB",
    "sched_reserve: graph splits = 2",
  ].join("\n");
  const c = parseLlamaCppLog(log).contexts[0];
  assert.deepEqual(
    c.compute.map((b) => b.mib),
    [310.5, 21, 4],
  );
  assert.equal(c.computeBlocks, 2);
});

test("model buffers (real) and print_info (real)", () => {
  const f = parseLlamaCppLog(fx("model-buffers.log") + fx("print-info.log"));
  const m = f.models[0];
  assert.deepEqual(
    m.buffers.map((b) => [b.device, b.mib]),
    [
      ["CPU_Mapped", 682.03],
      ["CUDA0", 14032.23],
    ],
  );
  assert.equal(m.info["file type"].value, "Q4_K - Medium");
  assert.equal(m.fileSize!.value, 8.37);
  assert.equal(m.fileSize!.bpw, 4.87);
  assert.equal(m.fileSize!.bytes, Math.round(8.37 * 1024 ** 3));
  assert.equal(m.info.n_head_kv.value, "1");
  assert.equal(m.info.n_embd_head_k.value, "576");
  assert.equal(m.info.n_embd_k_gqa.value, "576");
});

test("loader dump (real lines) and older llm_load_print_meta model size", () => {
  const f = parseLlamaCppLog(
    [
      inline["loader-kv-block-count"],
      inline["loader-kv-head-count-kv"],
      inline["loader-type"],
      inline["llm-load-print-meta-model-size"],
    ].join("\n"),
  );
  const m = f.models[0];
  assert.equal(m.gguf["llama.block_count"].value, "40");
  assert.equal(m.gguf["llama.attention.head_count_kv"].type, "u32");
  assert.equal(m.tensorTypes.q4_K, 289);
  assert.equal(m.fileSize!.value, 37.22);
  assert.equal(m.fileSize!.bpw, 4.53);
  // ik_llama.cpp prints 3 decimals (format-filled with the llm_load_print_meta prefix it uses)
  const ik = parseLlamaCppLog(`llm_load_print_meta: ${inline["ik-model-size"]}`);
  assert.equal(ik.models[0].fileSize!.value, 106.83);
  assert.equal(ik.models[0].fileSize!.bpw, 3.903);
});

test("memory breakdown (real) incl. the pre-merge variant without pipes", () => {
  const f = parseLlamaCppLog(fx("breakdown.log"));
  const rows = f.contexts[0].breakdown!.rows;
  assert.deepEqual(
    rows.map((r) => [
      r.name,
      r.description,
      r.kind,
      r.totalMiB,
      r.freeMiB,
      r.selfMiB,
      r.modelMiB,
      r.contextMiB,
      r.computeMiB,
      r.unaccountedMiB,
    ]),
    [
      ["CUDA0", "RTX 4090", "device", 24077, 945, 19187, 17904, 384, 898, 3945],
      ["Host", undefined, "host", undefined, undefined, 58271, 58259, 0, 12, undefined],
    ],
  );
  const pre = parseLlamaCppLog(
    [
      "llama_print_memory_breakdown: memory breakdown:      total   free    self   model   context   compute    unaccounted",
      "llama_print_memory_breakdown:   - CUDA0 (RTX 4090)   24077 =  945 + (19187 = 17904 +     384 +     898) +        3945",
    ].join("\n"),
  );
  assert.equal(pre.contexts[0].breakdown!.rows[0].unaccountedMiB, 3945);
});

test("--fit lines (real)", () => {
  const f = parseLlamaCppLog(fx("fit.log"));
  assert.equal(f.fit!.projectedMiB, 3287);
  assert.equal(f.fit!.freeMiB, 110100);
  const r = parseLlamaCppLog(inline["fit-reduced"]);
  assert.deepEqual([r.fit!.reduced!.from, r.fit!.reduced!.to], [65536, 4096]);
});

test("--fit dry run: zero buffers make a dry-run model/context; the real load is main", () => {
  const log = [
    "common_init_result: fitting params to device memory, for bugs during this step try to reproduce them with -fit off",
    "llama_model_loader: loaded meta data with 3 key-value pairs and 10 tensors from m.gguf (version GGUF V3 (latest))",
    "load_tensors:        CUDA0 model buffer size =     0.00 MiB",
    "llama_context: constructing llama_context",
    "llama_context: n_ctx         = 65536",
    "llama_kv_cache:      CUDA0 KV buffer size =     0.00 MiB",
    "llama_kv_cache: size = 8192.00 MiB ( 65536 cells,  32 layers,  1/1 seqs), K (f16): 4096.00 MiB, V (f16): 4096.00 MiB",
    "llama_params_fit: context size reduced from 65536 to 4096 -> need 13440 MiB less memory",
    "llama_model_loader: loaded meta data with 3 key-value pairs and 10 tensors from m.gguf (version GGUF V3 (latest))",
    "load_tensors:        CUDA0 model buffer size =  4000.00 MiB",
    "llama_context: constructing llama_context",
    "llama_context: n_ctx         = 4096",
    "llama_kv_cache:      CUDA0 KV buffer size =   512.00 MiB",
    "llama_kv_cache: size =  512.00 MiB (  4096 cells,  32 layers,  1/1 seqs), K (f16):  256.00 MiB, V (f16):  256.00 MiB",
  ].join("\n");
  const f = parseLlamaCppLog(log);
  assert.deepEqual(
    f.models.map((m) => m.role),
    ["dry-run", "main"],
  );
  const main = mainContexts(f);
  assert.equal(main.length, 1);
  assert.equal(main[0].params.n_ctx.value, "4096");
  assert.equal(main[0].caches[0].size!.bytes, 512 * MiB);
});
