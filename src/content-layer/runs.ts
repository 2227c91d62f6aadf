/**
 * Runs read straight from the data directory (see data-dir.ts), each validated with the shared
 * RunSchema once per build (in worker threads when there are many). Not through the content layer: its data store serialises every entry
 * into the build's bundle, which for 10 000 runs cost about a minute and gigabytes of memory
 * (npm run bench). The `runs` collection keeps the ids, so report frontmatter can still
 * `reference("runs")`. A malformed file fails the build naming the file and the field.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { RunSchema, type Run } from "../schemas/run.ts";
import { dataPath } from "./data-dir.ts";
import { DataFileError } from "./json-loader.ts";
import { issueSummary } from "../lib/zod-issues.ts";
import { sharedPool, type ChartPool } from "../charts/chart-pool.ts";

/** Ids of the run files of `dir` (`<id>.json`; dot files ignored), sorted. */
export function runFileIds(dir: string = dataPath("runs")): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("."))
    .sort()
    .map((f) => f.slice(0, -".json".length));
}

/** One run file, parsed and validated; errors name the file and the field. */
export function readRunFile(file: string): Run {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new DataFileError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  const r = RunSchema.safeParse(doc);
  if (!r.success) {
    throw new DataFileError(`${file}: ${issueSummary(r.error.issues, { input: doc, max: 3 })}`);
  }
  const id = path.basename(file, ".json");
  if (r.data.id !== id) throw new DataFileError(`${file}: id "${r.data.id}" does not match the file name "${id}.json"`);
  return r.data;
}

/** One batch of a parallel load: the runs in file order, or the first file's error. */
export type RunBatch = { runs: Run[] } | { error: string };

/** Reads and validates `files` in order (what a worker of the run-file pool runs). */
export function readRunBatch(files: readonly string[]): RunBatch {
  try {
    return { runs: files.map((f) => readRunFile(f)) };
  } catch (e) {
    if (e instanceof DataFileError) return { error: e.message };
    throw e;
  }
}

/** Files per job: enough that messages cost little, few enough that both workers stay busy. */
const BATCH = 100;
/** Below this many runs the workers' start-up costs more than validating here. */
const PARALLEL_FROM = 400;

/**
 * Validates `files` in batches on the pool's workers (every core; validation is most of loading
 * 10 000 runs). Same runs, same order and, for a bad file, the same error as reading them here:
 * the first bad file in file order fails the build, naming the file and the field.
 */
export async function readRunFilesParallel(
  files: readonly string[],
  pool: ChartPool<readonly string[], RunBatch>,
): Promise<Run[]> {
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += BATCH) batches.push(files.slice(i, i + BATCH));
  const results = await Promise.all(batches.map((b) => pool.draw(b)));
  const runs: Run[] = [];
  for (const r of results) {
    if ("error" in r) throw new DataFileError(r.error);
    runs.push(...r.runs);
  }
  return runs;
}

interface Memo {
  dir: string;
  runs: Run[];
  byId: Map<string, Run>;
}

let memo: Memo | undefined;
let pending: { dir: string; memo: Promise<Memo> } | undefined;

const remember = (dir: string, runs: Run[]): Memo => (memo = { dir, runs, byId: new Map(runs.map((r) => [r.id, r])) });

function load(): Memo {
  const dir = dataPath("runs");
  if (!memo || memo.dir !== dir)
    remember(
      dir,
      runFileIds(dir).map((id) => readRunFile(path.join(dir, `${id}.json`))),
    );
  return memo!;
}

async function loadParallel(dir: string): Promise<Memo> {
  const files = runFileIds(dir).map((id) => path.join(dir, `${id}.json`));
  const pool = files.length >= PARALLEL_FROM ? sharedPool<readonly string[], RunBatch>(runFilesWorkerFile()) : null;
  if (!pool) return load();
  try {
    return remember(dir, await readRunFilesParallel(files, pool));
  } finally {
    // loaded once per build: the workers' memory goes back to the pages
    void pool.close();
  }
}

/** The run-file pool's worker, resolved from the directory the build runs in (Astro bundles this module). */
export function runFilesWorkerFile(root: string = process.cwd()): string {
  return path.join(root, "src", "content-layer", "run-files-worker.ts");
}

/** Every run of the data directory, validated (read once per build, by the worker threads when many). */
export async function loadRuns(): Promise<Run[]> {
  const dir = dataPath("runs");
  if (memo?.dir === dir) return memo.runs;
  if (pending?.dir !== dir) pending = { dir, memo: loadParallel(dir) };
  return (await pending.memo).runs;
}

export function getRun(id: string): Run | undefined {
  return load().byId.get(id);
}
