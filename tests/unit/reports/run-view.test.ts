import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { crossCheck } from "../../../src/lib/runs/crosscheck.ts";
import { flagOf, pointSeries, runViews } from "../../../src/lib/runs/run-view.ts";
import { kvPair, summarizeRun } from "../../../src/lib/runs/run-summary.ts";
import { measuredKv, seedRows } from "../../../src/lib/reports/seed-table.ts";
import { gpuRows, part } from "../../../src/lib/reports/gpu-holds.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import type { Run } from "../../../src/schemas/run.ts";
import { qwen3Run } from "../../helpers/run-fixture.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";
import { MiB } from "../../../src/lib/units.ts";

const qwen3 = ModelSchema.parse(JSON.parse(readFileSync(path.join(REPO_ROOT, "data/models/qwen3-14b.json"), "utf8")));
const src = { tool: "reported" as const };

// Qwen3-14B: 40 layers × 8 KV heads × 128 = 1024 values per K or V row.
// f16 at 2048 cells: 40 × 2 × 1024 × 2 B × 2048 = 320 MiB. q8_0 at 8192: 40 × 2 × 1088 B × 8192 = 680 MiB.
function makeRun(over: Partial<Record<string, unknown>> = {}): Run {
  const points = [
    {
      id: "a",
      status: "ok",
      config: { n_ctx: 2048, type_k: "f16", type_v: "f16", flash_attn: "on" },
      measured: { kv_bytes: { bytes: 320 * MiB, source: src, resolution_bytes: 5243 } },
      buffers: [
        { component: "kv", device: "CUDA0", host: false, bytes: 320 * MiB, source: src },
        { component: "unaccounted", device: "CUDA0", host: false, bytes: 614 * MiB, source: src },
      ],
    },
    {
      id: "b",
      status: "ok",
      config: { n_ctx: 8192, type_k: "q8_0", type_v: "q8_0", flash_attn: "on" },
      // 30 % above the 680 MiB the engine calculates: flagged, lowers the ceiling.
      measured: { kv_bytes: { bytes: Math.round(680 * 1.3 * MiB), source: src, resolution_bytes: 5243 } },
    },
    { id: "c", status: "did-not-fit", config: { n_ctx: 131072, type_k: "f16", type_v: "f16", flash_attn: "off" } },
  ];
  const run = { id: "2026-01-01-test", date: "2026-01-01", title: "test run", backend: "cuda", points };
  return qwen3Run({ ...run, hardware: { description: "test machine" } }, over);
}

const arch = qwen3.architecture;

test("a run's view: exact KV, a >15 % over point flagged and lowering the ceiling, an unfinished point", () => {
  const run = makeRun();
  const check = crossCheck(run, () => arch);
  const [view] = runViews(run, check, arch);
  assert.deepEqual(view.metrics, ["kv_bytes"]);
  const a = view.points.find((p) => p.id === "a")!;
  assert.equal(a.cells[0].calculated, 320 * MiB);
  assert.equal(a.cells[0].flag, "exact");
  const b = view.points.find((p) => p.id === "b")!;
  assert.equal(b.cells[0].calculated, 680 * MiB);
  assert.equal(b.cells[0].flag, "over");
  assert.equal(b.cells[0].lowersCeiling, true);
  assert.ok(Math.abs((b.cells[0].deltaPct ?? 0) - 30) < 0.01);
  const c = view.points.find((p) => p.id === "c")!;
  assert.equal(c.status, "did-not-fit");
  assert.equal(c.cells[0].flag, "not-measured");
  assert.equal(check.ceiling.lower, true);
});

test("flag names the direction of a large delta", () => {
  const base = {
    metric: "kv_bytes",
    component: "kv.bytes",
    measured: 0,
    calculated: 100,
    basis: "exact",
    delta_percent: 0,
    resolution_bytes: 0,
    exact_expected: true,
    lowers_ceiling: false,
  } as const;
  assert.equal(flagOf({ ...base, delta_bytes: 0, exact_match: true, flagged: false }), "exact");
  assert.equal(flagOf({ ...base, delta_bytes: 10, exact_match: false, flagged: false }), "within");
  assert.equal(flagOf({ ...base, delta_bytes: 20, exact_match: false, flagged: true }), "over");
  assert.equal(flagOf({ ...base, delta_bytes: -20, exact_match: false, flagged: true }), "under");
});

test("series and K/V labels come from the point's own config, '?' where it is silent", () => {
  const run = makeRun();
  assert.equal(pointSeries(run.points[0]), "f16/f16 FA on");
  assert.equal(pointSeries(run.points[2]), "f16/f16 FA off");
  assert.equal(kvPair({}), "?/?");
  const s = summarizeRun(run, 1, { model: () => "Qwen3-14B", hardware: () => undefined });
  assert.deepEqual(s.model, { key: "qwen3-14b", label: "Qwen3-14B" });
  assert.deepEqual(s.hardware, { key: "test machine", label: "test machine" });
  assert.deepEqual(s.kv, ["f16/f16", "q8_0/q8_0"]);
  assert.equal(s.points, 3);
});

test("seed table: a context the run did not measure says so (null), the engine still calculates it", () => {
  const run = makeRun();
  const rows = seedRows(run, arch, { name: "llama.cpp", revision: "current" }, [2048, 131072], ["f16/f16"]);
  assert.equal(rows[0].cells[0].measured, 320 * MiB);
  assert.equal(rows[0].cells[0].calculated, 320 * MiB);
  assert.equal(rows[0].cells[0].delta, 0);
  // 131072 was attempted but did not fit: not a measurement. Calculated: 40 × 2 × 1024 × 2 × 131072 = 20480 MiB.
  assert.equal(rows[1].cells[0].measured, null);
  assert.equal(rows[1].cells[0].calculated, 20480 * MiB);
  assert.equal(rows[1].cells[0].delta, null);
  assert.equal(measuredKv(run, 8192, "f16/f16"), null);
});

test("GPU parts: measured buffers beside the engine's; a part nothing measured stays null", () => {
  const run = makeRun();
  const rows = gpuRows(run, arch, { name: "llama.cpp", revision: "current" });
  assert.equal(rows.length, 2, "only finished points");
  const a = rows.find((r) => r.pointId === "a")!;
  assert.equal(part(a, "kv").measured, 320 * MiB);
  assert.equal(part(a, "kv").calculated, 320 * MiB);
  assert.equal(part(a, "runtime").measured, 614 * MiB);
  assert.ok((part(a, "runtime").calculated ?? 0) > 0);
  assert.equal(part(a, "gpu_used").measured, null);
  const err = gpuRows(run, { error: "no architecture" }, { name: "llama.cpp", revision: "current" });
  assert.equal(err[0].error, "no architecture");
  assert.equal(part(err[0], "kv").calculated, null);
});
