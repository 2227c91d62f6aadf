/**
 * Run bodies (run-body.ts) built by worker threads (src/charts/chart-pool.ts) while Astro renders
 * other pages, or inline when there is no pool (CC_CHART_WORKERS=0, or no TypeScript worker file
 * where the build runs). Same markup either way.
 */
import path from "node:path";
import { sharedPool, type ChartPool } from "../../charts/chart-pool.ts";
import { runBodyMarkup, type RunBodyJob } from "./run-body.ts";

/**
 * Cores left to the main thread, which renders every page all along: a body costs a worker less
 * than a page costs the main thread, and each worker thread costs CPU of its own (its start-up,
 * its heap's garbage collection, messages), so on 2 cores one body worker beside the main thread
 * built 1 000 runs with less CPU than two (bench: build).
 */
const BODY_SPARE_CORES = 1;

/** The worker file, resolved from the directory the build runs in (Astro bundles this module). */
export function runBodyWorkerFile(root: string = process.cwd()): string {
  return path.join(root, "src", "views", "runs", "run-body-worker.ts");
}

/** The pool run bodies go to (null: built inline). */
export function runBodyPool(): ChartPool<RunBodyJob> | null {
  return sharedPool<RunBodyJob>(runBodyWorkerFile(), BODY_SPARE_CORES);
}

/** A run's points tables and charts, built by the pool when there is one, else here. */
export function runBody(job: RunBodyJob, pool: ChartPool<RunBodyJob> | null = runBodyPool()): Promise<string> {
  return pool ? pool.draw(job) : Promise.resolve(runBodyMarkup(job));
}
