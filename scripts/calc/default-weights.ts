/**
 * Which weights `npm run calc` counts when `--weights` is not given: a GGUF's own tensor table, a
 * preset's default variant (src/lib/catalog/weights.ts defaultWeightVariant, the same choice the
 * calculator page makes), or — for a bare architecture, which carries no weight information —
 * nothing, said at the top of the output as an error, since 0 B of weights is never a real answer.
 */
import { defaultWeightVariant } from "../../src/lib/catalog/weights.ts";
import type { LoadedModel } from "./load-model.ts";

export interface WeightsChoice {
  /** The ftype to size the weights with (null: the tensor table, or nothing). */
  ftype: string | null;
  /** True when the weights are unknown and counted as 0 B. */
  zero: boolean;
  /** One line for the top of the output: how the weights were chosen; null for a GGUF. */
  line: string | null;
}

export function chooseWeights(m: LoadedModel, requested: string | null, requestedBy = "--weights"): WeightsChoice {
  if (m.tensors) return { ftype: requested, zero: false, line: null };
  if (requested !== null) return { ftype: requested, zero: false, line: `weights: ${requested} (${requestedBy})` };
  if (m.weights !== null) {
    const d = defaultWeightVariant({ weights: m.weights });
    return {
      ftype: d.ftype,
      zero: false,
      line: `weights: ${d.ftype}, the preset's default (${d.basis}); --weights <ftype> for another`,
    };
  }
  return {
    ftype: null,
    zero: true,
    line: "error: no weight information (a bare architecture: no tensor table, no weight variants): weights counted as 0 B — give --weights <ftype> or a .gguf",
  };
}

/** Why a budget answer is refused when the weights are unknown (exit 1). */
export const ZERO_WEIGHTS_BUDGET =
  "--budget: the weights are unknown (counted as 0 B), so no fit is claimed; give --weights <ftype> or a .gguf, or --weights-zero to size without weights";
