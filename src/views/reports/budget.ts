/**
 * A data/budgets entry resolved for the engine (Astro only): the catalog's usable budget (its
 * hardware's working-set limit included) and the same budget in the solver's pool terms. Without
 * a hardware entry a Metal scenario is unified memory, so the whole process counts.
 */
import { getEntry } from "astro:content";
import type { Hardware } from "../../schemas/hardware.ts";
import type { Backend } from "../../schemas/runtime-config.ts";
import { engineBudget, usableBudget } from "../../lib/catalog/index.ts";
import type { UsableBudget } from "../../lib/catalog/index.ts";
import type { Budget } from "../../schemas/budget.ts";
import type { PoolBudget } from "../../lib/reports/analysis.ts";
import { requireBudget } from "./data.ts";

export interface ResolvedBudget {
  budget: Budget;
  hardware: Hardware | null;
  usable: UsableBudget;
  engine: PoolBudget;
}

export async function resolveBudget(id: string, backend: Backend): Promise<ResolvedBudget> {
  const budget = await requireBudget(id);
  let hardware: Hardware | null = null;
  if (budget.hardwareId) {
    const h = await getEntry("hardware", budget.hardwareId);
    if (!h) throw new Error(`budget "${id}" names hardware "${budget.hardwareId}", which the data lacks`);
    hardware = h.data;
  }
  const usable = usableBudget(budget, hardware);
  const engine: PoolBudget = hardware
    ? engineBudget(usable, hardware)
    : backend === "cuda"
      ? { bytes: usable.bytes, pool: "device" }
      : { bytes: usable.bytes, pool: "total" };
  return { budget, hardware, usable, engine };
}
