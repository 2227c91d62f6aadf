/**
 * Node-side loader of the calculator's reduced catalog from data/ (the same reduction the page's
 * .astro wrapper does at build time), for unit and e2e tests.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { BudgetSchema } from "../../../src/schemas/budget.ts";
import { HardwareFileSchema } from "../../../src/schemas/hardware.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { KvCacheTypesFileSchema, WeightFtypesFileSchema } from "../../../src/schemas/quant.ts";
import { RunSchema } from "../../../src/schemas/run.ts";
import {
  reduceBudget,
  reduceFtype,
  reduceHardware,
  reduceKvType,
  reduceModel,
  reduceRun,
  type CalcCatalog,
} from "../../../src/lib/calculator/catalog.ts";
import { REPO_ROOT as REPO } from "../../../scripts/lib/repo-root.ts";
export { REPO_ROOT as REPO } from "../../../scripts/lib/repo-root.ts";

function jsonFiles(dir: string): unknown[] {
  const full = path.join(REPO, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(full, f), "utf8")));
}

export function loadCatalog(extraRunFiles: string[] = []): CalcCatalog {
  const runs = [...jsonFiles("data/runs"), ...extraRunFiles.map((f) => JSON.parse(readFileSync(f, "utf8")))];
  return {
    models: jsonFiles("data/models").map((m) => reduceModel(ModelSchema.parse(m))),
    kvTypes: KvCacheTypesFileSchema.parse(
      JSON.parse(readFileSync(path.join(REPO, "data/quants/kv-types.json"), "utf8")),
    ).map(reduceKvType),
    ftypes: WeightFtypesFileSchema.parse(
      JSON.parse(readFileSync(path.join(REPO, "data/quants/weight-ftypes.json"), "utf8")),
    ).map(reduceFtype),
    hardware: jsonFiles("data/hardware")
      .flatMap((f) => HardwareFileSchema.parse(f))
      .map(reduceHardware),
    budgets: jsonFiles("data/budgets").map((b) => reduceBudget(BudgetSchema.parse(b))),
    runs: runs.map((r) => reduceRun(RunSchema.parse(r))),
  };
}
