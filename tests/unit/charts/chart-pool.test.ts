import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { ChartPool, chartWorkerCount } from "../../../src/charts/chart-pool.ts";
import { crossCheck } from "../../../src/lib/runs/crosscheck.ts";
import { MiB } from "../../../src/lib/units.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { runBodyMarkup, type RunBodyJob } from "../../../src/views/runs/run-body.ts";
import { runBody, runBodyWorkerFile } from "../../../src/views/runs/run-body-pool.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";
import { qwen3Run } from "../../helpers/run-fixture.ts";

const qwen3 = ModelSchema.parse(JSON.parse(readFileSync(path.join(REPO_ROOT, "data/models/qwen3-14b.json"), "utf8")));
const src = { tool: "reported" as const };
const pool = new ChartPool<RunBodyJob>(runBodyWorkerFile(REPO_ROOT), 2);
after(() => pool.close());

/** The page job of a Qwen3-14B run measured at `n` contexts, KV `scale` × what the engine says. */
function job(n: number, scale: number): RunBodyJob {
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
  const check = crossCheck(run, () => qwen3.architecture);
  return { run, check, arch: qwen3.architecture };
}

test("run bodies built by the worker pool are the markup built inline, in any order of completion", async () => {
  pool.start(); // workers started before the first job (what a build does once the runs are loaded)
  pool.start();
  assert.equal(pool.started, 2, "started once, up to the pool's size");
  const all = [job(2, 1), job(3, 1.2), job(4, 0.9), job(2, 1.05)];
  const drawn = await Promise.all(all.map((j) => pool.draw(j)));
  for (const [k, j] of all.entries()) {
    const inline = runBodyMarkup(j);
    assert.match(inline, /<table class="points-table">/);
    assert.match(inline, /<svg/);
    assert.equal(drawn[k], inline, `run ${j.run.title}`);
  }
  assert.equal(await runBody(all[1], null), runBodyMarkup(all[1]));
});

test("a body that cannot be built rejects with the worker's error, and the pool keeps drawing", async () => {
  const bad = { ...job(2, 1), run: { ...job(2, 1).run, points: null } } as unknown as RunBodyJob;
  await assert.rejects(pool.draw(bad), /chart worker: .*TypeError/s);
  const good = job(2, 1);
  assert.equal(await pool.draw(good), runBodyMarkup(good));
});

test("CC_CHART_WORKERS: one worker per core (less the spare ones) by default, 0 draws inline, nonsense is refused", () => {
  assert.equal(chartWorkerCount({}, 2), 2);
  assert.equal(chartWorkerCount({}, 0), 1);
  assert.equal(chartWorkerCount({}, 2, 1), 1, "one core left to the main thread");
  assert.equal(chartWorkerCount({}, 8, 1), 7);
  assert.equal(chartWorkerCount({}, 1, 1), 1, "at least one worker");
  assert.equal(chartWorkerCount({ CC_CHART_WORKERS: "2" }, 2, 1), 2, "the variable wins");
  assert.equal(chartWorkerCount({ CC_CHART_WORKERS: "0" }, 2), 0);
  assert.equal(chartWorkerCount({ CC_CHART_WORKERS: "3" }, 2), 3);
  assert.throws(
    () => chartWorkerCount({ CC_CHART_WORKERS: "two" }, 2),
    /CC_CHART_WORKERS=two: expected a whole number/,
  );
  assert.throws(() => chartWorkerCount({ CC_CHART_WORKERS: "-1" }, 2), /from 0 to 64/);
});
