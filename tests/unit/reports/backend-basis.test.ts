/**
 * The methodology report's per-backend table (src/lib/reports/backend-basis.ts) is computed from
 * the engine and the fixtures: every catalog preset gets exact Q4_K_M weights, and the CPU figures
 * are the compute fixtures' own fit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { backendBasis } from "../../../src/lib/reports/backend-basis.ts";
import { computeFitCases } from "../../../src/lib/engine/compute-fit.ts";
import { METAL_RANGE } from "../../../src/lib/engine/compute/metal.ts";
import { ComputeFixtureSchema } from "../../../src/schemas/compute-fixture.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { REPO_ROOT } from "../../helpers/engine.ts";

const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const models = readdirSync(join(REPO_ROOT, "data/models"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => ModelSchema.parse(json(join(REPO_ROOT, "data/models", f))).architecture);
const dir = join(REPO_ROOT, "tests/fixtures/compute");
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ComputeFixtureSchema.parse(json(join(dir, f))));

test("every catalog preset has exact Q4_K_M weights; the CPU figures are the fixtures' fit", () => {
  const b = backendBasis(models, fixtures);
  assert.equal(b.presets, models.length);
  assert.equal(b.weightsExact, b.presets);
  const cases = fixtures.flatMap((f) => computeFitCases(f));
  assert.equal(b.cpuCases, cases.length);
  assert.ok(b.cpuWithin10 >= 0.95 * b.cpuCases);
  assert.ok(b.cpuWorst <= 0.25);
  assert.equal(b.cpuArchs, new Set(fixtures.map((f) => f.arch)).size);
  assert.deepEqual([b.metalLow, b.metalHigh], [METAL_RANGE.low, METAL_RANGE.high]);
});

test("an architecture the builder cannot size counts as not exact", () => {
  const [first] = models;
  const broken = ArchitectureSchema.parse({ ...first, feed_forward_length: null, expert_feed_forward_length: null });
  const b = backendBasis([first, broken], []);
  assert.equal(b.presets, 2);
  assert.equal(b.weightsExact, 1);
});
