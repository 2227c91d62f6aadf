/**
 * The largest context with a draft model in the calculator (pure): for the configuration the user
 * picked, the largest context where target + draft fit the budget (src/lib/engine/solve-draft.ts:
 * the draft's KV grows with the same context), capped at the trained context as the table is.
 * The other KV lines stay withheld (said): one exact search per change, not one per line.
 */
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { trainedCap } from "../catalog/largest-context.ts";
import { maxContextWithDraft, draftAdds } from "../engine/solve-draft.ts";
import type { Architecture } from "../../schemas/architecture.ts";
import type { CalcState } from "./state.ts";
import type { CalcView, Resolved } from "./view.ts";
import { configFor, errMsg } from "./view/config.ts";

export interface DraftSideInput {
  arch: Architecture;
  config: RuntimeConfig;
}

export interface DraftLargest {
  nCtx: number | null;
  limitedBy: "memory" | "trained-context" | null;
  /** Target + draft in the budget's pool at nCtx. */
  poolBytes: number | null;
  error: string | null;
}

/** Largest context for the selected K/V with the draft, or why not. */
export function draftLargest(view: CalcView, r: Resolved, d: DraftSideInput, state: CalcState): DraftLargest {
  const eb = view.s.budget.engine;
  if (!eb) return { nCtx: null, limitedBy: null, poolBytes: null, error: view.s.budget.error ?? "no budget" };
  try {
    const vis = state.vision && r.model.vision.available;
    const cfg = configFor(state, state.typeK, state.typeV, 0, r.model.exactWeights, vis);
    const trained = r.arch.context_length;
    const opts = {
      tensors: r.tensors,
      tensors_ftype: r.tensorsFtype,
      ...(trained ? { limit: trainedCap(trained, cfg) } : {}),
    };
    const x = maxContextWithDraft(r.arch, cfg, eb, { arch: d.arch, config: d.config }, opts);
    if (!x) return { nCtx: null, limitedBy: "memory", poolBytes: null, error: null };
    const pool = (b: Breakdown) => (view.s.budget.pool === "device" ? b.total.device_bytes : b.total.bytes);
    const add = draftAdds(x.draft);
    const poolBytes = pool(x.breakdown) + (view.s.budget.pool === "device" ? add.device : add.total);
    return {
      nCtx: x.n_ctx,
      limitedBy: x.limited_by === "limit" ? "trained-context" : "memory",
      poolBytes,
      error: null,
    };
  } catch (e) {
    return { nCtx: null, limitedBy: null, poolBytes: null, error: errMsg(e) };
  }
}
