/** The worker thread of startCopyRunFiles (run-files-copy.ts): copies, then answers once. */
import { parentPort, workerData } from "node:worker_threads";
import { copyRunFiles } from "./run-files-copy.ts";

const { runsDir, rawDir, outDir } = workerData as { runsDir: string; rawDir: string; outDir: string };
try {
  parentPort?.postMessage({ count: copyRunFiles(runsDir, rawDir, outDir) });
} catch (e) {
  parentPort?.postMessage({ error: (e as Error).message });
}
