/**
 * The copy step of run-files.ts: every published run file (publishedRunFiles) copied into the
 * output folder, one after another with synchronous copies — on this kind of disk a few times
 * less CPU and less time than many copies in flight on Node's four I/O threads (bench: build).
 * startCopyRunFiles does it on a worker thread (run-files-copy-worker.ts) so the build goes on
 * meanwhile; without a TypeScript-capable worker it copies here.
 */
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { publishedRunFiles } from "./run-files.ts";

/** Copies the runs' published files into `outDir`; how many. Errors name the file. */
export function copyRunFiles(runsDir: string, rawDir: string, outDir: string): number {
  const files = publishedRunFiles(runsDir, rawDir);
  const made = new Set<string>();
  for (const [src, rel] of files) {
    const dest = path.join(outDir, rel);
    const dir = path.dirname(dest);
    try {
      if (!made.has(dir)) mkdirSync(dir, { recursive: true });
      made.add(dir);
      copyFileSync(src, dest);
    } catch (e) {
      throw new Error(`cannot publish ${src} as /${rel.split(path.sep).join("/")}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  return files.length;
}

/** The worker's file, resolved from the directory the build runs in (as the chart pool's). */
export function copyWorkerFile(root: string = process.cwd()): string {
  return path.join(root, "src", "integrations", "run-files-copy-worker.ts");
}

/** copyRunFiles on a worker thread; the promise settles with its count or its error. */
export function startCopyRunFiles(runsDir: string, rawDir: string, outDir: string): Promise<number> {
  const file = copyWorkerFile();
  const canStrip = (process.features as { typescript?: unknown }).typescript;
  if (!canStrip || !existsSync(file)) return Promise.resolve().then(() => copyRunFiles(runsDir, rawDir, outDir));
  const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
  return new Promise((resolve, reject) => {
    const w = new Worker(file, { workerData: { runsDir, rawDir, outDir }, execArgv });
    w.once("message", (m: { count?: number; error?: string }) =>
      m.error === undefined ? resolve(m.count as number) : reject(new Error(m.error)),
    );
    w.once("error", reject);
    w.once("exit", (code) => reject(new Error(`run file copy: worker exited (${code}) before answering`)));
  });
}
