/**
 * Parsers of the other tools, on the verbatim examples in tests/fixtures/ingest/log-formats/ and the
 * real H100 files. Expected values are the printed numbers converted by hand.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseOllamaLog, logfmt } from "../../../scripts/ingest/parsers/ollama.ts";
import { parseOllamaPs } from "../../../scripts/ingest/parsers/ollama-ps.ts";
import { parseLlamaBench } from "../../../scripts/ingest/parsers/llama-bench.ts";
import { parseFootprintJson, parseFootprintText } from "../../../scripts/ingest/parsers/footprint.ts";
import { parseVmmap } from "../../../scripts/ingest/parsers/vmmap.ts";
import { parseTimeL } from "../../../scripts/ingest/parsers/time-l.ts";
import { parseTimeV } from "../../../scripts/ingest/parsers/time-v.ts";
import { parseNvidiaSmiCsv } from "../../../scripts/ingest/parsers/nvidia-smi.ts";
import { parseMemprobe, peakStageUse } from "../../../scripts/ingest/parsers/memprobe.ts";
import { detectTool } from "../../../scripts/ingest/detect.ts";
import { H100, LOG_FORMATS } from "./helpers.ts";

const fx = (p: string) => readFileSync(join(LOG_FORMATS, p), "utf8");
const inline = JSON.parse(fx("inline-lines.json")) as Record<string, string>;
const KiB = 1024;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

test("Ollama old estimator line (real): logfmt with quoted sizes, kept as an estimate", () => {
  const f = parseOllamaLog(fx("ollama/offload-old.log"));
  const o = f.loads[0].offload!;
  assert.equal(o.library, "cuda");
  assert.deepEqual([o.layersRequested, o.layersModel, o.layersOffload], [-1, 49, 48]);
  assert.equal(o.requiredKv!.bytes, 992 * MiB);
  assert.equal(o.requiredFull!.bytes, Math.round(11.4 * GiB));
  assert.equal(o.graphFull!.bytes, Math.round(519.5 * MiB));
  assert.equal(o.weightsTotal!.bytes, Math.round(6.8 * GiB));
  assert.deepEqual(
    o.available.map((a) => a.bytes),
    [Math.round(11.1 * GiB)],
  );
  assert.equal(f.loads[0].kv.length, 0, "the old line is an estimate, not a per-device allocation");
  assert.equal(f.warnings.length, 0);
});

test("Ollama new memory lines (real)", () => {
  const f = parseOllamaLog(fx("ollama/memory-lines.log"));
  const l = f.loads[0];
  assert.deepEqual(
    l.kv.map((k) => [k.device, k.size.bytes]),
    [["CUDA0", 936 * MiB]],
  );
  assert.deepEqual(
    l.compute.map((k) => [k.device, k.size.bytes]),
    [
      ["CUDA0", 98 * MiB],
      ["CPU", 8 * MiB],
    ],
  );
  assert.equal(l.total!.bytes, Math.round(5.4 * GiB));
});

test("Ollama: runner command line, mid-2025 field names, journal prefix, forwarded llama.cpp lines", () => {
  const log = [
    `time=2025-09-01T10:00:00Z level=INFO source=server.go:400 msg="starting llama server" cmd="/usr/bin/ollama runner --model /m.gguf --ctx-size 8192 --batch-size 512 --n-gpu-layers 48 --threads 8 --parallel 1 --port 1234"`,
    `time=2025-09-01T10:00:01Z level=INFO source=backend.go:300 msg="model weights" buffer=CUDA1 size="11.9 GiB"`,
    `time=2025-09-01T10:00:01Z level=INFO source=backend.go:310 msg="compute graph" backend=CUDA0 buffer_type=CUDA0 size="0 B"`,
    `9月 02 14:47:57 host ollama[1756203]: llama_kv_cache:      CUDA0 KV buffer size =  1024.00 MiB`,
    `9月 02 14:47:57 host ollama[1756203]: llama_kv_cache: size = 1024.00 MiB (  8192 cells,  32 layers,  1/1 seqs), K (f16):  512.00 MiB, V (f16):  512.00 MiB`,
  ].join("\n");
  const f = parseOllamaLog(log);
  const l = f.loads[0];
  assert.deepEqual(
    [l.runnerArgs["ctx-size"], l.runnerArgs["batch-size"], l.runnerArgs["n-gpu-layers"], l.runnerArgs.parallel],
    ["8192", "512", "48", "1"],
  );
  assert.deepEqual(
    l.weights.map((w) => [w.device, w.size.bytes]),
    [["CUDA1", Math.round(11.9 * GiB)]],
  );
  assert.deepEqual(
    l.compute.map((w) => [w.device, w.size.bytes]),
    [["CUDA0", 0]],
  );
  assert.equal(f.llama.contexts[0].caches[0].size!.bytes, 1024 * MiB);
  assert.deepEqual({ ...logfmt('a=1 b="x y" c=\\"q') }, { a: "1", b: "x y", c: '\\"q' });
});

test("ollama ps (real): decimal SIZE, processor split, CONTEXT column", () => {
  const f = parseOllamaPs(fx("ollama-ps/ps.txt"));
  assert.equal(f.rows.length, 1);
  const r = f.rows[0];
  assert.deepEqual(
    [r.name, r.id, r.sizeBytes, r.context, r.until],
    ["qwen3.5:9b", "6488c96fa5fa", 5.5e9, 4096, "4 minutes from now"],
  );
  assert.deepEqual(r.processor, { cpuPercent: 0, gpuPercent: 100 });
  const older = parseOllamaPs(
    "NAME          ID              SIZE     PROCESSOR          UNTIL\nllama3:70b    786f3184aec0    42 GB    48%/52% CPU/GPU    4 minutes from now\n",
  );
  assert.deepEqual(
    [older.rows[0].sizeBytes, older.rows[0].context, older.rows[0].processor],
    [42e9, undefined, { cpuPercent: 48, gpuPercent: 52 }],
  );
});

test("llama-bench: the elided record is read field by field with a warning; JSON arrays and int/bool flash_attn", () => {
  const f = parseLlamaBench(fx("llama-bench/elided-record.jsonl"));
  assert.equal(f.records.length, 1);
  const r = f.records[0];
  assert.deepEqual(
    [r.buildCommit, r.buildNumber, r.modelSizeBytes, r.modelParams, r.typeK, r.typeV, r.flashAttn, r.test, r.lenient],
    ["34af94cd", 9999, 4920733696, 8030261248, "q8_0", "q8_0", "on", "pp", true],
  );
  assert.equal(f.warnings.length, 1);
  const arr = parseLlamaBench(
    JSON.stringify([
      { build_commit: "abc1234", model_size: 100, n_prompt: 0, n_gen: 128, flash_attn: false, unknown_key: 1 },
      { build_commit: "abc1234", flash_attn: -1 },
    ]),
  );
  assert.deepEqual(
    arr.records.map((x) => [x.flashAttn, x.test]),
    [
      ["off", "tg"],
      ["auto", undefined],
    ],
  );
  assert.equal(arr.format, "json");
});

test("footprint text (real): 1024-based KB, TOTAL dirty, phys_footprint_peak; -f bytes exact", () => {
  const f = parseFootprintText(fx("footprint/text.txt"));
  const p = f.processes[0];
  assert.deepEqual([p.name, p.pid, p.footprintBytes, p.pageSize], ["rust-analyzer", 91533, 2240 * KiB, 16384]);
  assert.deepEqual(p.categories.MALLOC_SMALL, { regions: 5, dirty: 976 * KiB, clean: 0, reclaimable: 0 });
  assert.deepEqual(p.total, { regions: 411, dirty: 2240 * KiB, clean: 560 * KiB, reclaimable: 0 });
  assert.deepEqual([p.physFootprintBytes, p.physFootprintPeakBytes, p.exact], [2256 * KiB, 2320 * KiB, false]);
  const b = parseFootprintText(
    `llama-server [1234]: 64-bit    ${inline["footprint-bytes-header"]}\n\nAuxiliary data:\n    ${inline["footprint-bytes-phys"]}\n`,
  );
  assert.deepEqual(
    [b.processes[0].footprintBytes, b.processes[0].physFootprintBytes, b.processes[0].exact],
    [214434824, 214483976, true],
  );
  const err = parseFootprintText(inline["footprint-failure"]);
  assert.deepEqual(err.errors, ["Unable to analyze process with pid 418 (try as root?)"]);
});

test("footprint --json (schematic of the doc, format-filled; samples form)", () => {
  // the doc's block has ".." placeholders: it must not parse, with a warning
  assert.equal(parseFootprintJson(fx("footprint/json-schematic.txt")).warnings.length, 1);
  const doc = {
    unit: "byte",
    "bytes per unit": 1,
    errors: [],
    warnings: [],
    samples: [
      {
        start_time: {},
        processes: [
          {
            name: "llama-server",
            pid: 7,
            footprint: 1000,
            auxiliary: { phys_footprint: 1000, phys_footprint_peak: 1500 },
            categories: { "IOAccelerator (graphics)": { dirty: 600, clean: 0 } },
          },
        ],
      },
      {
        start_time: {},
        processes: [
          {
            name: "llama-server",
            pid: 7,
            footprint: 2000,
            auxiliary: { phys_footprint: 2000, phys_footprint_peak: 2500 },
            categories: { "IOAccelerator (graphics)": { dirty: 1600 }, MALLOC_LARGE: { dirty: 100 } },
          },
        ],
      },
    ],
  };
  const f = parseFootprintJson(JSON.stringify(doc));
  const p = f.processes[0];
  assert.deepEqual(
    [p.footprintBytes, p.physFootprintBytes, p.physFootprintPeakBytes, p.total!.dirty, p.exact],
    [2000, 2000, 2500, 1700, true],
  );
});

test("vmmap --summary (real header) and a region table", () => {
  const f = parseVmmap(fx("vmmap/summary.txt"));
  assert.equal(f.physFootprintBytes, Math.round(1.2 * GiB));
  assert.equal(f.physFootprintPeakBytes, Math.round(1.2 * GiB));
  assert.equal(f.resolutionBytes, Math.round(0.05 * GiB));
  const t = parseVmmap(
    [
      "Physical footprint:         9.9G",
      "Physical footprint (peak):  10.5G",
      "",
      "                                VIRTUAL RESIDENT    DIRTY  SWAPPED VOLATILE   NONVOL    EMPTY   REGION ",
      "REGION TYPE                        SIZE     SIZE     SIZE     SIZE     SIZE     SIZE     SIZE    COUNT (non-coalesced) ",
      "===========                     ======= ========    =====  ======= ========   ======    =====  ======= ",
      "IOAccelerator (graphics)          1.5G     1.5G     1.5G       0K       0K       0K       0K       12 ",
      "TOTAL                            12.0G     9.0G     2.0G     100M       0K       0K       0K      900 ",
    ].join("\n"),
  );
  assert.equal(t.physFootprintPeakBytes, Math.round(10.5 * GiB));
  assert.equal(t.regions["IOAccelerator (graphics)"].dirty, Math.round(1.5 * GiB));
  assert.equal(t.regions.TOTAL.dirty, 2 * GiB);
  assert.equal(t.regions.TOTAL.swapped, 100 * MiB);
});

test("/usr/bin/time -l (format-filled counters + real first line): bytes on macOS", () => {
  const f = parseTimeL(`${inline["time-l-first-line"]}\n${fx("time-l/counters.txt")}`);
  assert.deepEqual([f.realSeconds, f.userSeconds, f.sysSeconds], [102.76, 100.43, 2.23]);
  assert.equal(f.maxRssBytes, 123456789);
  assert.equal(f.peakFootprintBytes, 987654321);
  assert.equal(f.counters["instructions retired"].value, 12345678901);
  // a Linux/FreeBSD `time -l` prints kilobytes: a value this small is not taken as bytes
  const k = parseTimeL(
    "        1.00 real         0.50 user         0.10 sys\n             8880000  maximum resident set size\n",
  );
  assert.equal(k.maxRssBytes, undefined);
  assert.equal(k.warnings.length, 1);
});

test("GNU time -v (real) and the H100 file", () => {
  const f = parseTimeV(fx("time-v/example.txt"));
  assert.equal(f.maxRssBytes, 10624 * KiB);
  assert.equal(f.elapsedSeconds, 41.09);
  assert.equal(f.exitStatus, 0);
  assert.equal(f.command, "...");
  const h = parseTimeV(readFileSync(join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "time-v.txt"), "utf8"));
  assert.equal(h.maxRssBytes, 9093716 * KiB);
  assert.equal(h.maxRssLine, 10);
  assert.equal(parseTimeV("10624\n").maxRssBytes, 10624 * KiB, "-f %M");
});

test("nvidia-smi CSV (real examples): GPU level, per process, multi-field, no header refused", () => {
  const g = parseNvidiaSmiCsv(fx("nvidia-smi/query-gpu.txt"));
  assert.equal(g.kind, "gpu");
  assert.equal(g.gpus["0"].usedPeak!.mib, 1234);
  const a = parseNvidiaSmiCsv(fx("nvidia-smi/query-apps.txt"));
  assert.equal(a.kind, "apps");
  assert.equal(a.apps["2624394"].peak.bytes, 164 * MiB);
  const m = parseNvidiaSmiCsv(`${inline["nvidia-smi-multi-header"]}\n${inline["nvidia-smi-multi-row"]}\n`);
  assert.equal(m.gpus["0"].usedPeak!.mib, 77537);
  const none = parseNvidiaSmiCsv("pid, used_gpu_memory [MiB]\nNo running processes found\n");
  assert.equal(none.noProcesses, true);
  const noheader = parseNvidiaSmiCsv("1234\n1300\n");
  assert.equal(noheader.samples, 0);
  assert.equal(noheader.warnings.length, 1);
  const comma = parseNvidiaSmiCsv("pid, process_name, used_gpu_memory [MiB]\n42, /opt/a, b/llama-server, 512 MiB\n");
  assert.deepEqual([comma.apps["42"].name, comma.apps["42"].peak.mib], ["/opt/a, b/llama-server", 512]);
});

test("nvidia-smi on the H100 files: peak over the samples, idle baseline, reserved memory", () => {
  const d = parseNvidiaSmiCsv(
    readFileSync(join(H100, "qwen3-14b-q4km_ctx-131072_k-q8_0_v-q4_0_fa-on", "nvidia-smi.csv"), "utf8"),
  );
  assert.equal(d.gpus["0"].usedPeak!.mib, 17777); // README: nvidia-smi peak − baseline 17777
  assert.equal(d.gpus["0"].totalMiB, 81559);
  const idle = parseNvidiaSmiCsv(readFileSync(join(H100, "baseline", "nvidia-smi-idle-query.csv"), "utf8"));
  assert.deepEqual(
    [idle.gpus["0"].usedPeak!.mib, idle.gpus["0"].reservedMiB, idle.gpus["0"].name, idle.gpus["0"].driverVersion],
    [0, 480, "NVIDIA H100 80GB HBM3", "580.159.04"],
  );
});

test("memprobe stdout and log lines (H100)", () => {
  const dir = join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on");
  const s = parseMemprobe(readFileSync(join(dir, "memprobe-stdout.txt"), "utf8"));
  assert.deepEqual(
    s.buffers.map((b) => [b.buft, b.model, b.context, b.compute]),
    [
      ["CUDA_Host", 0, 0, 23083008],
      ["CUDA0", 8558218240, 335544320, 321650688],
      ["CPU_Mapped", 437575680, 0, 0],
    ],
  );
  assert.equal(s.result!.model_size, 8995793920);
  assert.equal(peakStageUse(s)!.usedBytes, 9859563520);
  const l = parseMemprobe(readFileSync(join(dir, "llama.log"), "utf8"));
  assert.deepEqual(
    [l.requested!.n_ctx, l.requested!.type_k, l.requested!.flash_attn, l.requested!.n_gpu_layers],
    ["2048", "f16", "on", "-1"],
  );
  assert.equal(l.stages.find((x) => x.stage === "filled")!.usedBytes, 9402 * MiB);
});

test("tool detection from content (and refusing what no parser knows)", () => {
  const cases: [string, string, string | undefined][] = [
    ["llama-cpp/kv-current.log", "x.log", "llama.cpp"],
    ["ollama/offload-old.log", "server.log", "ollama"],
    ["ollama/memory-lines.log", "server.log", "ollama"],
    ["ollama-ps/ps.txt", "ps.txt", "ollama-ps"],
    ["llama-bench/elided-record.jsonl", "b.jsonl", "llama-bench"],
    ["footprint/text.txt", "fp.txt", "footprint"],
    ["vmmap/summary.txt", "vm.txt", "vmmap"],
    ["time-l/counters.txt", "t.txt", "time-l"],
    ["time-v/example.txt", "t.txt", "time-v"],
    ["nvidia-smi/query-gpu.txt", "smi.csv", "nvidia-smi"],
    ["nvidia-smi/query-apps.txt", "smi.csv", "nvidia-smi"],
  ];
  for (const [file, name, tool] of cases) assert.equal(detectTool(fx(file), name), tool, file);
  assert.equal(detectTool("hello world\nthis is not a log\n", "x.log"), undefined);
  assert.equal(detectTool('{"points": []}', "run.json"), "run-json");
  assert.equal(detectTool('{"n_ctx": 1}', "case.json"), "case-json");
});
