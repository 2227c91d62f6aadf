/**
 * The calculator's catalog from the content collections (Astro only; the collections validated
 * every file with the shared schemas). Sorted explicitly: collection order is not deterministic.
 */
import { readFile } from "node:fs/promises";
import { getCollection } from "astro:content";
import { dataPath } from "../../content-layer/data-dir.ts";
import { ProjectorsFileSchema } from "../../schemas/projector.ts";
import { loadRuns } from "../../content-layer/runs.ts";
import type { Budget } from "../../schemas/budget.ts";
import type { Hardware } from "../../schemas/hardware.ts";
import type { Model } from "../../schemas/model.ts";
import type { KvCacheType, WeightFtype } from "../../schemas/quant.ts";
import {
  reduceBudget,
  reduceFtype,
  reduceHardware,
  reduceKvType,
  reduceModel,
  reduceRun,
  type CalcCatalog,
} from "../../lib/calculator/catalog.ts";
import { CALC_KV_TYPES } from "../../lib/calculator/state.ts";

let cached: Promise<CalcCatalog> | null = null;

async function load(): Promise<CalcCatalog> {
  const [models, runs, hardware, budgets, kvTypes, ftypes, projectorsText] = await Promise.all([
    getCollection("models"),
    loadRuns(),
    getCollection("hardware"),
    getCollection("budgets"),
    getCollection("kvTypes"),
    getCollection("weightFtypes"),
    // a data copy without the file has no projector facts (nothing else changes)
    readFile(dataPath("projectors.json"), "utf8").catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return '{"about":"","projectors":[]}';
      throw e;
    }),
  ]);
  // projector facts per preset (src/schemas/projector.ts), validated like every data file
  const projectors = new Map(
    ProjectorsFileSchema.parse(JSON.parse(projectorsText)).projectors.map((p) => [p.model, p]),
  );
  const kvOrder = (n: string) => CALC_KV_TYPES.indexOf(n as (typeof CALC_KV_TYPES)[number]);
  return {
    models: models
      .map((e) => reduceModel(e.data as Model, projectors.get(e.data.id) ?? null))
      .sort(
        (a, b) =>
          a.family.localeCompare(b.family) || (a.paramsB ?? 0) - (b.paramsB ?? 0) || a.name.localeCompare(b.name),
      ),
    kvTypes: kvTypes.map((e) => reduceKvType(e.data as KvCacheType)).sort((a, b) => kvOrder(a.name) - kvOrder(b.name)),
    ftypes: ftypes
      .map((e) => reduceFtype(e.data as WeightFtype))
      .sort((a, b) => b.nominalBpw - a.nominalBpw || a.id.localeCompare(b.id)),
    hardware: hardware
      .map((e) => reduceHardware(e.data as Hardware))
      .sort(
        (a, b) => a.vendor.localeCompare(b.vendor) || a.memoryBytes - b.memoryBytes || a.name.localeCompare(b.name),
      ),
    budgets: budgets.map((e) => reduceBudget(e.data as Budget)).sort((a, b) => a.name.localeCompare(b.name)),
    runs: runs.map((r) => reduceRun(r)).sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/** The whole reduced catalog (memoised per build). */
export function loadCalcCatalog(): Promise<CalcCatalog> {
  cached ??= load();
  return cached;
}
