/**
 * Run bodies (run-body.ts) built by worker threads (src/charts/chart-pool.ts) while Astro renders
 * other pages, or inline when there is no pool (CC_CHART_WORKERS=0, or no TypeScript worker file
 * where the build runs). Same markup either way.
 */
import path from "node:path";
import { sharedPool, type ChartPool } from "../../charts/chart-pool.ts";
import { runBodyMarkup, type RunBodyJob } from "./run-body.ts";

/** The worker file, resolved from the directory the build runs in (Astro bundles this module). */
export function runBodyWorkerFile(root: string = process.cwd()): string {
  return path.join(root, "src", "views", "runs", "run-body-worker.ts");
}

/** A run's points tables and charts, built by the pool when there is one, else here. */
export function runBody(
  job: RunBodyJob,
  pool: ChartPool<RunBodyJob> | null = sharedPool<RunBodyJob>(runBodyWorkerFile()),
): Promise<string> {
  return pool ? pool.draw(job) : Promise.resolve(runBodyMarkup(job));
}
