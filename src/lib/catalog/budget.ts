import type { Budget, BudgetItem } from "../../schemas/budget.ts";
import type { Hardware } from "../../schemas/hardware.ts";
import { MiB } from "../units.ts";

/**
 * Usable memory of a budget on a machine (pure):
 *
 *   usable = min(total − Σ kept reservations, Metal working-set limit)
 *
 * Kept reservations are the items the engine does not model (OS, display). Items the engine
 * replaces with its own terms (compute buffers, runtime / driver overhead) are NOT subtracted:
 * the engine adds its own estimate on the demand side. The working-set limit applies to Apple
 * Silicon only: the default `recommendedMaxWorkingSetSize` or an `iogpu.wired_limit_mb` override.
 */

export class BudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BudgetError";
  }
}

export interface UsableBudget {
  /** Usable bytes: min(freeAfterReservationsBytes, workingSetBytes). */
  bytes: number;
  /** What bounds `bytes`. `stated` = the source's own result (its items are not all itemised). */
  limitedBy: "reservations" | "working-set" | "stated";
  /** Budget total: stated, else the hardware's usable VRAM (measured) or memory. */
  totalBytes: number;
  /** Σ kept reservations with a known amount. */
  reservedBytes: number;
  /** total − kept reservations (or the stated result, see limitedBy). */
  freeAfterReservationsBytes: number;
  /** Metal GPU working-set limit in force, null off Apple Silicon. */
  workingSetBytes: number | null;
  workingSetKind: "measured" | "estimated" | "override" | null;
  /** Items subtracted. */
  kept: BudgetItem[];
  /** Items shown for provenance only; the engine's own terms replace them. */
  replaced: BudgetItem[];
  warnings: string[];
}

export interface UsableBudgetOptions {
  /** `sudo sysctl iogpu.wired_limit_mb=<MiB>` override of the Metal limit (Apple only). */
  wiredLimitMiB?: number | null;
}

/** The hardware a budget names, from a list (throws naming the id when it is missing). */
export function findHardware(list: readonly Hardware[], id: string): Hardware {
  const h = list.find((x) => x.id === id);
  if (!h) throw new BudgetError(`no hardware entry "${id}"`);
  return h;
}

export function usableBudget(budget: Budget, hardware: Hardware | null, opts: UsableBudgetOptions = {}): UsableBudget {
  if (budget.hardwareId !== null && hardware !== null && hardware.id !== budget.hardwareId)
    throw new BudgetError(`budget "${budget.id}" is for hardware "${budget.hardwareId}", not "${hardware.id}"`);
  const warnings: string[] = [];
  let totalBytes: number;
  if (budget.total) totalBytes = budget.total.bytes;
  else if (hardware) totalBytes = hardware.usableMemory?.usableBytes ?? hardware.memoryBytes;
  else throw new BudgetError(`budget "${budget.id}" takes its total from the hardware: pick a machine`);

  const kept = budget.items.filter((i) => i.replacedByEngine === null);
  const replaced = budget.items.filter((i) => i.replacedByEngine !== null);
  const reservedBytes = kept.reduce((s, i) => s + (i.stated?.bytes ?? 0), 0);
  for (const i of budget.items)
    if (i.estimated)
      warnings.push(`"${i.label}" is a placeholder (${i.stated?.amount} ${i.stated?.unit}); edit it for your machine`);

  let free: number;
  let stated = false;
  const unitemised = kept.filter((i) => i.stated === null);
  if (unitemised.length > 0) {
    if (!budget.statedAvailable)
      throw new BudgetError(
        `budget "${budget.id}": reservation "${unitemised[0].label}" has no amount and the budget states no result`,
      );
    // The source gives only its result, which also deducts the items the engine replaces; add
    // back those whose amount is known. Conservative by the unknown replaced amounts.
    const addBack = replaced.reduce((s, i) => s + (i.stated?.bytes ?? 0), 0);
    free = budget.statedAvailable.bytes + addBack;
    stated = true;
    const lumped = replaced.filter((i) => i.stated === null).map((i) => i.label);
    warnings.push(
      `the source does not itemise ${unitemised.map((i) => `"${i.label}"`).join(", ")}: using its stated result` +
        (lumped.length ? `, which also deducts ${lumped.join(", ")} that the engine counts itself (conservative)` : ""),
    );
  } else free = totalBytes - reservedBytes;
  if (free < 0) throw new BudgetError(`budget "${budget.id}": reservations exceed the total`);

  let ws: number | null = null;
  let wsKind: UsableBudget["workingSetKind"] = null;
  const override = opts.wiredLimitMiB ?? null;
  if (override !== null) {
    if (!hardware?.wiredLimitSysctl) throw new BudgetError("iogpu.wired_limit_mb applies to Apple Silicon only");
    if (!Number.isInteger(override) || override <= 0)
      throw new BudgetError(`iogpu.wired_limit_mb must be a positive whole number of MiB, got ${override}`);
    ws = override * MiB;
    wsKind = "override";
    warnings.push(
      "iogpu.wired_limit_mb is not persistent across reboots; setting it past a safe limit kernel-panicked a 32 GB M1 Max twice (unsloth #9172)",
    );
    if (ws > hardware.memoryBytes) warnings.push("the wired limit exceeds the machine's memory");
  } else if (hardware?.metalWorkingSet) {
    ws = hardware.metalWorkingSet.bytes;
    wsKind = hardware.metalWorkingSet.kind;
    if (wsKind === "estimated")
      warnings.push(`Metal working-set limit estimated (${hardware.metalWorkingSet.rule}); record the real value`);
  }

  const bytes = ws === null ? free : Math.min(free, ws);
  const limitedBy: UsableBudget["limitedBy"] =
    ws !== null && ws < free ? "working-set" : stated ? "stated" : "reservations";
  return {
    bytes,
    limitedBy,
    totalBytes,
    reservedBytes,
    freeAfterReservationsBytes: free,
    workingSetBytes: ws,
    workingSetKind: wsKind,
    kept,
    replaced,
    warnings,
  };
}

/**
 * The same budget in the engine solver's terms (src/lib/engine/solve.ts `Budget`): on Apple
 * unified memory everything (device + host buffers) must fit the free RAM and the GPU buffers
 * must also fit the working set; on a discrete card the device buffers must fit the usable VRAM.
 */
export function engineBudget(
  u: UsableBudget,
  hardware: Hardware | null,
): { bytes: number; pool: "device" | "total"; device_limit_bytes?: number } {
  if (hardware?.memoryKind === "unified")
    return {
      bytes: u.freeAfterReservationsBytes,
      pool: "total",
      ...(u.workingSetBytes !== null ? { device_limit_bytes: u.workingSetBytes } : {}),
    };
  return { bytes: u.bytes, pool: "device" };
}
