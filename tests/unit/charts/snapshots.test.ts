/**
 * Every chart builder rendered to markup from fixed inputs and compared with a reviewed
 * snapshot (tests/fixtures/charts/): a change to a builder, to Plot or to the virtual DOM shows
 * up as a diff. Inputs are hand-made numbers, not engine output, so engine changes never move
 * these pictures. `UPDATE_SNAPSHOTS=1 node --test tests/unit/charts/snapshots.test.ts` rewrites.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesByContextChart } from "../../../src/charts/kv-by-context.ts";
import { measuredVsCalculatedChart } from "../../../src/charts/measured-vs-calculated.ts";
import { memoryVsContext, type MemoryChartData } from "../../../src/charts/memory-vs-context.ts";
import { renderPlotToString } from "../../../src/charts/render.ts";
import { residualChart } from "../../../src/charts/residuals.ts";
import { matchesSnapshot } from "../../helpers/snapshot.ts";
import { GiB, MiB } from "../../../src/lib/units.ts";

const CTX = [4096, 8192, 16384, 32768, 65536, 131072];

/** Fixed-shape lines: weights + KV slope per configuration. */
function line(fixed: number, perToken: number): { ctx: number; bytes: number }[] {
  return CTX.map((ctx) => ({ ctx, bytes: fixed + perToken * ctx }));
}

const memoryData: MemoryChartData = {
  series: [
    {
      key: "f16/f16",
      label: "K f16 · V f16",
      points: line(9 * GiB, 160 * 1024),
      maxCtx: 49152,
      maxBytes: 9 * GiB + 160 * 1024 * 49152,
      selected: false,
      colour: "#2563eb",
      dash: "",
    },
    {
      key: "q8_0/q8_0",
      label: "K q8_0 · V q8_0",
      points: line(9 * GiB, 85 * 1024),
      maxCtx: 92160,
      maxBytes: 9 * GiB + 85 * 1024 * 92160,
      selected: true,
      colour: "#15803d",
      dash: "4,3",
    },
  ],
  budgetBytes: 16.5 * GiB,
  budgetLabel: "16.5 GiB usable",
  current: { ctx: 32768, bytes: 9 * GiB + 85 * 1024 * 32768 },
  trainCtx: 40960,
  measured: [
    { ctx: 8192, bytes: 9.8 * GiB, calcBytes: 9.66 * GiB, deltaPct: 1.4, title: "run a · q8_0", colour: "#15803d" },
    { ctx: 65536, bytes: 15.9 * GiB, calcBytes: 14.3 * GiB, deltaPct: 11.2, title: "run b · q8_0", colour: "#15803d" },
  ],
  xDomain: [4096, 131072],
};

const CHARTS: [string, () => string][] = [
  ["memory-vs-context-total", () => renderPlotToString(memoryVsContext(memoryData, { view: "total", width: 640 }))],
  [
    "memory-vs-context-residual",
    () => renderPlotToString(memoryVsContext(memoryData, { view: "residual", width: 640 })),
  ],
  [
    "kv-by-context",
    () =>
      renderPlotToString(
        bytesByContextChart(
          [
            ...CTX.map((ctx) => ({ ctx, series: "f16", bytes: ctx * 163840 })),
            ...CTX.map((ctx) => ({ ctx, series: "q8_0", bytes: ctx * 87040 })),
            ...CTX.map((ctx) => ({ ctx, series: "q4_0", bytes: ctx * 46080 })),
          ],
          { budgetBytes: 16e9, budgetLabel: "16 GB" },
        ),
      ),
  ],
  [
    "measured-vs-calculated",
    () =>
      renderPlotToString(
        measuredVsCalculatedChart(
          CTX.flatMap((ctx, i) => [
            { ctx, series: "f16/f16 FA on", calculated: ctx * 160 * 1024, measured: ctx * 160 * 1024 + i * 3 * MiB },
            { ctx, series: "q8_0/q8_0 FA on", calculated: ctx * 85 * 1024, measured: i % 2 ? null : ctx * 86 * 1024 },
          ]),
          { yLabel: "KV cache (MiB)" },
        ),
      ),
  ],
  [
    "residuals",
    () =>
      renderPlotToString(
        residualChart(
          CTX.flatMap((ctx, i) => [
            { ctx, metric: "GPU used vs device total", series: "f16/f16 FA on", pct: 2 + i * 1.5 },
            { ctx, metric: "GPU used vs device total", series: "q8_0/q8_0 FA on", pct: -4 + i * 4 },
          ]),
        ),
      ),
  ],
];

/**
 * Plot numbers clip paths from a process-wide counter (`plot-clip-7`): renumber them in order of
 * appearance so a snapshot does not depend on how many charts rendered before it.
 */
function stableIds(markup: string): string {
  const ids = new Map<string, string>();
  return markup.replace(/plot-clip-\d+/g, (id) => {
    if (!ids.has(id)) ids.set(id, `plot-clip-${ids.size + 1}`);
    return ids.get(id)!;
  });
}

for (const [name, draw] of CHARTS) {
  const render = (): string => stableIds(draw());
  test(`chart snapshot: ${name}`, () => {
    const markup = render();
    assert.match(markup, /<svg[\s>]/, "renders an SVG");
    // Deterministic: the same input renders the same markup twice in one process.
    assert.equal(render(), markup, "two renders of the same input differ");
    matchesSnapshot(markup, "charts", `${name}.${markup.startsWith("<svg") ? "svg" : "html"}`);
  });
}
