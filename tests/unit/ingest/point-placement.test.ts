/**
 * Placement flags in a run point's config (src/schemas/run-point.ts: tensor_overrides, cpu_moe,
 * n_cpu_moe, load_mode): ingested from case.json, part of what makes two points different, used by
 * the cross-check (one-device totals not applicable, with the flags as the reason) and by the
 * placement table; hostile values refused by the schema, naming the field.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ingest } from "../../../scripts/ingest/index.ts";
import { configKey } from "../../../scripts/ingest/points/config.ts";
import { crossCheck } from "../../../src/lib/runs/crosscheck.ts";
import { placementRows } from "../../../src/lib/reports/placement-table.ts";
import { PointConfigSchema, RunSchema, type Run } from "../../../src/schemas/run.ts";
import { REPO, rm, tempDataDir, tempDir } from "./helpers.ts";

const ID = "2026-12-06-gpt-oss-reduced-geometry-h100-placement-llama-cpp-cuda";
const RAW = join(REPO, "data", "raw", ID);
const stored = (): Run => RunSchema.parse(JSON.parse(readFileSync(join(REPO, "data", "runs", `${ID}.json`), "utf8")));
const MiB = 1024 * 1024;

test("case.json placement flags become the point's config, and tell points apart", async () => {
  const data = tempDataDir();
  try {
    const rep = await ingest([RAW], { dataDir: data });
    assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    const run = RunSchema.parse(JSON.parse(readFileSync(join(data, "runs", `${ID}.json`), "utf8")));
    const cfg = (id: string) => run.points.find((p) => p.id === id)!.config;
    assert.deepEqual(cfg("g-ot-exps").tensor_overrides, [{ pattern: "blk\\.(8|9|10|11)\\.ffn_.*_exps", buft: "CPU" }]);
    assert.equal(cfg("g-ncmoe-4").n_cpu_moe, 4);
    assert.equal(cfg("g-cmoe-none").cpu_moe, true);
    assert.equal(cfg("g-cmoe-none").load_mode, "none");
    assert.equal(cfg("g-all").tensor_overrides, undefined);
    assert.equal(run.points.find((p) => p.id === "g-ncmoe-4")!.config_sources.n_cpu_moe, "case.json");
    const keys = new Set(run.points.map((p) => configKey(p)));
    assert.equal(keys.size, run.points.length);
  } finally {
    rm(data);
  }
});

test("hostile placement flags are refused with the field's path; nothing is written", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const dir = join(tmp, ID);
    cpSync(RAW, dir, { recursive: true });
    const cj = join(dir, "g-ot-exps", "case.json");
    const j = JSON.parse(readFileSync(cj, "utf8"));
    j.placement.overrides = [{ pattern: "blk.(8", buft: "CPU" }];
    writeFileSync(cj, JSON.stringify(j));
    const rep = await ingest([dir], { dataDir: data });
    assert.equal(rep.ok, false);
    assert.match(rep.errors.map((e) => e.format()).join("\n"), /tensor_overrides.*regular expression/);
    assert.equal(existsSync(join(data, "runs", `${ID}.json`)), false);
  } finally {
    rm(data);
    rm(tmp);
  }
  const bad = [
    { tensor_overrides: Array.from({ length: 65 }, () => ({ pattern: "x", buft: "CPU" })) },
    { tensor_overrides: [{ pattern: "x".repeat(257), buft: "CPU" }] },
    { n_cpu_moe: 4097 },
    { n_cpu_moe: -1 },
    { load_mode: "swap" },
    { cpu_moe: "yes" },
  ];
  for (const b of bad) assert.equal(PointConfigSchema.safeParse(b).success, false, JSON.stringify(b).slice(0, 60));
});

test("the cross-check compares KV everywhere and leaves placement-dependent totals to the placement engine", () => {
  const check = crossCheck(stored(), (r) => r.model.architecture!);
  const pc = (id: string) => check.points.find((p) => p.point === id)!;
  for (const id of ["g-all", "g-ncmoe-4", "g-cmoe-none", "g-ot-exps"])
    assert.ok(
      pc(id).comparisons.some((c) => c.metric === "kv_bytes" && c.exact_match),
      id,
    );
  assert.ok(pc("g-all").comparisons.some((c) => c.metric === "compute_bytes"));
  assert.match(pc("g-ncmoe-4").not_applicable![0].reason, /--n-cpu-moe 4/);
  assert.match(pc("g-ot-exps").not_applicable![0].reason, /-ot blk/);
  assert.match(pc("g-cmoe-none").not_applicable![0].reason, /--cpu-moe/);
});

test("the placement table reads the flags from the point: host weights equal llama.cpp's buffers", () => {
  const run = stored();
  const rows = placementRows(run, run.model.architecture!, { name: "llama.cpp", revision: "current" }, () => ({}));
  for (const p of rows) {
    assert.equal(p.error, null, p.pointId);
    for (const r of p.rows) {
      const w = r.cells.weights;
      if (w.measured !== null)
        assert.equal((w.calculated! / MiB).toFixed(2), (w.measured / MiB).toFixed(2), `${p.pointId} ${r.buffer}`);
    }
  }
  const host = rows.find((p) => p.pointId === "g-cmoe-none")!.rows.find((r) => r.buffer === "CUDA_Host")!;
  assert.ok(host.cells.weights.measured! > 300 * MiB);
});
