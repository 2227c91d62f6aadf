/**
 * `--hardware <machine>`: a catalog machine as the budget (by id or name: "M3 Max 36 GB",
 * "rtx 4090"), through the same rules as the calculator (src/lib/catalog/machine.ts,
 * src/lib/catalog/budget.ts): usable memory after the budget's itemised reservations, and on
 * Apple Silicon the GPU working-set limit; the machine's backend unless --backend is given.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BudgetSchema } from "../../src/schemas/budget.ts";
import { HardwareFileSchema } from "../../src/schemas/hardware.ts";
import type { Hardware } from "../../src/schemas/hardware.ts";
import { engineBudget, usableBudget } from "../../src/lib/catalog/budget.ts";
import { findEntry } from "../../src/lib/catalog/find-preset.ts";
import { machineDefaults } from "../../src/lib/catalog/machine.ts";
import type { MachineBackend } from "../../src/lib/catalog/machine.ts";
import type { Budget } from "../../src/lib/engine/index.ts";
import { UsageError } from "./options.ts";
import { formatBinary } from "../../src/lib/format.ts";

export interface MachineBudget {
  readonly hardware: Hardware;
  readonly budget: Budget;
  readonly backend: MachineBackend;
  /** "Apple M3 Max, 36 GB: working-set limit 25.77 GB (estimated)". */
  readonly label: string;
  readonly notes: string[];
}

export function readHardware(dataDir: string): Hardware[] {
  const dir = join(dataDir, "hardware");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap((f) => HardwareFileSchema.parse(JSON.parse(readFileSync(join(dir, f), "utf8"))));
}

export function machineBudget(dataDir: string, query: string): MachineBudget {
  const list = readHardware(dataDir);
  const found = findEntry(list, query, { contains: true });
  if (!found.match) {
    const near = found.suggestions.map((h) => `${h.id} (${h.name})`).join(", ");
    throw new UsageError(
      `--hardware "${query}": no such machine${near ? `; did you mean: ${near}?` : ""} (ids in data/hardware/*.json)`,
    );
  }
  const hw = found.match;
  const d = machineDefaults(hw);
  const raw = JSON.parse(readFileSync(join(dataDir, "budgets", `${d.budgetId}.json`), "utf8"));
  const u = usableBudget(BudgetSchema.parse(raw), hw);
  const eb = engineBudget(u, hw);
  const parts = [`total ${formatBinary(u.totalBytes)}`];
  if (u.reservedBytes > 0)
    parts.push(`${formatBinary(u.reservedBytes)} reserved (${u.kept.map((k) => k.label).join(", ")})`);
  if (u.workingSetBytes !== null)
    parts.push(`GPU working-set limit ${formatBinary(u.workingSetBytes)} (${u.workingSetKind})`);
  const notes = [...u.warnings, ...(d.note ? [d.note] : [])];
  return { hardware: hw, budget: eb, backend: d.backend, label: `${hw.name} (${parts.join("; ")})`, notes };
}
