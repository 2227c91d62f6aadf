/**
 * The cross-check's rules beyond the KV table: what a point's outcome means (a case that did not
 * fit is a result, not a measurement), the process baseline subtracted from peak RSS, and the
 * one-sided ceiling rule restricted to calculations that are exact or calibrated.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ingest } from "../../../scripts/ingest/index.ts";
import { caseStatus } from "../../../scripts/ingest/points/config.ts";
import { parseMemprobe, preLoadProc } from "../../../scripts/ingest/parsers/memprobe.ts";
import { CROSSCHECK_TABLE, ceilingRuleText, comparedValue, crossCheck } from "../../../src/lib/runs/crosscheck.ts";
import { runViews } from "../../../src/lib/runs/run-view.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { RunSchema, type Run } from "../../../src/schemas/run.ts";
import { qwen3Run } from "../../helpers/run-fixture.ts";
import { H100, REPO, readJson, rm, tempDataDir, tempDir } from "./helpers.ts";

const MiB = 1048576;
const qwen3 = ModelSchema.parse(readJson(join(REPO, "data/models/qwen3-14b.json"))).architecture;
const rwkv7 = ArchitectureSchema.parse(readJson(join(REPO, "tests/fixtures/engine/rwkv7-2.9b.json")));

test("case.json outcome: did-not-fit is a result (wins over exit_code), failed otherwise, ok untouched", () => {
  assert.deepEqual(caseStatus({ status: "did-not-fit", exit_code: 1, message: "failed to allocate buffer" }), {
    status: "did-not-fit",
    note: "case.json: did not fit: failed to allocate buffer",
  });
  assert.equal(caseStatus({ status: "failed", exit_code: 1 })!.status, "failed");
  assert.equal(caseStatus({ exit_code: 137 })!.status, "failed", "the H100 layout states only exit_code");
  assert.equal(caseStatus({ status: "ok", exit_code: 3 })!.status, "failed", "a non-zero exit is never ok");
  assert.equal(caseStatus({ status: "ok", exit_code: 0 }), null);
  assert.equal(caseStatus({ exit_code: 0 }), null);
});

test("a profile folder with a step that did not fit: that point is did-not-fit, not measured, not compared", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const root = join(tmp, "run");
    mkdirSync(root);
    writeFileSync(
      join(root, "run.json"),
      JSON.stringify({
        title: "dnf",
        date: "2026-11-26",
        model: { preset: "qwen3-14b" },
        runtime: { engine: "llama.cpp", backend: "cuda", profile: { name: "llama.cpp", revision: "current" } },
      }),
    );
    const src = join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on");
    const caseDir = (name: string, caseJson: Record<string, unknown>, logLines?: number) => {
      const d = join(root, name);
      mkdirSync(d);
      for (const f of ["memprobe-stdout.txt", "time-v.txt"]) copyFileSync(join(src, f), join(d, f));
      const log = readFileSync(join(src, "llama.log"), "utf8");
      writeFileSync(join(d, "llama.log"), logLines ? `${log.split("\n").slice(0, logLines).join("\n")}\n` : log);
      writeFileSync(join(d, "case.json"), JSON.stringify({ ...readJson<object>(join(src, "case.json")), ...caseJson }));
    };
    caseDir("a_ctx-2048_k-f16_v-f16_fa-on", {});
    // the KV cache was allocated (size line, log line 137), the compute buffers were not
    caseDir(
      "b_ctx-2048_k-f16_v-f16_fa-on_np-2",
      {
        status: "did-not-fit",
        exit_code: 1,
        message: "did not fit during context creation: failed to allocate compute pp buffers",
      },
      137,
    );
    caseDir("c_ctx-2048_k-f16_v-f16_fa-on_np-3", { exit_code: 1 });
    const rep = await ingest([root], { dataDir: data });
    assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    const [file] = readdirSync(join(data, "runs"));
    const run = RunSchema.parse(readJson(join(data, "runs", file)));
    const by = (id: string) => run.points.find((p) => p.id.startsWith(id))!;
    assert.equal(by("a_").status, "ok");
    assert.ok(by("a_").measured.kv_bytes);

    const dnf = by("b_");
    assert.equal(dnf.status, "did-not-fit");
    assert.deepEqual(dnf.measured, {}, "readings up to the failed allocation are not measurements");
    assert.ok(
      dnf.notes.includes(
        "case.json: did not fit: did not fit during context creation: failed to allocate compute pp buffers",
      ),
    );
    // the 320.00 MiB KV size line and time -v's 9093716 KiB (its time-v.txt) are kept in words; the cache row stays
    const partial = dnf.notes.find((n) => n.startsWith("did not fit: readings"))!;
    assert.match(partial, new RegExp(`kv_bytes ${320 * MiB} B \\(llama\\.cpp\\)`));
    assert.match(partial, new RegExp(`peak_rss_bytes ${9093716 * 1024} B \\(time-v\\)`));
    assert.equal(dnf.caches[0].bytes, 320 * MiB);

    assert.equal(by("c_").status, "failed");
    assert.ok(by("c_").notes.includes("case.json: exit_code 1"));

    const check = rep.runs[0].check!;
    assert.deepEqual(
      check.points.map((p) => p.point),
      [by("a_").id],
      "only the finished point is compared",
    );
    assert.equal(rep.runs[0].points, 3);
  } finally {
    rm(data);
    rm(tmp);
  }
});

test("pre-load RSS: before_model_load (embedded profiler) wins over its step's start; start otherwise", () => {
  // embedded profiler: the model is loaded once, its `start` is the step's own start
  const embedded = parseMemprobe(
    [
      "PROC stage=before_model_load t=0.010 VmHWM_kB=144124 VmRSS_kB=144124",
      "PROC stage=start t=0.255 VmHWM_kB=169388 VmRSS_kB=169388",
      "PROC stage=generated t=0.834 VmHWM_kB=176060 VmRSS_kB=176060",
    ].join("\n"),
  );
  const e = preLoadProc(embedded)!;
  assert.equal(e.proc.stage, "before_model_load");
  assert.equal(e.rssBytes, 144124 * 1024);
  // memprobe (H100): `start` precedes model_loaded
  const h100 = parseMemprobe(
    readFileSync(join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "memprobe-stdout.txt"), "utf8"),
  );
  const m = preLoadProc(h100)!;
  assert.equal(m.proc.stage, "start");
  assert.equal(m.proc.line, 2);
  assert.equal(preLoadProc(parseMemprobe("PROC stage=generated t=1 VmHWM_kB=5 VmRSS_kB=5")), undefined);
});

test("comparedValue subtracts a recorded baseline, adds its resolution, ignores an impossible one", () => {
  const source = { tool: "time-v" as const };
  const base = { bytes: 100 * MiB, source: { tool: "memprobe" as const }, resolution_bytes: 1024 };
  assert.deepEqual(comparedValue({ bytes: 900 * MiB, source, resolution_bytes: 512, baseline: base }), {
    bytes: 800 * MiB,
    baseline: 100 * MiB,
    resolution: 1536,
  });
  assert.deepEqual(comparedValue({ bytes: 900 * MiB, source, resolution_bytes: 512 }), {
    bytes: 900 * MiB,
    resolution: 512,
  });
  assert.deepEqual(comparedValue({ bytes: 50 * MiB, source, baseline: base }), { bytes: 50 * MiB, resolution: 0 });
});

/** One point of Qwen3-14B at 2048 f16/f16, FA on, all layers on the device, with the given measurements. */
function oneRun(backend: "cuda" | "cpu" | "metal", measured: Record<string, unknown>): Run {
  const config = { n_ctx: 2048, type_k: "f16", type_v: "f16", flash_attn: "on", n_ubatch: 512, n_gpu_layers: -1 };
  return qwen3Run({ id: `t-${backend}`, title: "t", backend, points: [{ id: "p", status: "ok", config, measured }] });
}

const reported = { tool: "reported" as const };

test("ceiling rule: CUDA compute and CPU compute of a fixture-covered architecture (calibrated) lower it; Metal and other CPU architectures are flagged only", () => {
  // H100 log, 2048 f16 FA on: CUDA0 306.75 + CUDA_Host 22.01 = 328.76 MiB of compute buffers; 30 % above
  const compute = { compute_bytes: { bytes: Math.round(328.76 * 1.3 * MiB), source: reported } };
  const cuda = crossCheck(oneRun("cuda", compute), () => qwen3);
  const cc = cuda.points[0].comparisons[0];
  assert.equal(cc.basis, "estimate");
  assert.ok(Math.abs(cc.delta_percent! - 30) < 0.01, String(cc.delta_percent));
  assert.equal(cc.lowers_ceiling, true);
  assert.equal(cuda.ceiling.lower, true);
  assert.deepEqual(cuda.ceiling.not_applied, []);

  // ten times the CUDA figure: far above whatever the estimate is
  const far = { compute_bytes: { bytes: Math.round(3287.6 * MiB), source: reported } };
  // qwen3 has CPU compute fixtures (llama.cpp's own CPU graphs): a calibrated estimate on the CPU.
  const cpu = crossCheck(oneRun("cpu", far), () => qwen3);
  assert.equal(cpu.points[0].comparisons[0].basis, "estimate");
  assert.equal(cpu.points[0].comparisons[0].lowers_ceiling, true);
  assert.equal(cpu.ceiling.lower, true);

  // Metal (any architecture) and a CPU architecture without fixtures (RWKV-7) stay uncalibrated.
  const cases = [
    ["metal", qwen3],
    ["cpu", rwkv7],
  ] as const;
  for (const [backend, arch] of cases) {
    const check = crossCheck(oneRun(backend, far), () => arch);
    const c = check.points[0].comparisons[0];
    assert.equal(c.basis, "uncalibrated estimate", backend);
    assert.ok(c.delta_percent! > 15 && c.flagged, `${backend}: ${c.delta_percent} %`);
    assert.equal(c.lowers_ceiling, false, backend);
    assert.equal(check.ceiling.lower, false, backend);
    assert.equal(check.ceiling.not_applied.length, 1, backend);
    assert.match(
      check.ceiling.not_applied[0],
      /^p: compute_bytes measured \d+ B is [0-9.]+% above .*uncalibrated estimate/,
    );
  }
});

test("ceiling rule on the CPU: exact KV still lowers it; footprint is uncalibrated everywhere", () => {
  // Qwen3-14B f16 at 2048 cells: 40 × 2 × 1024 × 2 B × 2048 = 320 MiB; 20 % above
  const kv = crossCheck(oneRun("cpu", { kv_bytes: { bytes: 384 * MiB, source: reported } }), () => qwen3);
  assert.equal(kv.points[0].comparisons[0].basis, "exact");
  assert.equal(kv.points[0].comparisons[0].delta_percent, 20);
  assert.equal(kv.ceiling.lower, true);
  const fp = crossCheck(
    oneRun("metal", { peak_footprint_bytes: { bytes: 100 * 1024 * MiB, source: { tool: "footprint" } } }),
    () => qwen3,
  );
  assert.equal(fp.points[0].comparisons[0].basis, "uncalibrated estimate");
  assert.equal(fp.points[0].comparisons[0].flagged, true);
  assert.equal(fp.ceiling.lower, false);
});

test("peak RSS is compared less its baseline; the methodology table documents baseline and ceiling decisions", () => {
  const run = oneRun("cuda", {
    peak_rss_bytes: {
      bytes: 9093684 * 1024,
      source: { tool: "time-v" },
      resolution_bytes: 512,
      baseline: { bytes: 275652 * 1024, source: { tool: "memprobe" }, resolution_bytes: 1024 },
    },
  });
  const c = crossCheck(run, () => qwen3).points[0].comparisons[0];
  assert.equal(c.measured, (9093684 - 275652) * 1024);
  assert.equal(c.baseline_bytes, 275652 * 1024);
  assert.equal(c.resolution_bytes, 1536);

  const row = (m: string) => CROSSCHECK_TABLE.find((r) => r.metric === m)!;
  assert.match(row("peak_rss_bytes").meaning, /before the model load/);
  assert.match(row("compute_bytes").basis_text, /calibrated on llama\.cpp's own CPU graphs/);
  assert.match(row("compute_bytes").basis_text, /uncalibrated estimate on Metal/);
  assert.equal(ceilingRuleText(row("kv_bytes")), "yes");
  assert.match(ceilingRuleText(row("compute_bytes")), /no for uncalibrated estimates/);
  assert.match(ceilingRuleText(row("peak_footprint_bytes")), /^no while uncalibrated/);
  assert.match(ceilingRuleText(row("peak_rss_bytes")), /^no /);
});

test("the run page's view carries the basis and the subtracted baseline of each comparison", () => {
  const run = oneRun("cpu", {
    compute_bytes: { bytes: Math.round(3287.6 * MiB), source: reported },
    peak_rss_bytes: {
      bytes: 9093684 * 1024,
      source: { tool: "time-v" },
      baseline: { bytes: 275652 * 1024, source: { tool: "memprobe" } },
    },
  });
  const [view] = runViews(
    run,
    crossCheck(run, () => qwen3),
    qwen3,
  );
  const cell = (m: string) => view.points[0].cells.find((c) => c.metric === m)!;
  // qwen3's CPU compute is calibrated on llama.cpp's own CPU graphs: 10 × above lowers the ceiling.
  assert.equal(cell("compute_bytes").basis, "estimate");
  assert.equal(cell("compute_bytes").lowersCeiling, true);
  assert.equal(cell("peak_rss_bytes").measured, (9093684 - 275652) * 1024);
  assert.equal(cell("peak_rss_bytes").baselineBytes, 275652 * 1024);
});

test("partial offload and --no-kv-offload: placement-dependent totals are not applicable, KV still exact (H100 placement run)", () => {
  const run = RunSchema.parse(
    readJson(join(REPO, "data/runs/2026-12-06-qwen3-0.6b-geometry-h100-placement-llama-cpp-cuda.json")),
  );
  const arch = ModelSchema.parse(readJson(join(REPO, "data/models/qwen3-0.6b.json"))).architecture;
  const check = crossCheck(run, () => arch);
  const at = (id: string) => check.points.find((p) => p.point === id)!;
  for (const [id, why] of [
    ["q-ngl-0", /partial offload \(-ngl 0 of 29 layers\)/],
    ["q-ngl-15", /partial offload \(-ngl 15 of 29 layers\)/],
    ["q-nkvo", /--no-kv-offload/],
  ] as const) {
    const pc = at(id);
    assert.deepEqual(
      pc.not_applicable!.map((n) => n.metric),
      ["compute_bytes", "model_bytes"],
      id,
    );
    for (const n of pc.not_applicable!) assert.match(n.reason, why, id);
    assert.ok(!pc.comparisons.some((c) => c.metric === "compute_bytes" || c.metric === "model_bytes"), id);
    const kv = pc.comparisons.find((c) => c.metric === "kv_bytes")!;
    assert.equal(kv.exact_match, true, `${id}: KV total is placement-independent`);
  }
  // every layer on the GPU: the one-device total is compared, and matches the CUDA buffers exactly
  const all = at("q-all");
  assert.equal(all.not_applicable, undefined);
  assert.equal(all.comparisons.find((c) => c.metric === "compute_bytes")!.exact_match, true);
  assert.equal(check.ceiling.lower, false);
  const view = runViews(run, check, arch)[0];
  const cell = view.points.find((p) => p.id === "q-ngl-0")!.cells.find((c) => c.metric === "compute_bytes")!;
  assert.equal(cell.flag, "not-applicable");
  assert.match(cell.reason!, /placement engine/);
});
