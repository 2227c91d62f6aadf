/**
 * A /models/ row's link into the calculator: the same model, machine and budget, and the table's
 * own settings (upstream llama.cpp, the row's K/V type, flash attention on, one sequence, the
 * preset's default weights), so the calculator's largest context is the row's.
 */
import { DEFAULT_STATE, stateToQuery, type CalcBackend, type CalcState } from "../calculator/state.ts";

/** The machine part of the link (the calculator's hw, b, tot and be). */
export interface LinkMachine {
  readonly hardware: string;
  readonly budget: string;
  readonly totalBytes: number | null;
  readonly backend: CalcBackend;
}

export function calculatorQuery(modelId: string, machine: LinkMachine, ftype: string, kv = "f16"): string {
  const s: CalcState = {
    ...DEFAULT_STATE,
    model: modelId,
    engine: "llama.cpp",
    revision: "current",
    backend: machine.backend,
    typeK: kv as CalcState["typeK"],
    typeV: kv as CalcState["typeV"],
    nSeq: 1,
    unified: false,
    flashAttn: "on",
    ftype,
    hardware: machine.hardware,
    budget: machine.budget,
    totalBytes: machine.totalBytes,
  };
  return stateToQuery(s, DEFAULT_STATE);
}
