/**
 * The data dir: `runs/<id>.json`, `raw/<id>/…` (verbatim inputs, gzipped above a size cap),
 * `sources/` (run JSON and `--meta` files runs were built from). Reading it lives here; writing
 * it is `commit.ts` (crash-consistent: staging, journal, roll-forward) under `lock.ts`'s lock,
 * and every decision (unchanged / replace / conflict) is re-made under the lock, so two racing
 * ingests lose nothing.
 */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { RunSchema, type Run } from "../../src/schemas/run.ts";
import type { BuiltRun } from "./build.ts";
import { IngestError } from "./errors.ts";
import { AggregateIngestError, zodErrors } from "./zod-errors.ts";
import { parseJsonText } from "./json-input.ts";

export interface DataDir {
  root: string;
  runs: string;
  raw: string;
  sources: string;
  schema: string;
}

export function dataDir(root: string): DataDir {
  return {
    root,
    runs: join(root, "runs"),
    raw: join(root, "raw"),
    sources: join(root, "sources"),
    schema: join(root, "schema"),
  };
}

/** The stored run with this id, if any (throws if it exists but does not validate). */
export async function readRun(dd: DataDir, id: string): Promise<Run | undefined> {
  let text: string;
  try {
    text = await readFile(join(dd.runs, `${id}.json`), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const file = join(dd.runs, `${id}.json`);
  const doc = parseJsonText(text, file);
  const r = RunSchema.safeParse(doc);
  if (!r.success) {
    const errs = zodErrors(r.error, file, doc);
    throw new AggregateIngestError([
      new IngestError("stored run does not validate", { file, expected: "a run in the current schema" }),
      ...errs,
    ]);
  }
  return r.data;
}

export async function listRunIds(dd: DataDir): Promise<string[]> {
  try {
    return (await readdir(dd.runs))
      .filter((n) => n.endsWith(".json"))
      .map((n) => n.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

export type Action = "create" | "replace" | "unchanged";

export interface Plan {
  built: BuiltRun;
  action: Action;
  /** Raw files are already in place and identical (reparse). */
  rawInPlace?: boolean;
}

/** Serialise a run exactly as stored (stable key order of the schema, 2-space JSON). */
export function serialiseRun(run: Run): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}
