/**
 * Runs as the site needs them (Astro only): every run file of the data directory, each compared
 * with the engine once per build by ingest's cross-check (src/lib/runs/crosscheck.ts, the same
 * code `npm run ingest` reports with), and reduced to listing summaries. Memoised: list pages,
 * run pages, the sitemap and the home page share one computation.
 */
import { getCollection } from "astro:content";
import { loadRuns } from "../../content-layer/runs.ts";
import type { Architecture } from "../../schemas/architecture.ts";
import type { Model } from "../../schemas/model.ts";
import type { Run } from "../../schemas/run.ts";
import { crossCheck } from "../../lib/runs/crosscheck.ts";
import { runArchitecture, sharedArchitecture } from "../../lib/runs/run-architecture.ts";
import type { RunCheck } from "../../lib/runs/crosscheck.ts";
import { summarizeRun } from "../../lib/runs/run-summary.ts";
import type { RunSummary } from "../../lib/runs/run-index.ts";
import { runBodyPool } from "./run-body-pool.ts";

export interface RunsData {
  runs: Run[];
  models: Map<string, Model>;
  hardwareNames: Map<string, string>;
  checks: Map<string, RunCheck>;
  summaries: RunSummary[];
}

/** The architecture a run is compared with (src/lib/runs/run-architecture.ts: the rule ingest uses too). */
export function architectureOf(run: Run, models: Map<string, Model>): Architecture | { error: string } {
  return sharedArchitecture(runArchitecture(run.model, (id) => models.get(id)?.architecture ?? "missing"));
}

/** Points of a check with a comparison above 15 % in either direction (for the listing). */
export function flaggedPoints(check: RunCheck): number {
  return new Set(check.points.filter((p) => p.comparisons.some((c) => c.flagged)).map((p) => p.point)).size;
}

let memo: Promise<RunsData> | undefined;

async function load(): Promise<RunsData> {
  const [runEntries, modelEntries, hwEntries] = await Promise.all([
    loadRuns(),
    getCollection("models"),
    getCollection("hardware"),
  ]);
  const models = new Map(modelEntries.map((e) => [e.id, e.data]));
  const hardwareNames = new Map(hwEntries.map((e) => [e.id, e.data.name]));
  const runs = runEntries;
  // the run pages' worker loads its modules while the runs are cross-checked below
  if (runs.length > 0) runBodyPool()?.start();
  for (const r of runs) {
    // The ingest script is the gate; a run naming a preset or machine the data lacks must not publish.
    if (r.model.preset && !models.has(r.model.preset))
      throw new Error(`data/runs/${r.id}.json: model.preset "${r.model.preset}" is not in data/models`);
    if (r.hardware.preset && !hardwareNames.has(r.hardware.preset))
      throw new Error(`data/runs/${r.id}.json: hardware.preset "${r.hardware.preset}" is not in data/hardware`);
  }
  const checks = new Map(runs.map((r) => [r.id, crossCheck(r, (run) => architectureOf(run, models))]));
  const names = { model: (id: string) => models.get(id)?.name, hardware: (id: string) => hardwareNames.get(id) };
  const summaries = runs.map((r) => summarizeRun(r, flaggedPoints(checks.get(r.id)!), names));
  return { runs, models, hardwareNames, checks, summaries };
}

export function runsData(): Promise<RunsData> {
  memo ??= load();
  return memo;
}

export async function runSummaries(): Promise<RunSummary[]> {
  return (await runsData()).summaries;
}
