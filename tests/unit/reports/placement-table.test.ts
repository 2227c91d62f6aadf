/**
 * The placement report's table against the H100 placement run (llama.cpp de3ff81, CUDA): every
 * buffer llama.cpp printed per device (CUDA0, CUDA_Host, CPU, CPU_Mapped) beside the placement
 * engine's buffer for the point's own flags. Weights, KV and output are deterministic: equal to
 * the printed `%.2f MiB` (± 0.005 MiB) — a mapped host buffer within 0.01 MiB, as its printed size is
 * the file span from the first to the last host tensor, which depends on the file's tensor order and
 * alignment padding (the table here is built from the architecture, not read from the file); compute is a labelled estimate (±10 %); the runtime beyond
 * the buffers is the overhead estimate, labelled.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { placementRows, placePoint, pointPlacement } from "../../../src/lib/reports/placement-table.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { RunSchema } from "../../../src/schemas/run.ts";
import { REPO_ROOT } from "../../helpers/engine.ts";

const ID = "2026-12-06-qwen3-0.6b-geometry-h100-placement-llama-cpp-cuda";
const read = (p: string) => JSON.parse(readFileSync(join(REPO_ROOT, p), "utf8")) as unknown;
const run = RunSchema.parse(read(`data/runs/${ID}.json`));
const arch = ModelSchema.parse(read("data/models/qwen3-0.6b.json")).architecture;
const flagsOf = (p: string) => (read(`data/raw/${ID}/${p}/case.json`) as { placement: unknown }).placement;
const profile = { name: "llama.cpp", revision: "current" } as const;
const rows = placementRows(run, arch, profile, flagsOf);
const HALF_CENTI_MIB = 5243;

test("every point of the run is placed without error, with the buffers llama.cpp printed", () => {
  assert.deepEqual(rows.map((r) => r.pointId).sort(), [
    "q-all",
    "q-ngl-0",
    "q-ngl-15",
    "q-nkvo",
    "q-none-ngl-15",
    "q-ot-span",
    "q-ub2048",
  ]);
  for (const r of rows) assert.equal(r.error, null, r.pointId);
  const names = (id: string) => rows.find((r) => r.pointId === id)!.rows.map((x) => x.buffer);
  assert.deepEqual(names("q-ngl-15"), ["CUDA0", "CUDA_Host", "CPU", "CPU_Mapped"]);
  assert.deepEqual(names("q-none-ngl-15"), ["CUDA0", "CUDA_Host", "CPU"], "no mmap: host weights pinned");
});

test("weights, KV and output per device equal llama.cpp's printed sizes; compute within ±10 %", () => {
  for (const p of rows)
    for (const r of p.rows) {
      for (const k of ["weights", "kv", "output"] as const) {
        const c = r.cells[k];
        assert.equal(c.measured === null, c.calculated === null, `${p.pointId} ${r.buffer} ${k}: present on one side`);
        const tol = r.buffer === "CPU_Mapped" ? 2 * HALF_CENTI_MIB : HALF_CENTI_MIB;
        if (c.measured !== null)
          assert.ok(
            Math.abs(c.measured - c.calculated!) <= tol,
            `${p.pointId} ${r.buffer} ${k}: ${c.measured} vs ${c.calculated}`,
          );
        assert.equal(c.estimate, false);
      }
      const c = r.cells.compute;
      if (c.measured !== null) {
        assert.ok(Math.abs(c.calculated! / c.measured - 1) <= 0.1, `${p.pointId} ${r.buffer} compute`);
        assert.equal(c.estimate, true);
      }
    }
});

test("-ngl 0 keeps a GPU compute buffer and puts KV and output in plain CPU memory", () => {
  const p = rows.find((r) => r.pointId === "q-ngl-0")!;
  const cuda = p.rows.find((r) => r.buffer === "CUDA0")!;
  assert.equal(cuda.cells.weights.measured, null);
  assert.ok(cuda.cells.compute.measured! > 0 && cuda.cells.compute.calculated! > 0);
  const cpu = p.rows.find((r) => r.buffer === "CPU")!;
  assert.ok(cpu.cells.kv.measured! > 0 && cpu.cells.output.measured! > 0);
});

test("the runtime beyond the buffers is the labelled overhead estimate on the GPU only", () => {
  for (const p of rows) {
    const cuda = p.rows.find((r) => r.buffer === "CUDA0")!;
    assert.ok(cuda.cells.runtime.measured! > 0 && cuda.cells.runtime.calculated! > 0, p.pointId);
    assert.equal(cuda.cells.runtime.estimate, true);
    assert.equal(cuda.total.estimate, true);
    for (const r of p.rows.filter((x) => x.buffer !== "CUDA0")) assert.equal(r.cells.runtime.calculated, null);
  }
});

test("a point without a device total, or with hostile flags, fails with the reason, not a crash", () => {
  const p = run.points[0];
  assert.throws(() => pointPlacement({ ...p, memory_breakdown: [] }, {}), /no device total/);
  const bad = placePoint(run, p, arch, profile, { n_cpu_moe: -1 });
  assert.match(bad.error!, /n_cpu_moe/);
  const missing = placementRows(run, { error: "no architecture" }, profile, flagsOf);
  assert.ok(missing.every((r) => r.error === "no architecture" && r.rows.length === 0));
});
