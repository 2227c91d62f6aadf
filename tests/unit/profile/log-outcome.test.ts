import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { LogRecorder, formatLine, formatTimestamp, levelLetter } from "../../../scripts/profile/llama-log.ts";
import { memLine, procLine, readProcStatus, resetPeakRss, selfMemoryFields } from "../../../scripts/profile/memory.ts";
import {
  classifyFailure,
  isAllocationFailure,
  kvSizeLines,
  kvTypeMismatch,
  loggedNCtx,
  printfMiB2,
} from "../../../scripts/profile/outcome.ts";
import { parseMemprobe } from "../../../scripts/ingest/parsers/memprobe.ts";

test("timestamps in llama.cpp's common-log form M.SS.mmm.uuu (H100 llama.log)", () => {
  // `0.01.680.665 I llama_context: constructing llama_context` was printed 1680.665 ms after start
  assert.equal(formatTimestamp(1680.665), "0.01.680.665");
  assert.equal(formatTimestamp(2268.438), "0.02.268.438");
  assert.equal(formatTimestamp(0.623), "0.00.000.623");
  assert.equal(formatTimestamp(61_000.5), "1.01.000.500");
  assert.equal(
    formatLine({ t: 99.859, level: "I", text: "ggml_cuda_init: found 1 CUDA devices" }),
    "0.00.099.859 I ggml_cuda_init: found 1 CUDA devices",
  );
  assert.deepEqual(["error", "fatal", "warn", "info", "log", "debug"].map(levelLetter), ["E", "E", "W", "I", "I", "D"]);
});

test("the recorder splits messages, joins progress dots into one bare line, drops the library's own messages", () => {
  const r = new LogRecorder(performance.now());
  r.push("info", "load_tensors:   CPU_Mapped model buffer size =     1.21 MiB\nsecond line\n");
  for (let i = 0; i < 5; i++) r.push("info", ".");
  r.push("debug", "Simulating context resource usage. gpuLayers=0 contextSize=2K");
  r.push("debug", "Resolved model gpu layers. duration=0s layers=0");
  r.push("info", "llama_context: n_ctx                 = 2048");
  r.note("filled 1984 tokens");
  assert.deepEqual(
    r.lines.map((l) => l.text),
    [
      "load_tensors:   CPU_Mapped model buffer size =     1.21 MiB",
      "second line",
      ".....",
      "llama_context: n_ctx                 = 2048",
      "profile: filled 1984 tokens",
    ],
  );
  assert.equal(formatLine(r.lines[2]), ".....");
  assert.match(formatLine(r.lines[3]), /^\d+\.\d{2}\.\d{3}\.\d{3} I llama_context: n_ctx/);
});

test("allocation failures (real llama.cpp lines) are 'did not fit'; other errors are failures", () => {
  // printed by the prebuilt CPU llama.cpp (v0.5.0) when a 16 GiB KV cache could not be allocated
  const cpu = [
    "ggml_aligned_malloc: insufficient memory (attempted to allocate 16384.00 MB)",
    "ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size 17179869184",
    "alloc_tensor_range: failed to allocate CPU buffer of size 17179869184",
    "llama_init_from_model: failed to initialize the context: failed to allocate buffer for kv cache",
  ];
  assert.equal(classifyFailure(cpu), "did-not-fit");
  for (const l of cpu.slice(1)) assert.ok(isAllocationFailure(l), l);
  // ggml-cuda format "%s: allocating %.2f MiB on device %d: cudaMalloc failed: %s" (format-filled)
  assert.equal(
    classifyFailure([
      "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 20480.00 MiB on device 0: cudaMalloc failed: out of memory",
    ]),
    "did-not-fit",
  );
  // Metal format "%s: error: failed to allocate buffer, size = %8.2f MiB" (format-filled)
  assert.equal(
    classifyFailure(["ggml_metal_buffer_init: error: failed to allocate buffer, size = 20480.00 MiB"]),
    "did-not-fit",
  );
  assert.equal(
    classifyFailure(["llama_model_load: error loading model: unable to allocate CUDA0 buffer"]),
    "did-not-fit",
  );
  // a refused configuration is not a memory result (llama.cpp logs a refusal, not a size line)
  assert.equal(
    classifyFailure(["quantized V cache was requested, but this requires Flash Attention"], "Failed to create context"),
    "failed",
  );
  assert.equal(classifyFailure([], "ECONNREFUSED"), "failed");
});

test("KV size lines: the types llama.cpp allocated are checked against the request", () => {
  // H100 run, qwen3-14b-q4km_ctx-2048_k-q8_0_v-q8_0_fa-on/llama.log
  const line =
    "0.01.682.188 I llama_kv_cache: size =  170.00 MiB (  2048 cells,  40 layers,  1/1 seqs), K (q8_0):   85.00 MiB, V (q8_0):   85.00 MiB";
  const seen = kvSizeLines(["0.01.680.671 I llama_context: n_ctx                 = 2048", line]);
  assert.deepEqual(seen, [{ mib: 170, printed: "170.00", cells: 2048, k: "q8_0", v: "q8_0" }]);
  assert.equal(kvTypeMismatch(seen, "q8_0", "q8_0"), null);
  // node-llama-cpp ignores lower-case type names and falls back to f16: that must fail the step
  assert.match(kvTypeMismatch(seen, "q4_0", "q8_0")!, /asked for K cache type q4_0, llama.cpp allocated q8_0/);
  assert.match(kvTypeMismatch(seen, "q8_0", "f16")!, /asked for V cache type f16, llama.cpp allocated q8_0/);
  assert.equal(loggedNCtx([line, "llama_context: n_ctx                 = 2048"]), 2048);
});

test("MiB printed as llama.cpp's %.2f does, ties to even", () => {
  // H100 memprobe MB line: context=178257920 bytes ↔ log "170.00 MiB"
  assert.equal(printfMiB2(178_257_920), "170.00");
  // 4 layers × 1024 cells × 2 × 128 values of q8_0 (34 B per 32) = 1,114,112 B = 1.0625 MiB
  assert.equal(printfMiB2(1_114_112), "1.06");
  // 2,228,224 B = 2.125 MiB exactly: glibc prints 2.12 (toFixed would print 2.13)
  assert.equal(printfMiB2(2_228_224), "2.12");
  assert.equal(printfMiB2(557_056), "0.53");
  assert.equal(printfMiB2(0), "0.00");
});

test("PROC and MEM lines are read back by ingest's memprobe parser", () => {
  const text = [
    procLine("start", 0.103, { VmHWM: 275704, VmRSS: 275704 }),
    memLine("filled", 2.131, "CUDA0", 85017493504, 75315216384),
    procLine("generated", 2.268, { VmHWM: 9093824, VmRSS: 839636 }),
  ].join("\n");
  const f = parseMemprobe(text);
  assert.deepEqual(
    f.proc.map((p) => [p.stage, p.fields.VmHWM_kB]),
    [
      ["start", 275704 * 1024],
      ["generated", 9093824 * 1024],
    ],
  );
  // H100 memprobe-stdout.txt: used_bytes = total − free = 9702277120 at "filled"
  assert.deepEqual(
    f.stages.map((s) => [s.stage, s.device, s.usedBytes]),
    [["filled", "CUDA0", 9702277120]],
  );
});

test("/proc status is read and the peak RSS reset between steps on Linux; elsewhere getrusage is the fallback", () => {
  if (process.platform !== "linux") {
    // no procfs: nothing to read or reset, and the process's own memory comes from getrusage
    assert.equal(readProcStatus("self"), null);
    assert.equal(resetPeakRss("self"), false);
    const own = selfMemoryFields();
    assert.equal(own.tool, "getrusage");
    assert.ok(own.fields.ru_maxrss > 0);
    return;
  }
  const self = readProcStatus("self")!;
  assert.ok(self.VmHWM >= self.VmRSS && self.VmRSS > 0);
  assert.equal(selfMemoryFields().tool, "proc");
  // a child touches 256 MiB, frees it, resets the peak: VmHWM must drop by most of it
  const script = `
    import { readProcStatus, resetPeakRss } from ${JSON.stringify(new URL("../../../scripts/profile/memory.ts", import.meta.url).href)};
    let b = Buffer.alloc(256 * 1024 * 1024); b.fill(1); b = null; globalThis.gc();
    const before = readProcStatus("self").VmHWM;
    const ok = resetPeakRss("self");
    const after = readProcStatus("self").VmHWM;
    console.log(JSON.stringify({ before, ok, after }));`;
  const out = JSON.parse(
    execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8" }),
  );
  assert.equal(out.ok, true);
  assert.ok(out.before - out.after > 200 * 1024, `VmHWM ${out.before} kB → ${out.after} kB`);
});
