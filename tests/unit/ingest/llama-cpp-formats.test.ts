/**
 * llama.cpp log parser, line formats by period and family: historical KV lines, iSWA, recurrent
 * state, MLA, output and flash-attention lines, debug lines, build and devices, Metal, TurboQuant,
 * draft contexts and the warnings for lines that do not parse. Expected values as in
 * llama-cpp-parser.test.ts (real lines, or format strings filled by hand).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mainContexts, parseLlamaCppLog } from "../../../scripts/ingest/parsers/llama-cpp.ts";
import { LOG_FORMATS } from "./helpers.ts";

const fx = (name: string) => readFileSync(join(LOG_FORMATS, "llama-cpp", name), "utf8");
const inline = JSON.parse(readFileSync(join(LOG_FORMATS, "inline-lines.json"), "utf8")) as Record<string, string>;
const MiB = 1048576;

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
