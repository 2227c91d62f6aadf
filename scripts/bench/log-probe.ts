/**
 * Child process of the log measure: parses one llama.cpp log streamed from disk while sampling
 * memory, then prints one JSON line (MB/s, heap and RSS growth, peak RSS, and what the parser
 * found, so the bench can refuse a fast but wrong parse). Run with --expose-gc so the baseline
 * is taken after a collection.
 */
import { createReadStream } from "node:fs";
import { parseLlamaCppStream } from "../ingest/index.ts";

const [log] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const base = process.memoryUsage();
let peakHeap = base.heapUsed;
let peakRss = base.rss;
const timer = setInterval(() => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
}, 5);
const t0 = performance.now();
const facts = await parseLlamaCppStream(createReadStream(log, { highWaterMark: 1 << 20 }));
const seconds = (performance.now() - t0) / 1000;
clearInterval(timer);
const m = process.memoryUsage();
peakHeap = Math.max(peakHeap, m.heapUsed);
peakRss = Math.max(peakRss, m.rss);
// what the parse keeps (its facts) once the garbage is collected: flat memory means this does
// not grow with the log's size
gc?.();
const retained = process.memoryUsage().heapUsed - base.heapUsed;
const ctx = facts.contexts.find((c) => c.caches.some((k) => k.size));
process.stdout.write(
  `${JSON.stringify({
    bytes: facts.bytes,
    lines: facts.lines,
    seconds,
    mbPerS: facts.bytes / 1e6 / seconds,
    heapGrowth: peakHeap - base.heapUsed,
    rssGrowth: peakRss - base.rss,
    retained,
    peakRss: process.resourceUsage().maxRSS * 1024,
    contexts: facts.contexts.length,
    repeats: ctx?.repeats ?? 0,
    kvMiB: ctx?.caches.find((k) => k.size)?.size?.mib ?? null,
    warnings: facts.warnings.length,
  })}\n`,
);
