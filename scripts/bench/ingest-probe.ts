/**
 * Child process of the ingest memory measures: runs one whole ingest (scan, read-once copy,
 * parse, commit) of the given inputs into the given data dir, then prints one JSON line with its
 * peak RSS, the seconds it took and what it wrote, so the bench can refuse a cheap but failed run.
 */
import { ingest } from "../ingest/index.ts";

const [dataDir, ...inputs] = process.argv.slice(2);
const t0 = performance.now();
const rep = await ingest(inputs, { dataDir, check: false });
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(
  `${JSON.stringify({
    ok: rep.ok,
    errors: rep.errors.map((e) => e.format()).slice(0, 3),
    runs: rep.runs.length,
    points: rep.runs.reduce((s, r) => s + r.points, 0),
    seconds,
    peakRss: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
