/**
 * `npm run ingest` behaviour on temporary data dirs (never the repo's data/): bare outputs with
 * inference, stdin, unit strings, unchanged / --replace / --dry-run / --json, exit codes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ingest } from "../../../scripts/ingest/index.ts";
import { H100, LOG_FORMATS, rm, runCli, snapshot, tempDataDir, tempDir } from "./helpers.ts";
import { MiB, onlyRun } from "./run-helpers.ts";

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
