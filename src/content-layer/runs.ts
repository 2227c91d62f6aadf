/**
 * Runs read straight from the data directory (see data-dir.ts), each validated with the shared
 * RunSchema once per build. Not through the content layer: its data store serialises every entry
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

let memo: { dir: string; runs: Run[]; byId: Map<string, Run> } | undefined;

function load(): NonNullable<typeof memo> {
  const dir = dataPath("runs");
  if (!memo || memo.dir !== dir) {
    const runs = runFileIds(dir).map((id) => readRunFile(path.join(dir, `${id}.json`)));
    memo = { dir, runs, byId: new Map(runs.map((r) => [r.id, r])) };
  }
  return memo;
}

/** Every run of the data directory, validated (read once per build). */
export async function loadRuns(): Promise<Run[]> {
  return load().runs;
}

export function getRun(id: string): Run | undefined {
  return load().byId.get(id);
}
