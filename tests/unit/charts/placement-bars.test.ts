/**
 * The placement bars: one bar per side (llama.cpp, engine) and configuration, stacked by buffer,
 * rendered from fixed hand-made inputs and compared with a reviewed snapshot
 * (tests/fixtures/charts/placement-bars.svg; `UPDATE_SNAPSHOTS=1` rewrites it).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { placementBarsChart } from "../../../src/charts/placement-bars.ts";
import { renderPlotToString } from "../../../src/charts/render.ts";
import { MiB } from "../../../src/lib/units.ts";
import { matchesSnapshot } from "../../helpers/snapshot.ts";

const rows = [
  { config: "all", buffer: "CUDA0", measured: 1800 * MiB, calculated: 1820 * MiB },
  { config: "all", buffer: "CPU_Mapped", measured: 300 * MiB, calculated: 300 * MiB },
  { config: "half", buffer: "CUDA0", measured: 1200 * MiB, calculated: 1210 * MiB },
  { config: "half", buffer: "CPU", measured: 220 * MiB, calculated: 220 * MiB },
  { config: "half", buffer: "CPU_Mapped", measured: 700 * MiB, calculated: null },
];

test("placement bars: a bar per side and configuration, one segment per buffer present", () => {
  const o = placementBarsChart(rows);
  const svg = renderPlotToString({ ...o, ariaLabel: "placement" });
  // 5 measured segments + 4 engine segments (the null engine figure draws nothing)
  assert.equal((svg.match(/<rect x=[^>]*fill=/g) ?? []).length, 9);
  assert.deepEqual(o.fy?.domain, ["all", "half"]);
  assert.deepEqual(o.color?.domain, ["CUDA0", "CPU_Mapped", "CPU"]);
  assert.ok(svg.includes("CPU_Mapped") && svg.includes("llama.cpp") && svg.includes("engine"));
  matchesSnapshot(svg, "charts", "placement-bars.svg");
});

test("placement bars: no rows draw an empty chart, not a crash", () => {
  const o = placementBarsChart([]);
  assert.deepEqual(o.fy?.domain, []);
  assert.ok(renderPlotToString({ ...o, ariaLabel: "empty" }).includes("<svg"));
});
