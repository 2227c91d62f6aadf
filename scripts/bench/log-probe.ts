/**
 * Child process of the log measure: parses one llama.cpp log streamed from disk while sampling
 * memory, then prints one JSON line (MB/s, heap and RSS growth, peak RSS, and what the parser
 * found, so the bench can refuse a fast but wrong parse). Run with --expose-gc so the baseline
 * is taken after a collection.
 */
import { createReadStream } from "node:fs";
import { parseLlamaCppStream } from "../ingest/index.ts";
import { startMemorySampler } from "../lib/memory-sampler.ts";

const [log] = process.argv.slice(2);
const sampler = startMemorySampler();
const t0 = performance.now();
const facts = await parseLlamaCppStream(createReadStream(log, { highWaterMark: 1 << 20 }));
const seconds = (performance.now() - t0) / 1000;
const growth = sampler.stop();
// what the parse keeps (its facts) once the garbage is collected: flat memory means this does
// not grow with the log's size
(globalThis as { gc?: () => void }).gc?.();
const retained = process.memoryUsage().heapUsed - sampler.baseHeap;
const ctx = facts.contexts.find((c) => c.caches.some((k) => k.size));
process.stdout.write(
  `${JSON.stringify({
    bytes: facts.bytes,
    lines: facts.lines,
    seconds,
    mbPerS: facts.bytes / 1e6 / seconds,
    ...growth,
    retained,
    peakRss: process.resourceUsage().maxRSS * 1024,
    contexts: facts.contexts.length,
    repeats: ctx?.repeats ?? 0,
    kvMiB: ctx?.caches.find((k) => k.size)?.size?.mib ?? null,
    warnings: facts.warnings.length,
  })}\n`,
);
