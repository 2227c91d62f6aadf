/**
 * Runs `astro build` in this process and prints its own peak RSS, so the bench can report the
 * build's memory (getrusage of a child is not available from Node). Arguments: the outDir and
 * the cacheDir (a fresh one per build, so no build reuses another's content-layer store).
 * The data dir comes from CC_DATA_DIR, as for any build.
 */
import { build } from "astro";
import { REPO_ROOT } from "../lib/repo-root.ts";

const [outDir, cacheDir] = process.argv.slice(2);
const start = performance.now();
await build({
  root: REPO_ROOT,
  logLevel: "error",
  ...(outDir ? { outDir } : {}),
  ...(cacheDir ? { cacheDir } : {}),
});
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(); // main thread and chart workers together
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
// the main thread alone: Astro renders every page there, so it bounds the wall time from below
const main = process.threadCpuUsage();
const mainCpuSeconds = (main.user + main.system) / 1e6;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ seconds, cpuSeconds, mainCpuSeconds, peakRssBytes }));
