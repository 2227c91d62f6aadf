/**
 * Run files validated by the worker threads (the build does so from 400 runs up): the same runs
 * in the same order as reading them on the main thread, and for bad files the same error — the
 * first bad file in file order, named with its field.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { ChartPool } from "../../../src/charts/chart-pool.ts";
import { DataFileError } from "../../../src/content-layer/json-loader.ts";
import {
  readRunFile,
  readRunFilesParallel,
  runFilesWorkerFile,
  type RunBatch,
} from "../../../src/content-layer/runs.ts";
import { RunSchema } from "../../../src/schemas/run.ts";
import { generatedRun } from "../../../scripts/bench/gen-data.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cc-run-files-"));
const pool = new ChartPool<readonly string[], RunBatch>(runFilesWorkerFile(REPO_ROOT), 2);
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const runsDir = path.join(REPO_ROOT, "data", "runs");
const templates = readdirSync(runsDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => RunSchema.parse(JSON.parse(readFileSync(path.join(runsDir, f), "utf8"))));

/** `n` valid run files (ids sort in creation order), their paths. */
function writeRuns(n: number, sub: string): string[] {
  const d = mkdtempSync(path.join(dir, sub));
  return Array.from({ length: n }, (_, i) => {
    const run = generatedRun(templates[i % templates.length], i);
    const file = path.join(d, `${run.id}.json`);
    writeFileSync(file, JSON.stringify(run));
    return file;
  });
}

test("the workers' runs are the main thread's, in file order", async () => {
  const files = writeRuns(230, "ok-");
  const parallel = await readRunFilesParallel(files, pool);
  assert.equal(parallel.length, 230);
  assert.deepEqual(
    parallel,
    files.map((f) => readRunFile(f)),
  );
});

test("a bad file fails the load with the main thread's message for the first bad file", async () => {
  const files = writeRuns(230, "bad-");
  const first = files[150];
  const doc = JSON.parse(readFileSync(first, "utf8"));
  doc.points[0].config.n_ctx = "lots";
  writeFileSync(first, JSON.stringify(doc));
  writeFileSync(files[220], "{ not json");
  const expected = (() => {
    try {
      readRunFile(first);
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail("the edited file should not validate");
  })();
  assert.match(expected, /points\.0\.config\.n_ctx|n_ctx/);
  await assert.rejects(readRunFilesParallel(files, pool), (e: unknown) => {
    assert.ok(e instanceof DataFileError);
    assert.equal(e.message, expected);
    assert.ok(e.message.startsWith(first));
    return true;
  });
});
