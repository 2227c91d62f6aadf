/**
 * Choosing another preset model also chooses that preset's default weights (its `defaultFtype`,
 * from src/lib/catalog/weights.ts defaultWeightVariant — the same default `npm run calc` uses), so
 * the page never sizes a model with weights picked for the previous one. A change that names its
 * own ftype keeps it; GGUF files and custom architectures keep the current ftype.
 */
import type { CalcState } from "./state.ts";

export function withModelDefaults(
  patch: Partial<CalcState>,
  current: CalcState,
  models: readonly { id: string; defaultFtype: string }[],
): Partial<CalcState> {
  if (patch.model === undefined || patch.model === current.model || patch.ftype !== undefined) return patch;
  const m = models.find((x) => x.id === patch.model);
  return m ? { ...patch, ftype: m.defaultFtype } : patch;
}
