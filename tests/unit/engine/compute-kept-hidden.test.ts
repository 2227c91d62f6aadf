/**
 * The CUDA compute rule for a model that keeps its final hidden state as a graph output
 * (docs/memory-model.md#compute-cuda-kept-hidden): gpt-oss puts its logits above that hidden state
 * and the result norm; with every layer on one GPU the kept state sits above the split's input
 * copies (masks included).
 * Checked against llama.cpp's own compute-buffer lines (de3ff81, CUDA, one H100): the reduced
 * gpt-oss at -c 4096 (tests/fixtures/placement/h100-runs.json) and -c 8192 (the ingested run
 * data/runs/2026-12-06-gpt-oss-reduced-geometry-h100-placement-llama-cpp-cuda.json). CUDA prints
 * MiB with two decimals: the engine must print the same.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { modelOf } from "../../fixtures/placement/models.ts";
import type { BufferLine } from "../../fixtures/placement/generate.ts";
import { placeModel } from "../../../src/lib/engine/placement/index.ts";
import { placementRows } from "../../../src/lib/reports/placement-table.ts";
import { crossCheck } from "../../../src/lib/runs/crosscheck.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { PlacementSchema } from "../../../src/schemas/placement.ts";
import { RunSchema } from "../../../src/schemas/run.ts";
import { parseCalcArgs } from "../../../scripts/calc/options.ts";

interface H100Run {
  id: string;
  model: string;
  args: string[];
  buffers: BufferLine[];
  memory_breakdown_mib: { total: number };
}
const H100 = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/placement/h100-runs.json"), "utf8")) as {
  runs: H100Run[];
};
const RUN_ID = "2026-12-06-gpt-oss-reduced-geometry-h100-placement-llama-cpp-cuda";
const stored = () => RunSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, "data/runs", `${RUN_ID}.json`), "utf8")));
const MiB = 1024 * 1024;
const mib = (bytes: number): string => (bytes / MiB).toFixed(2);

async function placeH100(id: string) {
  const run = H100.runs.find((r) => r.id === id)!;
  const { arch, tensors } = await modelOf(run.model);
  const a = parseCalcArgs([...run.args, "--devices", `cuda:${run.memory_breakdown_mib.total}MiB`]);
  const placed = placeModel(arch, RuntimeConfigSchema.parse(a.config), PlacementSchema.parse(a.placement), tensors);
  const compute = (name: string) => placed.buffers.find((b) => b.kind === "compute" && b.name === name)!.bytes;
  const measured = (name: string) => run.buffers.find((b) => b.what === "compute" && b.name === name)!.mib;
  return { arch, compute, measured };
}

test("gpt-oss, every layer on one H100 at -c 4096: CUDA0 and CUDA_Host compute as llama.cpp prints them", async () => {
  const { compute, measured } = await placeH100("g-all");
  for (const name of ["CUDA0", "CUDA_Host"]) assert.equal(mib(compute(name)), measured(name).toFixed(2), name);
});

test("gpt-oss at -c 8192 (the ingested run): the placement table's compute equals the measured lines", () => {
  const run = stored();
  const rows = placementRows(run, run.model.architecture!, { name: "llama.cpp", revision: "current" }, () => ({}));
  for (const buffer of ["CUDA0", "CUDA_Host"]) {
    const cell = rows.find((p) => p.pointId === "g-all")!.rows.find((r) => r.buffer === buffer)!.cells.compute;
    assert.equal(mib(cell.calculated!), mib(cell.measured!), buffer);
  }
});

test("gpt-oss at -c 8192: the one-device cross-check's compute total is within the log's resolution", () => {
  const check = crossCheck(stored(), (r) => r.model.architecture!);
  const c = check.points.find((p) => p.point === "g-all")!.comparisons.find((x) => x.metric === "compute_bytes")!;
  assert.ok(c.exact_match, `${c.delta_bytes} B off, resolution ${c.resolution_bytes} B`);
});

test("a graph cut into splits (experts or layers on the CPU): logits above the kept state and the result norm", async () => {
  for (const id of ["g-cmoe-none", "g-ncmoe-4"]) {
    const { arch, compute, measured } = await placeH100(id);
    assert.equal(compute("CUDA0"), (arch.vocab_size! + 2 * arch.n_embd!) * 512 * 4, id);
    // llama.cpp's line: the same within a few KiB of small inputs (66.50 and 66.53 MiB)
    assert.ok(Math.abs(measured("CUDA0") - compute("CUDA0") / MiB) <= 0.05, id);
    assert.equal(mib(compute("CUDA_Host")), measured("CUDA_Host").toFixed(2), id);
  }
});

test("the placement table: every gpt-oss CUDA0 compute within 0.05 MiB of llama.cpp's line", () => {
  const run = stored();
  const rows = placementRows(run, run.model.architecture!, { name: "llama.cpp", revision: "current" }, () => ({}));
  for (const p of rows) {
    const cell = p.rows.find((r) => r.buffer === "CUDA0")!.cells.compute;
    assert.ok(Math.abs(cell.calculated! - cell.measured!) <= 0.05 * MiB, `${p.pointId} ${mib(cell.calculated!)}`);
  }
});
