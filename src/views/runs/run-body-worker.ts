/**
 * A worker thread of the run-body pool (run-body-pool.ts): receives a run's job, answers with the
 * same markup the main thread would build (runBodyMarkup), or the error.
 */
import { parentPort } from "node:worker_threads";
import { runBodyMarkup, type RunBodyJob } from "./run-body.ts";

parentPort?.on("message", (job: RunBodyJob) => {
  try {
    parentPort?.postMessage({ result: runBodyMarkup(job) });
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
