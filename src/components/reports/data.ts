/**
 * Collection look-ups for report components (Astro only). A report that names a model, run,
 * budget or type the data lacks fails the build with the missing id, instead of rendering a hole.
 */
import { getCollection, getEntry } from "astro:content";
import type { Budget } from "../../schemas/budget.ts";
import type { Hardware } from "../../schemas/hardware.ts";
import type { Model } from "../../schemas/model.ts";
import type { KvCacheType } from "../../schemas/quant.ts";
import type { Run } from "../../schemas/run.ts";
import { getRun, loadRuns } from "../../content-layer/runs.ts";

async function need<T>(what: string, id: string, p: unknown): Promise<T> {
  const e = (await p) as { data: T } | undefined;
  if (!e) throw new Error(`report data: no ${what} "${id}" in the data directory`);
  return e.data;
}

export const requireModel = (id: string): Promise<Model> => need<Model>("model", id, getEntry("models", id));
export const requireRun = (id: string): Promise<Run> => need<Run>("run", id, runEntry(id));
export const requireBudget = (id: string): Promise<Budget> => need<Budget>("budget", id, getEntry("budgets", id));
export const requireHardware = (id: string): Promise<Hardware> =>
  need<Hardware>("hardware entry", id, getEntry("hardware", id));
export const requireKvType = (name: string): Promise<KvCacheType> =>
  need<KvCacheType>("K/V type", name, getEntry("kvTypes", name));

export async function allRuns(): Promise<Run[]> {
  return loadRuns();
}

/** Runs come from src/content-layer/runs.ts (the `runs` collection holds ids only). */
async function runEntry(id: string): Promise<{ data: Run } | undefined> {
  const r = getRun(id);
  return r ? { data: r } : undefined;
}

export async function allModels(): Promise<Model[]> {
  return (await getCollection("models")).map((e) => e.data).sort((a, b) => a.name.localeCompare(b.name));
}
