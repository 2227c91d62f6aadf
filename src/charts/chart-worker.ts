/**
 * A worker thread of the chart pool (chart-pool.ts): receives a run's chart inputs, answers with
 * the same markup the main thread would draw (same builders, same virtual DOM), or the error.
 */
import { parentPort } from "node:worker_threads";
import { renderPlotToString } from "./render.ts";
import { runChartsMarkup, type RunChartInputs } from "./run-charts.ts";

parentPort?.on("message", (inputs: RunChartInputs) => {
  try {
    parentPort?.postMessage({ markup: runChartsMarkup(inputs, renderPlotToString) });
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
