/**
 * `npm run ingest` behaviour on temporary data dirs (never the repo's data/): the H100 folder as
 * one run of 23 points checked against its README and the engine, bare outputs with inference,
 * stdin, unit strings, unchanged / --replace / --dry-run / --json / --reparse, gzip of large raw
 * files, file-name grouping, the cross-check table and the one-sided ceiling rule, exit codes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ingest, reparse } from "../../../scripts/ingest/index.ts";
import { CROSSCHECK_TABLE } from "../../../src/lib/runs/crosscheck.ts";
import { RunSchema, type Run } from "../../../src/schemas/run.ts";
import { H100, LOG_FORMATS, readJson, rm, runCli, snapshot, tempDataDir, tempDir } from "./helpers.ts";

const MiB = 1048576;
const H100_META = {
  title: "H100 test run",
  hardware: { preset: "nvidia-h100-sxm-80gb" },
  model: { preset: "qwen3-14b" },
  runtime: { engine: "llama.cpp", llama_cpp: { build_date: "2026-09-28" } },
};

function metaFile(dir: string, doc: unknown = H100_META): string {
  const p = join(dir, "meta.json");
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

function onlyRun(dataDir: string): Run {
  const files = readdirSync(join(dataDir, "runs"));
  assert.equal(files.length, 1);
  return RunSchema.parse(readJson(join(dataDir, "runs", files[0])));
}

test("the H100 measurement folder is one run of 23 points; KV equals the engine exactly; numbers match its README", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const rep = await ingest([H100], { dataDir: data, meta: metaFile(tmp) });
    assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    const run = onlyRun(data);
    assert.equal(run.points.length, 23);
    assert.ok(
      run.points.every((p) => !p.id.startsWith("smoke_")),
      "smoke_ is not a point",
    );
    assert.equal(run.date, "2026-11-26");
    assert.equal(run.runtime.backend, "cuda");
    assert.deepEqual(run.runtime.profile, { name: "llama.cpp", revision: "current" });
    assert.equal(run.model.weights_bytes, 8995793920); // README: tensor data 8,995,793,920 bytes
    assert.equal(run.measurement.idle_gpu_baseline!.bytes, 0); // README: idle memory.used 0 MiB
    assert.equal(run.hardware.gpu!.reserved_bytes, 480 * MiB); // README: 480 MiB reserved
    assert.ok(run.inferred.includes("runtime.backend"));
    // README table: nvidia-smi peak − baseline and peak RSS (MiB, 1 decimal)
    const readme: Record<string, [number, number]> = {
      "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on": [9403, 8880.6],
      "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-off": [9559, 8880.7],
      "qwen3-14b-q4km_ctx-8192_k-f16_v-f16_fa-off": [11143, 8880.5],
      "qwen3-14b-q4km_ctx-32768_k-f16_v-f16_fa-off": [17911, 8880.5],
      "qwen3-14b-q4km_ctx-65536_k-q8_0_v-q8_0_fa-on": [14577, 8880.6],
      "qwen3-14b-q4km_ctx-131072_k-f16_v-f16_fa-on": [29563, 8880.6],
      "qwen3-14b-q4km_ctx-131072_k-q4_0_v-q4_0_fa-on": [15217, 8880.5],
    };
    for (const [id, [gpu, rss]] of Object.entries(readme)) {
      const p = run.points.find((x) => x.id === id)!;
      assert.equal(p.measured.gpu_used_bytes!.bytes, gpu * MiB, id);
      assert.ok(Math.abs(p.measured.peak_rss_bytes!.bytes / MiB - rss) <= 0.05, id);
      assert.equal(p.config_sources.n_ctx, "log");
      assert.equal(p.config.n_ctx, Number(/ctx-(\d+)/.exec(id)![1]));
    }
    // the cross-check: KV byte-exact against the engine with the run's own rules, every point
    const check = rep.runs[0].check!;
    assert.equal(check.error, undefined);
    assert.equal(check.points.length, 23);
    for (const pc of check.points) {
      assert.equal(pc.error, undefined, pc.point);
      assert.equal(pc.partial, undefined, pc.point);
      const kv = pc.comparisons.find((c) => c.metric === "kv_bytes")!;
      assert.equal(kv.delta_bytes, 0, pc.point);
      assert.equal(kv.measured, kv.calculated, pc.point);
    }
    assert.equal(check.ceiling.lower, false);
    // peak RSS is compared less the process before the model load. 131072 f16 case, read by hand:
    // time-v.txt "Maximum resident set size (kbytes): 9093684", memprobe-stdout.txt line 2
    // "PROC stage=start … VmRSS_kB=275652" ⇒ compared (9093684 − 275652) KiB = 8818032 KiB.
    const big = run.points.find((x) => x.id === "qwen3-14b-q4km_ctx-131072_k-f16_v-f16_fa-on")!;
    assert.equal(big.measured.peak_rss_bytes!.bytes, 9093684 * 1024, "the tool's figure is kept as printed");
    assert.equal(big.measured.peak_rss_bytes!.baseline!.bytes, 275652 * 1024);
    assert.deepEqual(big.measured.peak_rss_bytes!.baseline!.source, {
      tool: "memprobe",
      file: "qwen3-14b-q4km_ctx-131072_k-f16_v-f16_fa-on/memprobe-stdout.txt",
      line: 2,
      detail: "VmRSS at PROC stage=start (the process before the model load)",
    });
    const rss = check.points.find((p) => p.point === big.id)!.comparisons.find((c) => c.metric === "peak_rss_bytes")!;
    assert.equal(rss.measured, 8818032 * 1024);
    assert.equal(rss.baseline_bytes, 275652 * 1024);
    assert.equal(rss.basis, "estimate", "CUDA host memory: calibrated");
    for (const pc of check.points) {
      const c = pc.comparisons.find((x) => x.metric === "peak_rss_bytes")!;
      // before the baseline the raw peak was 1.7–3.3 % above; the runtime's ~269 MiB was the gap
      assert.ok(Math.abs(c.delta_percent!) < 1.5, `${pc.point}: peak RSS − baseline ${c.delta_percent} %`);
    }
    // raw files kept verbatim
    const raw = join(data, "raw", run.id);
    assert.equal(
      readFileSync(join(raw, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log"), "utf8"),
      readFileSync(join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log"), "utf8"),
    );
    assert.ok(existsSync(join(raw, "smoke_qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log")));
    assert.ok(existsSync(join(data, "sources", `${run.id}.meta.json`)));
    // same input again: unchanged, nothing written
    const before = snapshot(data);
    const again = await ingest([H100], { dataDir: data, meta: metaFile(tmp) });
    assert.equal(again.runs[0].action, "unchanged");
    assert.deepEqual(snapshot(data), before);
    // --reparse rebuilds from data/raw and data/sources: identical
    const rp = await reparse({ dataDir: data });
    assert.equal(rp.ok, true, rp.errors.map((e) => e.format()).join("\n"));
    assert.equal(rp.runs[0].action, "unchanged");
    assert.deepEqual(snapshot(data), before);
  } finally {
    rm(data);
    rm(tmp);
  }
});

test("a bare llama.cpp log: what it states is inferred, the rest is unknown; undated ids carry a hash", async () => {
  const data = tempDataDir();
  try {
    const log = join(H100, "qwen3-14b-q4km_ctx-8192_k-q8_0_v-q4_0_fa-on", "llama.log");
    const rep = await ingest([log], { dataDir: data });
    assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    const run = onlyRun(data);
    assert.match(run.id, /^undated-qwen3-14b-q4-k-m-h100-80gb-hbm3-llama-cpp-cuda-[0-9a-f]{8}$/);
    assert.equal(run.runtime.llama_cpp!.commit, "de3ff81");
    assert.equal(run.runtime.backend, "cuda");
    assert.equal(run.model.arch, "qwen3");
    assert.equal(run.model.ftype, "Q4_K_M");
    assert.equal(run.model.architecture!.n_head_kv, 8);
    // the formats (sched_reserve, common_memory_breakdown_print) date the build: current rules
    assert.deepEqual(run.runtime.profile, { name: "llama.cpp", revision: "current" });
    assert.equal(run.runtime.llama_cpp!.format_date_range!.from, "2026-04-21");
    for (const p of [
      "runtime.backend",
      "runtime.llama_cpp.commit",
      "model.arch",
      "model.architecture",
      "runtime.profile",
    ])
      assert.ok(run.inferred.includes(p), p);
    for (const p of ["date", "hardware.preset", "model.preset"]) assert.ok(run.unknown.includes(p), p);
    const p = run.points[0];
    assert.equal(p.n_ctx_allocated, 8192);
    assert.deepEqual([p.config.type_k, p.config.type_v, p.config.flash_attn], ["q8_0", "q4_0", "on"]);
    assert.equal(p.measured.kv_bytes!.bytes, 520 * MiB);
    assert.equal(p.measured.kv_bytes!.source.line, 137);
    // KV is deterministic: exact even with the architecture read from the log's GGUF keys
    const kv = rep.runs[0].check!.points[0].comparisons.find((c) => c.metric === "kv_bytes")!;
    assert.equal(kv.delta_bytes, 0);
  } finally {
    rm(data);
  }
});

test("standard input (-) through the CLI; --json output; exit 0", async () => {
  const data = tempDataDir();
  try {
    const text = readFileSync(join(LOG_FORMATS, "llama-cpp", "kv-current.log"));
    const r = await runCli(["--json", "--data-dir", data, "-"], text);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.ok, true);
    assert.equal(out.runs[0].action, "create");
    const run = onlyRun(data);
    assert.equal(run.points[0].measured.kv_bytes!.bytes, 512 * MiB);
    assert.equal(run.provenance.raw_files[0].original, "stdin");
  } finally {
    rm(data);
  }
});

test("run JSON with unit strings is converted explicitly (MiB binary, GB decimal, 32k tokens)", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const doc = {
      id: "units-example",
      title: "units",
      model: { preset: "qwen3-14b", weights_bytes: "8.6 GB" },
      runtime: { engine: "llama.cpp", backend: "metal", profile: { name: "llama.cpp", revision: "current" } },
      points: [
        {
          id: "p",
          config: { n_ctx: "32k", type_k: "f16", type_v: "f16" },
          measured: { kv_bytes: { bytes: "5120 MiB", source: { tool: "reported" } } },
        },
      ],
    };
    const f = join(tmp, "run.json");
    writeFileSync(f, JSON.stringify(doc));
    const rep = await ingest([f], { dataDir: data });
    assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    const run = onlyRun(data);
    assert.equal(run.model.weights_bytes, 8_600_000_000);
    assert.equal(run.points[0].config.n_ctx, 32768);
    assert.equal(run.points[0].measured.kv_bytes!.bytes, 5120 * MiB);
    assert.equal(run.points[0].config_sources.n_ctx, "reported");
    assert.deepEqual(readFileSync(join(data, "sources", "units-example.json")), readFileSync(f));
  } finally {
    rm(data);
    rm(tmp);
  }
});

test("a different input for an existing id needs --replace; --dry-run writes nothing", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const mk = (mib: number) => {
      const f = join(tmp, `r${mib}.json`);
      writeFileSync(
        f,
        JSON.stringify({
          id: "same-id",
          title: "t",
          model: { preset: "qwen3-14b" },
          runtime: { engine: "llama.cpp" },
          points: [
            {
              id: "p",
              config: { n_ctx: 2048 },
              measured: { kv_bytes: { bytes: `${mib} MiB`, source: { tool: "reported" } } },
            },
          ],
        }),
      );
      return f;
    };
    assert.equal((await runCli(["--data-dir", data, "--no-check", mk(320)])).code, 0);
    const before = snapshot(data);
    const conflict = await runCli(["--data-dir", data, "--no-check", mk(321)]);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /already exists with a different input.*--replace/);
    assert.deepEqual(snapshot(data), before);
    const dry = await runCli(["--data-dir", data, "--dry-run", "--replace", "--json", "--no-check", mk(321)]);
    assert.equal(dry.code, 0);
    assert.equal(JSON.parse(dry.stdout).runs[0].action, "replace");
    assert.equal(JSON.parse(dry.stdout).runs[0].dryRun, true);
    assert.deepEqual(snapshot(data), before);
    const rep = await runCli(["--data-dir", data, "--replace", "--no-check", mk(321)]);
    assert.equal(rep.code, 0, rep.stderr);
    assert.equal(onlyRun(data).points[0].measured.kv_bytes!.bytes, 321 * MiB);
  } finally {
    rm(data);
    rm(tmp);
  }
});

test("usage errors exit 2 and write nothing", async () => {
  const data = tempDataDir();
  try {
    const before = snapshot(data);
    assert.equal((await runCli(["--data-dir", data])).code, 2);
    assert.equal((await runCli(["--data-dir", data, "--bogus", "x"])).code, 2);
    assert.equal((await runCli(["--data-dir", data, "--meta"])).code, 2);
    assert.equal((await runCli(["--help"])).code, 0);
    assert.deepEqual(snapshot(data), before);
  } finally {
    rm(data);
  }
});

test("raw files above the cap are stored gzipped, and --reparse reads them back", async () => {
  const data = tempDataDir();
  try {
    const log = join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log");
    const rep = await ingest([log], { dataDir: data, gzipAbove: 1000 });
    assert.equal(rep.ok, true);
    const run = onlyRun(data);
    assert.equal(run.provenance.raw_files[0].gzipped, true);
    assert.ok(existsSync(join(data, "raw", run.id, "llama.log.gz")));
    const stored = readFileSync(join(data, "runs", `${run.id}.json`), "utf8");
    // damage the stored run; --reparse restores it from the gzipped raw file
    const broken = JSON.parse(stored);
    broken.points[0].notes = ["edited by hand"];
    writeFileSync(join(data, "runs", `${run.id}.json`), JSON.stringify(broken, null, 2));
    const rp = await reparse({ dataDir: data, gzipAbove: 1000 });
    assert.equal(rp.ok, true, rp.errors.map((e) => e.format()).join("\n"));
    assert.equal(rp.runs[0].action, "replace");
    assert.equal(readFileSync(join(data, "runs", `${run.id}.json`), "utf8"), stored);
  } finally {
    rm(data);
  }
});

test("run folder: run.json metadata + top-level raw files grouped by the config their names state", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const dir = join(tmp, "my run");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "run.json"),
      JSON.stringify({
        title: "folder run",
        date: "2026-01-02",
        model: { preset: "qwen3-14b" },
        hardware: { preset: "nvidia-h100-sxm-80gb" },
      }),
    );
    for (const ctx of [2048, 8192]) {
      const src = join(H100, `qwen3-14b-q4km_ctx-${ctx}_k-f16_v-f16_fa-on`);
      copyFileSync(join(src, "llama.log"), join(dir, `ctx-${ctx}.log`));
      copyFileSync(join(src, "time-v.txt"), join(dir, `ctx-${ctx}.time-v.txt`));
    }
    const rep = await ingest([dir], { dataDir: data });
    assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    const run = onlyRun(data);
    assert.equal(run.id, "2026-01-02-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda");
    assert.equal(run.points.length, 2);
    for (const p of run.points) {
      const ctx = p.n_ctx_allocated!;
      assert.ok(p.raw_files.includes(`ctx-${ctx}.time-v.txt`), `time-v attached to its context ${ctx}`);
      assert.ok(p.measured.peak_rss_bytes);
    }
  } finally {
    rm(data);
    rm(tmp);
  }
});

test("cross-check table covers every issue metric; the ceiling rule is one-sided", async () => {
  const metrics = CROSSCHECK_TABLE.map((r) => r.metric).sort();
  for (const m of [
    "kv_bytes",
    "recurrent_bytes",
    "compute_bytes",
    "gpu_used_bytes",
    "peak_rss_bytes",
    "peak_footprint_bytes",
    "dirty_bytes",
  ])
    assert.ok(metrics.includes(m as never), m);
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    // Qwen3-14B f16 KV at 2048 = 320 MiB (seed table); 20 % above and 20 % below
    const mk = (id: string, mib: number) => {
      const f = join(tmp, `${id}.json`);
      writeFileSync(
        f,
        JSON.stringify({
          id,
          title: id,
          model: { preset: "qwen3-14b" },
          runtime: { engine: "llama.cpp", backend: "cuda", profile: { name: "llama.cpp", revision: "current" } },
          points: [
            {
              id: "p",
              config: { n_ctx: 2048, type_k: "f16", type_v: "f16" },
              measured: { kv_bytes: { bytes: Math.round(mib * MiB), source: { tool: "reported" } } },
            },
          ],
        }),
      );
      return f;
    };
    const rep = await ingest([mk("above", 384), mk("below", 256), mk("exact", 320)], { dataDir: data });
    assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    const by = Object.fromEntries(rep.runs.map((r) => [r.id, r.check!]));
    const kv = (id: string) => by[id].points[0].comparisons.find((c) => c.metric === "kv_bytes")!;
    assert.equal(kv("above").delta_percent, 20);
    assert.equal(kv("above").lowers_ceiling, true);
    assert.equal(by.above.ceiling.lower, true);
    assert.equal(kv("below").delta_percent, -20);
    assert.equal(kv("below").flagged, true);
    assert.equal(kv("below").lowers_ceiling, false);
    assert.equal(by.below.ceiling.lower, false);
    assert.equal(kv("exact").exact_match, true);
    assert.equal(kv("exact").flagged, false);
  } finally {
    rm(data);
    rm(tmp);
  }
});

test("a file name with spaces and unicode is kept verbatim", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const name = "llama server – 2K ü 日本.log";
    const f = join(tmp, name);
    copyFileSync(join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log"), f);
    const rep = await ingest([f], { dataDir: data });
    assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    const run = onlyRun(data);
    assert.equal(run.provenance.raw_files[0].original, name);
    assert.deepEqual(readFileSync(join(data, "raw", run.id, name)), readFileSync(f));
  } finally {
    rm(data);
    rm(tmp);
  }
});

test("an Apple Metal run folder: backend and working set inferred, footprint ↔ dirty non-file-backed in the cross-check", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const dir = join(tmp, "mac-run");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "run.json"),
      JSON.stringify({
        title: "mac",
        date: "2026-04-01",
        model: { preset: "qwen3-14b" },
        hardware: { preset: "apple-m3-max-36gb" },
        runtime: { engine: "llama.cpp", profile: { name: "llama.cpp", revision: "current" } },
      }),
    );
    // format-filled Metal log (line formats of tests/fixtures/ingest/log-formats/llama-cpp/format-metal.txt) for Qwen3-14B at 8192 f16
    writeFileSync(
      join(dir, "ctx-8192.log"),
      [
        "ggml_metal_device_init: recommendedMaxWorkingSetSize  = 28991.03 MB",
        "llama_model_load_from_file_impl: using device MTL0 (Apple M3 Max) (unknown id) - 27647 MiB free",
        "load_tensors:   CPU_Mapped model buffer size =   417.30 MiB",
        "load_tensors:  MTL0_Mapped model buffer size =  8161.75 MiB",
        "llama_context: constructing llama_context",
        "llama_context: n_seq_max     = 1",
        "llama_context: n_ctx         = 8192",
        "llama_context: flash_attn    = enabled",
        "llama_kv_cache:       MTL0 KV buffer size =  1280.00 MiB",
        "llama_kv_cache: size = 1280.00 MiB (  8192 cells,  40 layers,  1/1 seqs), K (f16):  640.00 MiB, V (f16):  640.00 MiB",
        "sched_reserve:       MTL0 compute buffer size =   306.75 MiB",
        "sched_reserve:        CPU compute buffer size =    28.01 MiB",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "ctx-8192.time-l.txt"),
      "       40.00 real        30.00 user         2.00 sys\n          9500000000  maximum resident set size\n          2000000000  peak memory footprint\n",
    );
    writeFileSync(
      join(dir, "ctx-8192.footprint.txt"),
      "llama-server [77]: 64-bit    Footprint: 1900000000 B (16384 bytes per page)\n\nAuxiliary data:\n    phys_footprint: 1900000000 B\n",
    );
    const rep = await ingest([dir], { dataDir: data });
    assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    const run = onlyRun(data);
    assert.equal(run.runtime.backend, "metal");
    assert.equal(run.hardware.gpu_working_set_bytes, 28_991_030_000);
    const p = run.points[0];
    assert.equal(
      p.measured.peak_footprint_bytes!.bytes,
      2_000_000_000,
      "time -l lifetime maximum wins over the footprint snapshot",
    );
    assert.equal(p.measured.peak_footprint_bytes!.source.tool, "time-l");
    assert.equal(p.measured.peak_rss_bytes!.bytes, 9_500_000_000);
    const pc = rep.runs[0].check!.points[0];
    const kv = pc.comparisons.find((c) => c.metric === "kv_bytes")!;
    assert.equal(kv.delta_bytes, 0);
    const fp = pc.comparisons.find((c) => c.metric === "peak_footprint_bytes")!;
    assert.equal(fp.component, "total.bytes − weights.bytes");
  } finally {
    rm(data);
    rm(tmp);
  }
});
