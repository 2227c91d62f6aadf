/**
 * A worker thread of the run-file pool (runs.ts readRunFilesParallel): receives a batch of run
 * files, answers with their validated runs or the first file's error, as reading them on the
 * main thread would.
 */
import { parentPort } from "node:worker_threads";
import { readRunBatch } from "./runs.ts";

parentPort?.on("message", (files: string[]) => {
  try {
    parentPort?.postMessage({ result: readRunBatch(files) });
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
