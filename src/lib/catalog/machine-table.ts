/**
 * "Every model on this machine" (pure; the /models/ island loads it with the engine on the first
 * interaction): every row's largest context for the machine and budget the user sets, with the
 * calculator's own rules — the machine pick is the calculator's `machinePatch`, the budget its
 * `budgetView` (usable memory after the budget's reservations, the Apple working-set limit), the
 * answer `largestContext` — so the calculator, the CLI and /models/ give one number.
 */
import type { Architecture, ArchitectureInput } from "../../schemas/architecture.ts";
import { ArchitectureSchema } from "../../schemas/architecture.ts";
import type { CalcCatalog, HardwareOption } from "../calculator/catalog.ts";
import { machinePatch } from "../calculator/question.ts";
import { DEFAULT_STATE, type CalcBackend, type CalcState } from "../calculator/state.ts";
import { budgetView } from "../calculator/view/budget.ts";
import type { Budget } from "../engine/solve.ts";
import type { BudgetChoice } from "./choices.ts";
import { tableRowsAt, type KvRowInput, type KvRowResult } from "./kv-recompute.ts";

/** The machine a /models/ table is read against: the calculator's hw, b, tot and be. */
export interface TableMachine {
  readonly hardware: string;
  readonly budget: string;
  readonly totalBytes: number | null;
  readonly backend: CalcBackend;
}

/** What the island fetches on first interaction (/calculator/catalog.json has these fields). */
export type MachineCatalog = Pick<CalcCatalog, "hardware" | "budgets"> & {
  readonly models: readonly { readonly id: string; readonly architecture: ArchitectureInput }[];
};

/** A row as the island passes it: id, default weights, trained context (no architecture: fetched). */
export type TableRowRef = Omit<KvRowInput, "architecture">;

/** The machine of a static page (its budget choice). */
export function choiceMachine(choice: BudgetChoice): TableMachine {
  return { hardware: choice.hardware ?? "", budget: choice.budget, totalBytes: null, backend: choice.backend };
}

function calcState(m: TableMachine): CalcState {
  return { ...DEFAULT_STATE, hardware: m.hardware, budget: m.budget, totalBytes: m.totalBytes, backend: m.backend };
}

/** Picking a machine from the hardware catalog ("" = none): the calculator's rule for budget and backend. */
export function pickMachine(cat: MachineCatalog, m: TableMachine, hardwareId: string): TableMachine {
  const budgets = cat.budgets.map((b) => ({ id: b.id, hardwareId: b.hardwareId, hasTotal: b.total !== null }));
  const p = machinePatch(cat.hardware as HardwareOption[], budgets, m.budget, hardwareId);
  return {
    hardware: p.hardware ?? m.hardware,
    budget: p.budget ?? m.budget,
    totalBytes: p.totalBytes === undefined ? m.totalBytes : p.totalBytes,
    backend: (p.backend as CalcBackend | undefined) ?? m.backend,
  };
}

/** The solver's budget for a machine, as the calculator computes it, or the reason there is none. */
export function machineBudget(cat: MachineCatalog, m: TableMachine): { budget: Budget } | { error: string } {
  const v = budgetView(calcState(m), { ...cat, models: [], kvTypes: [], ftypes: [], runs: [] } as CalcCatalog);
  if (v.error !== null || v.engine === null) return { error: v.error ?? "no budget" };
  return { budget: v.engine };
}

/** Rows with their architectures parsed once (the engine's memo keys on the parsed objects). */
export function prepareRows(cat: MachineCatalog, rows: readonly TableRowRef[]): KvRowInput[] {
  const arch = new Map<string, Architecture>();
  for (const m of cat.models) arch.set(m.id, ArchitectureSchema.parse(m.architecture));
  return rows.flatMap((r) => {
    const a = arch.get(r.id);
    return a ? [{ ...r, architecture: a }] : [];
  });
}

/** Every row's largest context on a machine at K/V type `kv`, or the budget's error. */
export function tableForMachine(
  cat: MachineCatalog,
  rows: readonly KvRowInput[],
  m: TableMachine,
  kv: string,
): { rows: KvRowResult[]; error: null } | { rows: null; error: string } {
  const b = machineBudget(cat, m);
  if ("error" in b) return { rows: null, error: b.error };
  return { rows: tableRowsAt(rows, kv, { budget: b.budget, machine: m }), error: null };
}
