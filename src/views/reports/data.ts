/**
 * Collection look-ups for report components (Astro only). A report that names a model, budget or
 * type the data lacks fails the build with the missing id, instead of rendering a hole.
 */
import { getEntry } from "astro:content";
import type { Budget } from "../../schemas/budget.ts";
import type { Model } from "../../schemas/model.ts";
import type { KvCacheType } from "../../schemas/quant.ts";

async function need<T>(what: string, id: string, p: unknown): Promise<T> {
  const e = (await p) as { data: T } | undefined;
  if (!e) throw new Error(`report data: no ${what} "${id}" in the data directory`);
  return e.data;
}

export const requireModel = (id: string): Promise<Model> => need<Model>("model", id, getEntry("models", id));
export const requireBudget = (id: string): Promise<Budget> => need<Budget>("budget", id, getEntry("budgets", id));
export const requireKvType = (name: string): Promise<KvCacheType> =>
  need<KvCacheType>("K/V type", name, getEntry("kvTypes", name));
