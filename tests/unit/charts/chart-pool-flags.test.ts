/**
 * A build started as `node --input-type=module -e …` (how the e2e helpers build a temporary site)
 * passes its flags to worker threads; a worker with a file entry point refuses `--input-type`, so
 * the pool must leave it out. The child sends a run body that fails inside the worker: the
 * worker's own error comes back (it started), not the refused flag.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";

test("the chart pool's workers start under a parent run with --input-type=module -e", () => {
  const pool = JSON.stringify(path.join(REPO_ROOT, "src/charts/chart-pool.ts"));
  const worker = JSON.stringify(path.join(REPO_ROOT, "src/views/runs/run-body-worker.ts"));
  const script = `
    const { ChartPool } = await import(${pool});
    const p = new ChartPool(${worker}, 1);
    try { await p.draw({ run: { points: null }, check: {}, arch: {} }); }
    catch (e) { console.log(String(e.message)); }
    await p.close();`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /input-type/);
  assert.match(r.stdout, /chart worker: .*TypeError/s);
});
