import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { RunSchema } from "../../../src/schemas/run.ts";
import { reduceRun } from "../../../src/lib/calculator/catalog.ts";
import { geometry, measuredMarks, runMatches } from "../../../src/lib/calculator/measured.ts";
import { computeView } from "../../../src/lib/calculator/view.ts";
import { DEFAULT_STATE } from "../../../src/lib/calculator/state.ts";
import { loadCatalog, REPO } from "./load-catalog.ts";

const FIXTURE = path.join(REPO, "tests/fixtures/calculator/run-qwen3.5-27b-fixture.json");
const catalog = loadCatalog();
const qwen = catalog.models.find((m) => m.id === "qwen3.5-27b")!;
const arch = ArchitectureSchema.parse(qwen.architecture);

test("the fixture run is a valid run in the ingest schema", () => {
  assert.equal(RunSchema.safeParse(JSON.parse(readFileSync(FIXTURE, "utf8"))).success, true);
});

test("measured points are compared with the engine at their own configuration", () => {
  const run = reduceRun(RunSchema.parse(JSON.parse(readFileSync(FIXTURE, "utf8"))));
  const { marks, skipped } = measuredMarks({ run, arch, chartPool: "total", colourOf: () => "#000" });
  assert.deepEqual(skipped, []);
  assert.equal(marks.length, 3);
  // 8192 cells, 16 layers, K q8_0 1088 B + V turbo4 544 B per cell and layer = 213,909,504 B.
  const m8 = marks.find((m) => m.ctx === 8192)!;
  assert.equal(m8.calcBytes, 16 * 8192 * 1632);
  assert.ok(Math.abs(m8.deltaPct - ((220_000_000 - 213_909_504) / 213_909_504) * 100) < 1e-9);
  // f16 K and V: 16 layers × 16384 cells × 2 × 1024 × 2 B.
  const f16 = marks.find((m) => m.ctx === 16384)!;
  assert.equal(f16.calcBytes, 16 * 16384 * 4096);
  assert.match(f16.title, /Run: Fixture: qwen3\.5-27b KV sizes/);
  assert.match(f16.title, /Tool: llama\.cpp/);
  assert.match(f16.title, /Build: TheTom\/llama-cpp-turboquant \(fixture\)/);
  assert.match(f16.title, /Delta: \+2\.45 %/);
  // On the total chart the point sits at the calculated total with the measured KV in place of the engine's.
  const v = computeView({ state: { ...DEFAULT_STATE, ctx: 8192 }, catalog, loaded: null, extraRuns: [] });
  assert.equal(m8.bytes, v.c.total + (220_000_000 - 213_909_504));
});

test("runs match by preset, or by the same arch and KV geometry; a sibling of another size does not", () => {
  const run = reduceRun(RunSchema.parse(JSON.parse(readFileSync(FIXTURE, "utf8"))));
  const g = geometry(arch);
  assert.ok(g);
  assert.equal(g.kvPerTokenF16, 16 * 2 * 1024 * 2);
  assert.equal(runMatches(run, "qwen3.5-27b", g, null), true);
  assert.equal(runMatches({ ...run, modelId: null }, "qwen3.5-27b", g, arch), true, "same geometry");
  const other = ArchitectureSchema.parse(catalog.models.find((m) => m.id === "qwen3.5-9b")!.architecture);
  assert.equal(runMatches({ ...run, modelId: null }, "qwen3.5-27b", g, other), false);
  assert.equal(runMatches({ ...run, modelId: "qwen3.5-9b" }, "qwen3.5-27b", g, null), false);
});
