/**
 * Ingest at scale (issue 5): many run files in one invocation, and one huge llama.cpp log parsed
 * streamed. Everything is generated in the measure's temporary folder and ingested into a
 * temporary data dir — never the repo's data/.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { MiB } from "../../../src/lib/units.ts";
import { ingestRunFiles } from "../../ingest/index.ts";
import { generateRunInputs } from "../gen-data.ts";
import type { Measure, MeasureContext } from "../measure.ts";
import { REPO_ROOT } from "../../lib/repo-root.ts";

/** A real llama.cpp CUDA log (H100, Qwen3-14B Q4_K_M, 2048 cells f16/f16): KV = 320.00 MiB. */
const H100_LOG = path.resolve(
  REPO_ROOT,
  "data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda/qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on/llama.log",
);
const H100_KV_MIB = 320;

const ISSUE5_FILES = "issue 5: 1 000 run files × 20 points in ≤ 10 s";
const ISSUE5_LOG = "issue 5: a 200 MB log at ≥ 50 MB/s";
const FLAT = "issue 5 'flat memory': heap kept after the parse, after a GC, whatever the log's size";

export function ingestRunFilesMeasure(n: number, opts: { quick: boolean; full: boolean }): Measure {
  return {
    name: `ingest: ${n.toLocaleString("en-US").replace(/,/g, " ")} generated run files × 20 points`,
    quick: opts.quick,
    full: opts.full,
    repeats: { full: 3, quick: 3 },
    figures: [
      ...(n === 1000
        ? [{ key: "seconds", unit: "s", budget: { value: 10, cmp: "<=" as const, source: ISSUE5_FILES } }]
        : [{ key: "seconds", unit: "s" }]),
      { key: "msPerFile", unit: "ms/file", budget: { value: 10, cmp: "<=", source: ISSUE5_FILES } },
    ],
    setup: async (ctx) => {
      ctx.state.files = generateRunInputs(path.join(ctx.tmpDir, "in"), n, 20);
      // warm the parsers and schemas on a few other files, into a throw-away data dir
      const warm = generateRunInputs(path.join(ctx.tmpDir, "warm-in"), 20, 20, "warm");
      const r = await ingestRunFiles(warm, path.join(ctx.tmpDir, "warm-data"));
      if (!r.ok) throw new Error(`warm-up ingest failed: ${r.errors.map((e) => e.format()).join("; ")}`);
      ctx.state.sample = 0;
    },
    sample: async (ctx) => {
      const files = ctx.state.files as string[];
      const dataDir = path.join(ctx.tmpDir, `data-${(ctx.state.sample as number)++}`);
      mkdirSync(dataDir);
      const start = performance.now();
      const r = await ingestRunFiles(files, dataDir);
      const seconds = (performance.now() - start) / 1000;
      if (!r.ok)
        throw new Error(
          `ingest failed: ${r.errors
            .slice(0, 3)
            .map((e) => e.format())
            .join("; ")}`,
        );
      if (r.runs.length !== n || r.runs.some((x) => x.action !== "create" || x.points !== 20))
        throw new Error(`expected ${n} new runs of 20 points, got ${r.runs.length}`);
      rmSync(dataDir, { recursive: true, force: true });
      return { seconds, msPerFile: (seconds * 1000) / n };
    },
  };
}

type LogKind = "repeated" | "server";

/**
 * `repeated`: the whole H100 log over and over (every line a llama.cpp line the parser must look
 * at; the worst case). `server`: one session, then request/slot lines of a long llama-server run
 * (the common case), then the session's end.
 */
function writeLog(file: string, mb: number, kind: LogKind): void {
  const text = readFileSync(H100_LOG, "utf8");
  const fd = openSync(file, "w");
  let size = 0;
  try {
    if (kind === "repeated") {
      const chunk = text.repeat(Math.ceil(MiB / text.length));
      while (size < mb * 1e6) size += writeSync(fd, chunk);
    } else {
      const lines = text.split("\n");
      const cut = lines.findIndex((l) => l.includes("llama_perf_context_print"));
      size += writeSync(fd, lines.slice(0, cut).join("\n") + "\n");
      const filler = [
        "0.05.123.456 I slot update_slots: id  0 | task 1234 | kv cache rm [4096, end)\n",
        "0.05.123.457 I slot update_slots: id  0 | task 1234 | prompt processing progress, n_past = 4096, n_tokens = 512, progress = 0.5\n",
        "0.05.123.458 I srv  log_server_r: request: POST /completion 127.0.0.1 200\n",
        "0.05.123.459 I slot      release: id  0 | task 1234 | stop processing: n_past = 8000, truncated = 0\n",
      ].join("");
      const chunk = filler.repeat(Math.ceil(MiB / filler.length));
      while (size < mb * 1e6) size += writeSync(fd, chunk);
      writeSync(fd, lines.slice(cut).join("\n"));
    }
  } finally {
    closeSync(fd);
  }
}

export function ingestLogMeasure(mb: number, kind: LogKind, opts: { quick: boolean; full: boolean }): Measure {
  const what =
    kind === "repeated" ? "the H100 llama.cpp log repeated" : "a llama-server log (one session + request lines)";
  return {
    name: `ingest: ${mb} MB generated log, ${what}, parsed streamed`,
    quick: opts.quick,
    full: opts.full,
    warmup: 1,
    repeats: { full: 3, quick: 2 },
    figures: [
      { key: "mbPerS", unit: "MB/s", budget: { value: 50, cmp: ">=", source: ISSUE5_LOG } },
      { key: "seconds", unit: "s" },
      // peak heap growth counts garbage not yet collected; what the parse keeps is the retained heap
      { key: "heapGrowthMiB", unit: "MiB" },
      { key: "retainedHeapMiB", unit: "MiB", budget: { value: 16, cmp: "<=", source: FLAT } },
      { key: "rssGrowthMiB", unit: "MiB" },
      { key: "peakRssMiB", unit: "MiB" },
    ],
    setup: (ctx) => {
      const file = path.join(ctx.tmpDir, `${kind}.log`);
      writeLog(file, mb, kind);
      ctx.state.file = file;
    },
    sample: (ctx) => {
      const r = spawnSync(
        process.execPath,
        ["--expose-gc", path.join(REPO_ROOT, "scripts/bench/log-probe.ts"), ctx.state.file as string],
        { cwd: REPO_ROOT, encoding: "utf8" },
      );
      if (r.status !== 0) throw new Error(`log probe failed: ${r.stderr.slice(-2000)}`);
      const p = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
        bytes: number;
        seconds: number;
        mbPerS: number;
        heapGrowth: number;
        rssGrowth: number;
        retained: number;
        peakRss: number;
        kvMiB: number | null;
      };
      if (p.kvMiB !== H100_KV_MIB) throw new Error(`parser found KV ${p.kvMiB} MiB, expected ${H100_KV_MIB} MiB`);
      if (p.bytes < mb * 1e6) throw new Error(`parsed ${p.bytes} bytes of a ${mb} MB log`);
      return {
        mbPerS: p.mbPerS,
        seconds: p.seconds,
        heapGrowthMiB: p.heapGrowth / MiB,
        retainedHeapMiB: p.retained / MiB,
        rssGrowthMiB: p.rssGrowth / MiB,
        peakRssMiB: p.peakRss / MiB,
      };
    },
  };
}

const ISSUE13_RSS = "issue 13: ingest's peak RSS independent of input size and file count (< 300 MiB)";

/** One whole ingest (CLI library, own process) of `input` into a fresh data dir: peak RSS and time. */
function probeIngest(ctx: MeasureContext, input: string): { peakRssMiB: number; seconds: number; points: number } {
  const dataDir = path.join(ctx.tmpDir, `data-${(ctx.state.sample as number | undefined) ?? 0}`);
  ctx.state.sample = ((ctx.state.sample as number | undefined) ?? 0) + 1;
  mkdirSync(dataDir);
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/bench/ingest-probe.ts"), dataDir, input], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  rmSync(dataDir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`ingest probe failed: ${r.stderr.slice(-2000)}`);
  const p = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
    ok: boolean;
    errors: string[];
    points: number;
    seconds: number;
    peakRss: number;
  };
  if (!p.ok) throw new Error(`ingest failed: ${p.errors.join("; ")}`);
  return { peakRssMiB: p.peakRss / MiB, seconds: p.seconds, points: p.points };
}

/** Peak RSS of a whole ingest (read-once copy, streamed parse, gzip, commit) of one huge log. */
export function ingestLogRssMeasure(mb: number, opts: { quick: boolean; full: boolean }): Measure {
  return {
    name: `ingest: peak RSS of a whole ingest of a ${mb.toLocaleString("en-US").replace(/,/g, " ")} MB llama-server log`,
    quick: opts.quick,
    full: opts.full,
    repeats: { full: 1, quick: 1 },
    figures: [
      { key: "peakRssMiB", unit: "MiB", budget: { value: 300, cmp: "<=", source: ISSUE13_RSS } },
      { key: "seconds", unit: "s" },
      { key: "mbPerS", unit: "MB/s" },
    ],
    setup: (ctx) => {
      ctx.state.file = path.join(ctx.tmpDir, "server.log");
      writeLog(ctx.state.file as string, mb, "server");
    },
    sample: (ctx) => {
      const r = probeIngest(ctx, ctx.state.file as string);
      if (r.points !== 1) throw new Error(`expected 1 point, got ${r.points}`);
      return { peakRssMiB: r.peakRssMiB, seconds: r.seconds, mbPerS: mb / r.seconds };
    },
  };
}

/** Peak RSS of a whole ingest of one run folder holding `n` files (one log, the rest small notes). */
export function ingestManyFilesRssMeasure(n: number, opts: { quick: boolean; full: boolean }): Measure {
  return {
    name: `ingest: peak RSS of a whole ingest of a run folder of ${n.toLocaleString("en-US").replace(/,/g, " ")} files`,
    quick: opts.quick,
    full: opts.full,
    repeats: { full: 1, quick: 1 },
    figures: [
      { key: "peakRssMiB", unit: "MiB", budget: { value: 300, cmp: "<=", source: ISSUE13_RSS } },
      { key: "seconds", unit: "s" },
      { key: "msPerFile", unit: "ms/file" },
    ],
    setup: (ctx) => {
      const dir = path.join(ctx.tmpDir, "many");
      mkdirSync(dir);
      writeFileSync(path.join(dir, "llama.log"), readFileSync(H100_LOG));
      for (let i = 0; i < n - 1; i++) {
        const sub = path.join(dir, `part-${Math.floor(i / 1000)}`);
        if (i % 1000 === 0) mkdirSync(sub);
        writeFileSync(path.join(sub, `note-${i}.txt`), `note ${i}\n`);
      }
      ctx.state.dir = dir;
    },
    sample: (ctx) => {
      const r = probeIngest(ctx, ctx.state.dir as string);
      return { peakRssMiB: r.peakRssMiB, seconds: r.seconds, msPerFile: (r.seconds * 1000) / n };
    },
  };
}
