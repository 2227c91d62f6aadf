/**
 * Child process of the 200 MB test: ingests one big log into a data dir while sampling memory,
 * then prints one JSON line. Run with --expose-gc so the baseline is taken after a collection.
 */
import { createReadStream } from "node:fs";
import { ingest, parseLlamaCppStream } from "../../../scripts/ingest/index.ts";
import { startMemorySampler } from "../../../scripts/lib/memory-sampler.ts";

const [log, dataDir] = process.argv.slice(2);
const sampler = startMemorySampler();
const t0 = performance.now();
const facts = await parseLlamaCppStream(createReadStream(log, { highWaterMark: 1 << 20 }));
const parseS = (performance.now() - t0) / 1000;
const rep = await ingest([log], { dataDir, check: false });
const growth = sampler.stop();
process.stdout.write(
  `${JSON.stringify({
    ok: rep.ok,
    errors: rep.errors.map((e) => e.format()),
    points: rep.runs[0]?.points,
    lines: facts.lines,
    bytes: facts.bytes,
    kvMiB: facts.contexts.find((c) => c.caches.length)?.caches[0].size?.mib,
    parseMBps: facts.bytes / 1e6 / parseS,
    ...growth,
  })}\n`,
);
