/**
 * The CPU compute buffer against llama.cpp's own graph reservations: every case of
 * tests/fixtures/compute/*.json (llama-fit-params in no-allocation mode on zero-weight GGUFs of real
 * catalog geometries, llama.cpp de3ff81) is sized by the engine with backend "cpu". The engine must
 * be within ±10 % of llama.cpp on at least 95 % of the cases and within ±25 % on every one. The
 * per-geometry error table is printed.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { computeFitCases, computeFitSummary } from "../../../src/lib/engine/compute-fit.ts";
import { CPU_CALIBRATED_ARCHS } from "../../../src/lib/engine/compute/cpu-calibrated.ts";
import { ComputeFixtureSchema } from "../../../src/schemas/compute-fixture.ts";
import { REPO_ROOT } from "../catalog/fixture.ts";

const DIR = join(REPO_ROOT, "tests", "fixtures", "compute");
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ComputeFixtureSchema.parse(JSON.parse(readFileSync(join(DIR, f), "utf8"))));

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

describe("CPU compute buffer against llama.cpp no-allocation reservations (tests/fixtures/compute)", () => {
  const perFixture = fixtures.map((f) => ({ f, rows: computeFitCases(f) }));
  const rows = perFixture.flatMap((x) => x.rows);

  it("covers the catalog's architecture families with real geometries, all recorded at de3ff81", () => {
    const archs = new Set(fixtures.map((f) => f.arch));
    assert.ok(archs.size >= 10, `${archs.size} architectures: ${[...archs].join(", ")}`);
    assert.ok(rows.length >= 600, `${rows.length} cases`);
    for (const f of fixtures) {
      assert.equal(f.llama_cpp.commit, "de3ff815ea7d559ee917f063901b8986f038abc6", f.geometry);
      assert.ok(
        f.cases.every((c) => c.ok),
        `${f.geometry}: every configuration reserved`,
      );
    }
  });

  it("calls CPU compute calibrated for exactly the architectures the fixtures cover", () => {
    assert.deepEqual([...CPU_CALIBRATED_ARCHS].sort(), [...new Set(fixtures.map((f) => f.arch))].sort());
  });

  it("is within ±10 % on at least 95 % of the cases and within ±25 % on all", () => {
    const lines = ["geometry                 cases  ≤10 %  mean |err|  worst"];
    for (const { f, rows: rs } of perFixture) {
      const s = computeFitSummary(f, rs);
      lines.push(
        `${s.geometry.padEnd(24)} ${String(s.cases).padStart(5)} ${String(s.within10).padStart(6)} ${pct(s.meanAbsErr).padStart(10)}  ${pct(s.worst.err)} (${s.worst.id})`,
      );
    }
    console.log(lines.join("\n"));
    const within10 = rows.filter((r) => Math.abs(r.err) <= 0.1).length;
    assert.ok(
      within10 >= 0.95 * rows.length,
      `${within10} of ${rows.length} within ±10 % (${pct(within10 / rows.length)})`,
    );
    assert.deepEqual(
      rows.filter((r) => Math.abs(r.err) > 0.25).map((r) => `${r.geometry}/${r.id}: ${pct(r.err)}`),
      [],
      "cases outside ±25 %",
    );
  });
});
