/**
 * Catalog helpers (pure): usable budgets, weight options, /models table rows. The data itself is
 * loaded by the caller (Astro content collections, or scripts/catalog/validate.ts loadCatalog).
 */
export { BudgetError, engineBudget, findHardware, usableBudget } from "./budget.ts";
export type { UsableBudget, UsableBudgetOptions } from "./budget.ts";
export { estimateBpw, estimateWeightBytes, weightOptions } from "./weights.ts";
export { attentionLayout, modelTableRow, presetFigures } from "./table.ts";
export type { ModelTableRow, PresetFigures, TableRowOptions } from "./table.ts";
export { describeBeyond, describeLargest, largestContext, limitWords, trainedCap } from "./largest-context.ts";
export type { ContextLimit, LargestContext, LargestContextOptions } from "./largest-context.ts";
