/**
 * The chart's annotations that are not curves: the budget line's label, the GPU working-set limit
 * line, and the Metal allowances that bound the uncalibrated estimates.
 */
import { formatBinary, formatDecimal } from "../../format.ts";
import type { CalcCatalog } from "../catalog.ts";
import type { BudgetView, MaxRow, StaticView } from "./types.ts";

/** The budget line's label ("— binds" when the selected line is limited by memory). */
export function budgetLabel(budget: BudgetView, picked: MaxRow | undefined): string {
  return budget.lineBytes !== null
    ? `budget ${formatDecimal(budget.lineBytes)} (${formatBinary(budget.lineBytes)})${picked?.limitedBy === "memory" ? " — binds" : ""}`
    : "no budget";
}

/** The GPU working-set limit as a chart line, when the engine's budget has one. */
export function limitLines(
  budget: BudgetView,
  picked: MaxRow | undefined,
): { bytes: number; label: string; binding: boolean }[] {
  const ws = budget.engine?.device_limit_bytes;
  return ws !== undefined
    ? [
        {
          bytes: ws,
          label: `GPU working-set limit ${formatBinary(ws)}${picked?.limitedBy === "working-set" ? " — binds" : ""}`,
          binding: picked?.limitedBy === "working-set",
        },
      ]
    : [];
}

/** The stated Metal driver (and Ollama runtime) allowance of the first reported budget that itemises it (e.g. the 36 GB M3 Max report). */
export function metalAllowances(catalog: CalcCatalog, engine: string): StaticView["metalRange"] {
  for (const b of catalog.budgets) {
    const amount = (kinds: string[]) =>
      b.items.filter((i) => kinds.includes(i.kind) && i.stated).reduce((a, i) => a + i.stated!.bytes, 0);
    const driver = amount(["gpu-driver"]);
    if (!driver) continue;
    const runtime = engine === "ollama" ? amount(["runtime"]) : 0;
    return { overheadHi: driver + runtime, source: b.name };
  }
  return null;
}
