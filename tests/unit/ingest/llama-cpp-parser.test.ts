/**
 * llama.cpp log parser. Expected values are the numbers printed in the verbatim llama.cpp output of
 * tests/fixtures/ingest/log-formats/llama-cpp/, hand conversions of them (MiB × 1048576), the README
 * table of the ingested H100 measurement, or llama.cpp's format strings (format-*.txt there) filled
 * by hand (marked "format-filled").
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  createLlamaCppParser,
  mainContexts,
  parseLlamaCppLog,
  parseLlamaCppStream,
} from "../../../scripts/ingest/parsers/llama-cpp.ts";
import { normaliseLine } from "../../../scripts/ingest/parsers/common.ts";
import { H100, LOG_FORMATS } from "./helpers.ts";

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

test("historical KV formats (format-filled from the period table)", () => {
  // 2025-05-20 → 06: cells and layers only
  let f = parseLlamaCppLog(
    "llama_kv_cache_unified: size =  512.00 MiB (  4096 cells,  32 layers), K (f16):  256.00 MiB, V (f16):  256.00 MiB",
  );
  let s = f.contexts[0].caches[0].size!;
  assert.deepEqual(
    [s.format, s.cells, s.layers, s.nSeqMax, s.nStream],
    ["cells-layers", 4096, 32, undefined, undefined],
  );
  // 2025-06 → 07-16: "%2u seqs"
  f = parseLlamaCppLog(
    "llama_kv_cache_unified: size =  272.00 MiB (  4096 cells,  32 layers,  1 seqs), K (q8_0):  136.00 MiB, V (q8_0):  136.00 MiB",
  );
  s = f.contexts[0].caches[0].size!;
  assert.deepEqual([s.format, s.nSeqMax, s.k.type], ["seqs", 1, "q8_0"]);
  // 2025-07-16 → 08-02: "%2u/%2u seqs"
  f = parseLlamaCppLog(
    "llama_kv_cache_unified: size = 2048.00 MiB ( 4096 cells,  32 layers,  4/ 4 seqs), K (f16): 1024.00 MiB, V (f16): 1024.00 MiB",
  );
  s = f.contexts[0].caches[0].size!;
  assert.deepEqual([s.format, s.nSeqMax, s.nStream], ["current", 4, 4]);
  // 2025-03: kv_size meta line, unified buffer, KV self size
  f = parseLlamaCppLog(
    [
      "llama_kv_cache_unified: kv_size = 4096, type_k = 'f16', type_v = 'f16', n_layer = 32, can_shift = 1, padding = 32",
      "llama_kv_cache_unified:      CUDA0 KV buffer size =   512.00 MiB",
      "llama_kv_cache_unified: KV self size  =  512.00 MiB, K (f16):  256.00 MiB, V (f16):  256.00 MiB",
    ].join("\n"),
  );
  const k = f.contexts[0].caches[0];
  assert.deepEqual(
    [k.meta!.kvSize, k.meta!.nLayer, k.size!.cells, k.size!.layers, k.buffers.length],
    [4096, 32, 4096, 32, 1],
  );
  // 2024: llama_kv_cache_init + llama_new_context_with_model, old model buffer line
  f = parseLlamaCppLog(
    [
      "llm_load_tensors:        CUDA0 buffer size =  4403.49 MiB",
      "llama_new_context_with_model: n_ctx      = 4096",
      "llama_kv_cache_init: kv_size = 4096, offload = 1, type_k = 'f16', type_v = 'f16', n_layer = 32, can_shift = 1",
      "llama_kv_cache_init:      CUDA0 KV buffer size =   512.00 MiB",
      "llama_new_context_with_model: KV self size  =  512.00 MiB, K (f16):  256.00 MiB, V (f16):  256.00 MiB",
      "llama_new_context_with_model:  CUDA_Host  output buffer size =     0.49 MiB",
      "llama_new_context_with_model:      CUDA0 compute buffer size =   296.00 MiB",
    ].join("\n"),
  );
  const c = f.contexts[0];
  assert.equal(f.models[0].buffers[0].mib, 4403.49);
  assert.equal(c.params.n_ctx.value, "4096");
  assert.equal(c.caches.length, 1);
  assert.equal(c.caches[0].size!.bytes, 512 * MiB);
  assert.equal(c.compute[0].mib, 296);
  assert.equal(c.output[0].mib, 0.49);
});

test("iSWA: two cache instances with their own buffer and size lines", () => {
  const f = parseLlamaCppLog(
    [
      "llama_kv_cache_iswa: creating non-SWA KV cache, size = 4096 cells",
      "llama_kv_cache:      CUDA0 KV buffer size =   160.00 MiB",
      "llama_kv_cache: size =  160.00 MiB (  4096 cells,   5 layers,  1/1 seqs), K (f16):   80.00 MiB, V (f16):   80.00 MiB",
      inline["iswa-creating-swa"],
      "llama_kv_cache:      CUDA0 KV buffer size =   900.00 MiB",
      "llama_kv_cache: size =  900.00 MiB (  4608 cells,  25 layers,  1/1 seqs), K (f16):  450.00 MiB, V (f16):  450.00 MiB",
    ].join("\n"),
  );
  const caches = f.contexts[0].caches;
  assert.deepEqual(
    caches.map((k) => [k.kind, k.createdCells, k.size!.cells, k.size!.bytes]),
    [
      ["non-swa", 4096, 4096, 160 * MiB],
      ["swa", 4608, 4608, 900 * MiB],
    ],
  );
});

test("recurrent state (real line) and the pre-2026-05-16 form; hybrid KV + RS", () => {
  let f = parseLlamaCppLog(
    ["llama_memory_recurrent:      CUDA0 RS buffer size =   299.25 MiB", inline["recurrent-size"]].join("\n"),
  );
  let r = f.contexts[0].recurrent[0];
  assert.equal(r.buffers[0].mib, 299.25);
  assert.deepEqual([r.size!.mib, r.size!.cells, r.size!.layers, r.size!.nSeq, r.size!.rsSeq], [299.25, 2, 64, 2, 0]);
  assert.deepEqual([r.size!.r.type, r.size!.r.mib, r.size!.s.type, r.size!.s.mib], ["f32", 11.25, "f32", 288]);
  f = parseLlamaCppLog(
    [
      "llama_kv_cache:      CUDA0 KV buffer size =    64.00 MiB",
      "llama_kv_cache: size =   64.00 MiB (  4096 cells,  16 layers,  1/1 seqs), K (f16):   32.00 MiB, V (f16):   32.00 MiB",
      "llama_memory_recurrent: size =  149.62 MiB (     1 cells,  64 layers,  1 seqs), R (f32):    5.62 MiB, S (f32):  144.00 MiB",
    ].join("\n"),
  );
  r = f.contexts[0].recurrent[0];
  assert.equal(r.size!.rsSeq, undefined);
  assert.equal(r.size!.s.mib, 144);
  assert.equal(f.contexts[0].caches[0].size!.bytes, 64 * MiB);
});

test("MLA V-less size line (since 2026-01-25): V group optional", () => {
  const f = parseLlamaCppLog(
    "llama_kv_cache: size = 1098.00 MiB (  4096 cells,  61 layers,  1/1 seqs), K (f16): 1098.00 MiB",
  );
  const s = f.contexts[0].caches[0].size!;
  assert.equal(s.v, undefined);
  assert.equal(s.k.bytes, 1098 * MiB);
});

test("output buffer lines (real), FA resolved lines (real)", () => {
  let f = parseLlamaCppLog([inline["output-cuda-host"], inline["output-cpu"]].join("\n"));
  assert.deepEqual(
    f.contexts[0].output.map((o) => [o.device, o.bytes]),
    [
      ["CUDA_Host", Math.round(0.58 * MiB)],
      ["CPU", Math.round(0.58 * MiB)],
    ],
  );
  f = parseLlamaCppLog(["llama_context: n_ctx = 4096", inline["fa-resolved-sched"]].join("\n"));
  assert.equal(f.contexts[0].flashAttnResolved!.value, "enabled");
  f = parseLlamaCppLog(["llama_context: n_ctx = 4096", inline["fa-resolved-context"]].join("\n"));
  assert.equal(f.contexts[0].flashAttnResolved!.value, "enabled");
});

test("debug per-layer lines are counted (real lines)", () => {
  const f = parseLlamaCppLog(
    [
      inline["kv-layer-dev"],
      inline["kv-layer-filtered"],
      inline["router-child-layer"],
      inline["load-tensors-layer"],
    ].join("\n"),
  );
  assert.deepEqual(f.contexts[0].kvLayers, { assigned: 2, filtered: 1, devices: { CPU: 1, "Meta()": 1 } });
  assert.deepEqual(f.models[0].layerDevices, { CPU: 1 });
});

test("build, devices, server slots (real lines)", () => {
  let f = parseLlamaCppLog(inline["build-component-tag"]);
  assert.deepEqual([f.build!.number, f.build!.commit], [9943, "c15c5c77a"]);
  f = parseLlamaCppLog(inline["server-slots"]);
  assert.deepEqual(f.serverSlots, { nSlots: 4, nCtxSlot: 8192, kvUnified: true, line: 1 });
  f = parseLlamaCppLog(inline["metal-using-device"]);
  assert.deepEqual(
    [f.devices[0].name, f.devices[0].description, f.devices[0].backend, f.devices[0].freeMiB],
    ["Metal", "Apple M4", "Metal", 25557],
  );
});

test("Metal working set: MB = 10⁶ bytes (real line)", () => {
  const f = parseLlamaCppLog(inline["metal-working-set-real"]);
  assert.equal(f.metal!.recommendedMaxWorkingSetMB, 11453.25);
  assert.equal(f.metal!.recommendedMaxWorkingSetBytes, 11453250000);
});

test("TurboQuant lines (format-filled and real-shaped)", () => {
  const f = parseLlamaCppLog(
    [
      "turbo cache types require flash_attn — enabling automatically",
      "auto-asymmetric: GQA ratio 8:1 (n_head=32, n_head_kv=4) — upgrading K from turbo3 to q8_0 to prevent quality degradation. Disable with TURBO_AUTO_ASYMMETRIC=0",
      "Boundary V auto-enabled for turbo2-V (opt-out: TURBO_LAYER_ADAPTIVE=0)",
      "Boundary V mode 7: first2+last2 V=q8_0, rest V=turbo2",
      inline["turbo-zero-padding"],
      "TurboQuant rotation matrices initialized (128x128)",
      "llama_kv_cache: temporal decay applied to 512 cells (pos < 4096)",
    ].join("\n"),
  );
  const t = f.turbo;
  assert.equal(t.flashAttnForced, 1);
  assert.deepEqual(
    [
      t.autoAsymmetric!.gqaRatio,
      t.autoAsymmetric!.nHead,
      t.autoAsymmetric!.nHeadKv,
      t.autoAsymmetric!.from,
      t.autoAsymmetric!.to,
    ],
    [8, 32, 4, "turbo3", "q8_0"],
  );
  assert.equal(t.boundaryV!.mode, 7);
  assert.deepEqual(
    t.zeroPadding.map((z) => [z.which, z.from, z.to, z.cacheFrom, z.cacheTo]),
    [["K", 64, 128, 512, 1024]],
  );
  assert.equal(t.rotationInit, 1);
  assert.equal(t.temporalDecayLines, 1);
  assert.equal(f.warnings.length, 0);
  assert.equal(parseLlamaCppLog(inline["turbo-unsupported"]).turbo.unsupportedType!.type, "turbo4");
});

test("draft model contexts are tagged and not main", () => {
  const log = [
    "llama_model_loader: loaded meta data with 3 key-value pairs and 10 tensors from main.gguf (version GGUF V3 (latest))",
    "llama_context: constructing llama_context",
    "llama_context: n_ctx         = 8192",
    "llama_kv_cache: size = 1024.00 MiB (  8192 cells,  32 layers,  1/1 seqs), K (f16):  512.00 MiB, V (f16):  512.00 MiB",
    "srv    load_model: loading draft model 'draft.gguf'",
    "llama_model_loader: loaded meta data with 3 key-value pairs and 10 tensors from draft.gguf (version GGUF V3 (latest))",
    "llama_context: constructing llama_context",
    "llama_context: n_ctx         = 8192",
    "llama_kv_cache: size =   64.00 MiB (  8192 cells,   4 layers,  1/1 seqs), K (f16):   32.00 MiB, V (f16):   32.00 MiB",
  ].join("\n");
  const f = parseLlamaCppLog(log);
  assert.deepEqual(
    f.contexts.map((c) => c.role),
    ["main", "draft"],
  );
  assert.equal(mainContexts(f).length, 1);
  assert.equal(mainContexts(f)[0].caches[0].size!.bytes, 1024 * MiB);
});

test("relevant-looking lines that do not parse become warnings with line numbers; format strings too", () => {
  const f = parseLlamaCppLog(
    ["llama_context: n_ctx = 4096", "llama_kv_cache:      CUDA0 KV buffer size = abc MiB", "slot update: nothing"].join(
      "\n",
    ),
  );
  assert.equal(f.warnings.length, 1);
  assert.equal(f.warnings[0].line, 2);
  const fmt = parseLlamaCppLog(fx("format-compute.txt"));
  assert.ok(fmt.warnings.some((w) => w.line === 1));
});

test("all 23 H100 logs (+ smoke): KV, compute, model, output and breakdown as the README's table states", () => {
  // README "Results" table: n_ctx, K/V, FA, KV (log), compute CUDA0, compute CUDA_Host, unaccounted
  const table: [number, string, string, number, number, number, number][] = [
    [2048, "f16", "on", 320.0, 306.75, 22.01, 614],
    [2048, "q8_0", "on", 170.0, 306.75, 22.09, 614],
    [2048, "q4_0", "on", 90.0, 306.75, 22.09, 614],
    [2048, "q8_0/q4_0", "on", 130.0, 306.75, 22.09, 614],
    [2048, "f16", "off", 320.0, 306.75, 28.01, 770],
    [8192, "f16", "on", 1280.0, 306.75, 28.01, 614],
    [8192, "q8_0", "on", 680.0, 306.75, 28.09, 614],
    [8192, "q4_0", "on", 360.0, 306.75, 28.09, 614],
    [8192, "q8_0/q4_0", "on", 520.0, 306.75, 28.09, 614],
    [8192, "f16", "off", 1280.0, 700.01, 40.01, 1001],
    [32768, "f16", "on", 5120.0, 306.75, 52.01, 614],
    [32768, "q8_0", "on", 2720.0, 306.75, 52.09, 614],
    [32768, "q4_0", "on", 1440.0, 306.75, 52.09, 614],
    [32768, "q8_0/q4_0", "on", 2080.0, 306.75, 52.09, 614],
    [32768, "f16", "off", 5120.0, 2668.01, 88.01, 1961],
    [65536, "f16", "on", 10240.0, 306.75, 84.01, 614],
    [65536, "q8_0", "on", 5440.0, 360.09, 84.09, 614],
    [65536, "q4_0", "on", 2880.0, 360.09, 84.09, 614],
    [65536, "q8_0/q4_0", "on", 4160.0, 360.09, 84.09, 614],
    [131072, "f16", "on", 20480.0, 306.75, 148.01, 614],
    [131072, "q8_0", "on", 10880.0, 680.09, 148.09, 614],
    [131072, "q4_0", "on", 5760.0, 680.09, 148.09, 614],
    [131072, "q8_0/q4_0", "on", 8320.0, 680.09, 148.09, 614],
  ];
  const dirs = readdirSync(H100).filter((d) => d.startsWith("qwen3-14b-q4km_"));
  assert.equal(dirs.length, 23);
  for (const [ctx, kv, fa, kvMiB, c0, ch, unacc] of table) {
    const [k, v] = kv.includes("/") ? kv.split("/") : [kv, kv];
    const dir = `qwen3-14b-q4km_ctx-${ctx}_k-${k}_v-${v}_fa-${fa}`;
    const f = parseLlamaCppLog(readFileSync(join(H100, dir, "llama.log"), "utf8"));
    assert.equal(f.warnings.length, 0, dir);
    const cs = mainContexts(f);
    assert.equal(cs.length, 1, dir);
    const c = cs[0];
    assert.equal(c.params.n_ctx.value, String(ctx), dir);
    assert.equal(c.params.flash_attn.value, fa === "on" ? "enabled" : "disabled", dir);
    const s = c.caches[0].size!;
    assert.equal(s.mib, kvMiB, dir);
    assert.equal(s.bytes, kvMiB * MiB, dir);
    assert.deepEqual([s.k.type, s.v!.type, s.cells], [k, v, ctx], dir);
    assert.deepEqual(
      c.compute.map((b) => [b.device, b.mib]),
      [
        ["CUDA0", c0],
        ["CUDA_Host", ch],
      ],
      dir,
    );
    assert.deepEqual(
      f.models[0].buffers.map((b) => [b.device, b.mib]),
      [
        ["CPU_Mapped", 417.3],
        ["CUDA0", 8161.75],
      ],
      dir,
    );
    assert.deepEqual(
      c.output.map((b) => [b.device, b.mib]),
      [["CUDA_Host", 0.58]],
      dir,
    );
    assert.equal(c.breakdown!.rows[0].unaccountedMiB, unacc, dir);
    assert.equal(f.build!.commit, "de3ff81");
    assert.equal(f.devices[0].description, "NVIDIA H100 80GB HBM3");
    assert.equal(f.models[0].gguf["general.file_type"].value, "15");
    if (k !== "f16") assert.deepEqual(f.attnRot, { k: 1, v: 1 }, dir);
  }
  const smoke = parseLlamaCppLog(
    readFileSync(join(H100, "smoke_qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log"), "utf8"),
  );
  assert.equal(mainContexts(smoke)[0].caches[0].size!.mib, 320);
});

test("streamed parse equals the in-memory parse, across arbitrary chunk boundaries", async () => {
  const text = readFileSync(join(H100, "qwen3-14b-q4km_ctx-32768_k-f16_v-f16_fa-off", "llama.log"), "utf8");
  const whole = parseLlamaCppLog(text);
  const buf = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 7) chunks.push(buf.subarray(i, i + 7));
  const streamed = await parseLlamaCppStream(Readable.from(chunks));
  assert.equal(streamed.bytes, buf.length);
  const { bytes: _b, ...rest } = streamed;
  assert.deepEqual(rest, whole);
});

test("line parser keeps the last set when the same family repeats (two contexts)", () => {
  const p = createLlamaCppParser();
  const lines = [
    "llama_context: constructing llama_context",
    "llama_context: n_ctx = 2048",
    "llama_kv_cache: size =  256.00 MiB (  2048 cells,  32 layers,  1/1 seqs), K (f16):  128.00 MiB, V (f16):  128.00 MiB",
    "llama_context: constructing llama_context",
    "llama_context: n_ctx = 4096",
    "llama_kv_cache: size =  512.00 MiB (  4096 cells,  32 layers,  1/1 seqs), K (f16):  256.00 MiB, V (f16):  256.00 MiB",
  ];
  lines.forEach((l, i) => p.push(l, i + 1));
  const f = p.finish();
  assert.deepEqual(
    mainContexts(f).map((c) => c.caches[0].size!.cells),
    [2048, 4096],
  );
});

test("the compute-buffer destructor check (WARN when it does not match) is recognised, not a compute line", () => {
  const f = parseLlamaCppLog(
    [
      "sched_reserve:        CPU compute buffer size =     2.64 MiB",
      "0.01.308.338 D ~llama_context:        CPU compute buffer size is   2.6387 MiB, matches expectation of   2.6387 MiB",
      "~llama_context:      CUDA0 compute buffer size of 306.7500 MiB, does not match expectation of 310.0000 MiB",
    ].join("\n"),
  );
  assert.equal(f.warnings.length, 0);
  assert.deepEqual(
    f.contexts[0].compute.map((b) => b.mib),
    [2.64],
  );
  assert.equal(f.kvNotes.length, 1);
  assert.equal(f.kvNotes[0].line, 3);
});

test("a log that repeats the same session is folded (memory grows with distinct facts only)", () => {
  const one = readFileSync(join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log"), "utf8");
  const other = readFileSync(join(H100, "qwen3-14b-q4km_ctx-8192_k-f16_v-f16_fa-on", "llama.log"), "utf8");
  const f = parseLlamaCppLog(one + one + one + other);
  assert.equal(f.models.length, 1);
  assert.equal(f.models[0].repeats, 3);
  assert.deepEqual(
    mainContexts(f).map((c) => [c.params.n_ctx.value, c.repeats]),
    [
      ["2048", 2],
      ["8192", 0],
    ],
  );
});
