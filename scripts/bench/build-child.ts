/**
 * Runs `astro build` in this process and prints its own peak RSS, so the bench can report the
 * build's memory (getrusage of a child is not available from Node).
 */
import { build } from "astro";

const outDir = process.argv[2];
const start = performance.now();
await build({ logLevel: "error", ...(outDir ? { outDir } : {}) });
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
