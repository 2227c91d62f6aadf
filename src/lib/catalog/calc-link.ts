/**
 * A /models/ row's link into the calculator: the same model, machine and budget, and the table's
 * own settings (upstream llama.cpp, f16 K/V, flash attention on, one sequence, the preset's default weights),
 * so the calculator's largest context is the row's.
 */
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../calculator/state.ts";
import type { BudgetChoice } from "./choices.ts";

export function calculatorQuery(
  modelId: string,
  choice: BudgetChoice,
  hardwareId: string | null,
  ftype: string,
  kv = "f16",
): string {
  const s: CalcState = {
    ...DEFAULT_STATE,
    model: modelId,
    engine: "llama.cpp",
    revision: "current",
    backend: choice.backend,
    typeK: kv as CalcState["typeK"],
    typeV: kv as CalcState["typeV"],
    nSeq: 1,
    unified: false,
    flashAttn: "on",
    ftype,
    hardware: hardwareId ?? "",
    budget: choice.budget,
  };
  return stateToQuery(s, DEFAULT_STATE);
}
