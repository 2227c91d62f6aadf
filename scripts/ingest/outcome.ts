/**
 * What an ingest or reparse decides and reports: options, the create / replace / unchanged plan
 * per run, the per-run report (with the engine cross-check), and the data dir's lock.
 */
import { join } from "node:path";
import { crossCheck, type RunCheck } from "../../src/lib/runs/crosscheck.ts";
import type { BuiltRun } from "./build.ts";
import type { Catalog } from "./catalog.ts";
import { recover } from "./commit.ts";
import { IngestError, osError } from "./errors.ts";
import { withLock } from "./lock.ts";
import { readRun, type Action, type DataDir, type Plan } from "./store.ts";
import { AggregateIngestError } from "./zod-errors.ts";

export interface IngestOptions {
  /** The data dir (default: the repo's `data/`). Tests and the bench pass temporary copies. */
  dataDir?: string;
  /** Replace a run that exists with a different input. */
  replace?: boolean;
  /** Build, validate and decide, but write nothing. */
  dryRun?: boolean;
  /** Facts only a README states (a run-input JSON), stored under data/sources/. */
  meta?: string;
  /** Standard input, for the input `-`. */
  stdin?: AsyncIterable<Buffer | string>;
  /** Store raw files above this many bytes gzipped (default 1 MiB). */
  gzipAbove?: number;
  /** Compare with the engine (default true). */
  check?: boolean;
  /** Where model presets live (default `<dataDir>/models`, else the repo's `data/models`). */
  modelsDir?: string;
  /** Lock wait limit. */
  lockTimeoutMs?: number;
}

export interface RunReport {
  id: string;
  input: string;
  action: Action;
  dryRun: boolean;
  points: number;
  warnings: string[];
  info: string[];
  check?: RunCheck;
  file: string;
}

export interface IngestReport {
  ok: boolean;
  runs: RunReport[];
  errors: IngestError[];
  /** What this ingest cleaned up or finished of earlier, interrupted ones (stale lock, staging). */
  recovered?: string[];
}

/** Take the lock, finish what crashed ingests left, then run `fn`; notes collect what was recovered. */
export async function locked<T>(dd: DataDir, notes: string[], fn: () => Promise<T>, timeoutMs?: number): Promise<T> {
  const note = (s: string) => notes.push(s);
  return withLock(
    dd.root,
    async () => {
      notes.push(...(await recover(dd)));
      return fn();
    },
    timeoutMs,
    note,
  );
}

export function flatten(e: unknown): IngestError[] {
  if (e instanceof AggregateIngestError) return e.errors;
  if (e instanceof IngestError) return [e];
  return [osError(e)];
}

/** Decide create / replace / unchanged for each built run against the data dir. */
export async function decide(
  dd: DataDir,
  built: BuiltRun[],
  replace: boolean,
): Promise<{ plans: Plan[]; errors: IngestError[] }> {
  const plans: Plan[] = [];
  const errors: IngestError[] = [];
  for (const b of built) {
    const existing = await readRun(dd, b.run.id).catch((e) => {
      errors.push(...flatten(e));
      return undefined;
    });
    if (!existing) plans.push({ built: b, action: "create" });
    else if (existing.provenance.content_hash === b.run.provenance.content_hash)
      plans.push({ built: b, action: "unchanged" });
    else if (replace) plans.push({ built: b, action: "replace" });
    else
      errors.push(
        new IngestError(`run "${b.run.id}" already exists with a different input`, {
          file: b.label,
          path: "id",
          value: b.run.id,
          expected: "--replace to overwrite it, or a different id",
        }),
      );
  }
  return { plans, errors };
}

export function report(plans: Plan[], dryRun: boolean, dd: DataDir, lookup: Catalog, check: boolean): RunReport[] {
  return plans.map((p) => {
    const run = p.built.run;
    const warnings = [
      ...run.warnings.map((w) => `${w.file ? `${w.file}: ` : ""}${w.message}`),
      ...run.points.flatMap((pt) =>
        pt.warnings.map((w) => `${pt.id}: ${w.file ? `${w.file}${w.line ? `:${w.line}` : ""}: ` : ""}${w.message}`),
      ),
    ];
    const r: RunReport = {
      id: run.id,
      input: p.built.label,
      action: p.action,
      dryRun,
      points: run.points.length,
      warnings,
      info: p.built.info,
      file: join(dd.runs, `${run.id}.json`),
    };
    if (check) r.check = crossCheck(run, lookup.archOf);
    return r;
  });
}
