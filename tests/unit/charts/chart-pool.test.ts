import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { ChartPool, chartWorkerCount, drawRunCharts } from "../../../src/charts/chart-pool.ts";
import { renderPlotToString } from "../../../src/charts/render.ts";
import { runChartInputs, runChartsMarkup, type RunChartInputs } from "../../../src/charts/run-charts.ts";
import { crossCheck } from "../../../src/lib/runs/crosscheck.ts";
import { runViews } from "../../../src/lib/runs/run-view.ts";
import { MiB } from "../../../src/lib/units.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";
import { qwen3Run } from "../../helpers/run-fixture.ts";

const qwen3 = ModelSchema.parse(JSON.parse(readFileSync(path.join(REPO_ROOT, "data/models/qwen3-14b.json"), "utf8")));
const src = { tool: "reported" as const };
const pool = new ChartPool(path.join(REPO_ROOT, "src/charts/chart-worker.ts"), 2);
after(() => pool.close());

/** Chart inputs of a Qwen3-14B run measured at `n` contexts, KV `scale` × what the engine says. */
function inputs(n: number, scale: number): RunChartInputs {
  const points = Array.from({ length: n }, (_, i) => {
    const ctx = 2048 * 2 ** i;
    return {
      id: `p${i}`,
      status: "ok",
      config: { n_ctx: ctx, type_k: "f16", type_v: "f16", flash_attn: "on" },
      // f16 Qwen3-14B: 160 KiB per cell
      measured: { kv_bytes: { bytes: Math.round((ctx / 2048) * 320 * MiB * scale), source: src } },
    };
  });
  const run = qwen3Run(
    { id: `2026-01-0${n}-pool`, date: "2026-01-01", title: `pool ${n}`, backend: "cuda", points },
    { hardware: { description: "test machine" } },
  );
  const [view] = runViews(
    run,
    crossCheck(run, () => qwen3.architecture),
    qwen3.architecture,
  );
  return runChartInputs(view, run.title);
}

test("charts drawn by the worker pool are the markup drawn inline, in any order of completion", async () => {
  const all = [inputs(2, 1), inputs(3, 1.2), inputs(4, 0.9), inputs(2, 1.05)];
  const drawn = await Promise.all(all.map((i) => pool.draw(i)));
  for (const [k, i] of all.entries()) {
    const inline = runChartsMarkup(i, renderPlotToString);
    assert.match(inline, /<svg/);
    assert.equal(drawn[k], inline, `run ${i.title}`);
  }
  assert.equal(await drawRunCharts(all[1], null), runChartsMarkup(all[1], renderPlotToString));
});

test("a chart that cannot be drawn rejects with the worker's error, and the pool keeps drawing", async () => {
  const bad = {
    title: "bad",
    metrics: [{ metric: "kv_bytes", rows: null }],
    residuals: [],
  } as unknown as RunChartInputs;
  await assert.rejects(pool.draw(bad), /chart worker: .*TypeError/s);
  const good = inputs(2, 1);
  assert.equal(await pool.draw(good), runChartsMarkup(good, renderPlotToString));
});

test("CC_CHART_WORKERS: one worker per core by default, 0 draws inline, nonsense is refused", () => {
  assert.equal(chartWorkerCount({}, 2), 2);
  assert.equal(chartWorkerCount({}, 0), 1);
  assert.equal(chartWorkerCount({ CC_CHART_WORKERS: "0" }, 2), 0);
  assert.equal(chartWorkerCount({ CC_CHART_WORKERS: "3" }, 2), 3);
  assert.throws(
    () => chartWorkerCount({ CC_CHART_WORKERS: "two" }, 2),
    /CC_CHART_WORKERS=two: expected a whole number/,
  );
  assert.throws(() => chartWorkerCount({ CC_CHART_WORKERS: "-1" }, 2), /from 0 to 64/);
});
