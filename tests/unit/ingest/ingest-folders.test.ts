/**
 * `npm run ingest` of folders and files: gzip of large raw files and --reparse, file-name grouping,
 * the cross-check table and the one-sided ceiling rule, unicode names, an Apple Metal run folder.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ingest, reparse } from "../../../scripts/ingest/index.ts";
import { CROSSCHECK_TABLE } from "../../../src/lib/runs/crosscheck.ts";
import { H100, rm, tempDataDir, tempDir } from "./helpers.ts";
import { MiB, onlyRun } from "./run-helpers.ts";

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
