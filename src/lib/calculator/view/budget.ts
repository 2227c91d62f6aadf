/**
 * The budget the question is asked against: the preset with the user's overrides, the hardware's
 * limits (Apple working set, measured usable memory) and what the engine's solver is given
 * (src/lib/catalog/budget.ts holds the rules).
 */
import type { Budget } from "../../../schemas/budget.ts";
import type { Hardware } from "../../../schemas/hardware.ts";
import type { Budget as EngineBudget } from "../../engine/solve.ts";
import { engineBudget, usableBudget } from "../../catalog/budget.ts";
import type { CalcCatalog, HardwareOption } from "../catalog.ts";
import type { CalcState } from "../state.ts";
import type { BudgetView } from "./types.ts";

function hardwareLike(h: HardwareOption): Hardware {
  return {
    id: h.id,
    name: h.name,
    vendor: h.vendor,
    memoryKind: h.unified ? "unified" : "discrete",
    memoryBytes: h.memoryBytes,
    metalWorkingSet: h.workingSet
      ? {
          bytes: h.workingSet.bytes,
          kind: h.workingSet.kind as "measured" | "estimated",
          rule: h.workingSet.rule,
          source: "",
          observations: [],
          note: null,
        }
      : null,
    wiredLimitSysctl: h.wiredLimit ? "iogpu.wired_limit_mb" : null,
    usableMemory:
      h.usableBytes !== null
        ? {
            totalBytes: h.memoryBytes,
            reservedBytes: 0,
            usableBytes: h.usableBytes,
            kind: "measured",
            source: "",
            note: null,
          }
        : null,
  } as unknown as Hardware;
}

/** Everything the budget fieldset and the chart's budget line show for this state. */
export function budgetView(state: CalcState, catalog: CalcCatalog): BudgetView {
  const b0 = catalog.budgets.find((b) => b.id === state.budget) ?? catalog.budgets[0];
  const hwOpt = state.hardware ? (catalog.hardware.find((h) => h.id === state.hardware) ?? null) : null;
  const hw = hwOpt ? hardwareLike(hwOpt) : null;
  // Apply the user's overrides to a copy of the budget.
  const b: Budget = {
    ...b0,
    total:
      state.totalBytes !== null
        ? { amount: state.totalBytes, unit: "B", bytes: state.totalBytes, approximate: false }
        : b0.total,
    items: b0.items.map((it, i) => {
      const o = state.items[String(i)];
      return o === undefined
        ? it
        : { ...it, stated: { amount: o, unit: "B", bytes: o, approximate: false }, estimated: false };
    }),
  };
  const pool: "device" | "total" = state.backend === "cuda" ? "device" : "total";
  const base: BudgetView = {
    name: b0.name,
    error: null,
    totalBytes: null,
    totalStatedAs: state.totalBytes !== null ? "edited" : b0.total ? `${b0.total.amount} ${b0.total.unit}` : null,
    items: b0.items.map((it, i) => ({
      index: i,
      label: it.label,
      bytes: b.items[i].stated?.bytes ?? null,
      statedAs: it.stated ? `${it.stated.approximate ? "~" : ""}${it.stated.amount} ${it.stated.unit}` : null,
      replacedBy: it.replacedByEngine,
      estimated: it.estimated,
      overridden: state.items[String(i)] !== undefined,
      note: it.note,
    })),
    statedAvailable: b0.statedAvailable ? `${b0.statedAvailable.amount} ${b0.statedAvailable.unit}` : null,
    quote: b0.quote,
    source: b0.source,
    notes: b0.notes,
    usableBytes: null,
    limitedBy: null,
    freeAfterReservationsBytes: null,
    workingSetBytes: null,
    workingSetKind: null,
    defaultWorkingSetBytes: hwOpt?.workingSet?.bytes ?? null,
    defaultWorkingSetKind: hwOpt?.workingSet
      ? `${hwOpt.workingSet.kind}${hwOpt.workingSet.rule ? `: ${hwOpt.workingSet.rule}` : ""}`
      : null,
    apple: hwOpt?.vendor === "apple",
    warnings: [],
    engine: null,
    lineBytes: null,
    pool,
  };
  try {
    const u = usableBudget(b, hw, { wiredLimitMiB: state.wiredMiB });
    const eb = engineBudget(u, hw);
    // Off Apple: the bar and line compare the chart's pool with the usable bytes.
    const engine: EngineBudget = hw ? eb : { bytes: u.bytes, pool };
    return {
      ...base,
      totalBytes: u.totalBytes,
      usableBytes: u.bytes,
      limitedBy: u.limitedBy,
      freeAfterReservationsBytes: u.freeAfterReservationsBytes,
      workingSetBytes: u.workingSetBytes,
      workingSetKind: u.workingSetKind,
      warnings: u.warnings,
      engine: { ...engine, pool: engine.pool ?? pool },
      lineBytes: engine.bytes,
      pool: (engine.pool ?? pool) as "device" | "total",
    };
  } catch (e) {
    return { ...base, error: (e as Error).message };
  }
}
