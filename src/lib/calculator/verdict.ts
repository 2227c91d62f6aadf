/**
 * Does it fit? The verdict on a total against the budget the engine is given (pure): headroom in
 * bytes and per cent of the binding limit (the budget, or the Apple GPU working-set limit).
 * Shared by the view (./view.ts) and what is added beside the model (./draft-view.ts).
 */
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { Budget as EngineBudget } from "../engine/solve.ts";
import { formatBinary } from "../format.ts";

export interface Verdict {
  kind: "fits" | "tight" | "no" | "unknown";
  text: string;
  headroomBytes: number | null;
  headroomPct: number | null;
}

type Totals = Breakdown["total"];

export function fitsBudget(b: { total: Totals }, eb: EngineBudget): { ok: boolean; headroom: number; rel: number } {
  const pool = eb.pool === "device" ? b.total.device_bytes : eb.pool === "host" ? b.total.host_bytes : b.total.bytes;
  let headroom = eb.bytes - pool;
  let rel = headroom / eb.bytes;
  if (eb.device_limit_bytes !== undefined) {
    const h2 = eb.device_limit_bytes - b.total.device_bytes;
    const r2 = h2 / eb.device_limit_bytes;
    if (r2 < rel) {
      rel = r2;
      headroom = h2;
    }
  }
  return { ok: headroom >= 0, headroom, rel };
}

/** The verdict for `total` under the budget (`engine`: what the solver is given; null = none). */
export function verdictFor(
  total: Totals,
  budget: { engine: EngineBudget | null; error: string | null; pool: "device" | "total" },
): Verdict {
  const eb = budget.engine;
  if (!eb)
    return {
      kind: "unknown",
      text: `No budget: ${budget.error ?? "pick one"}`,
      headroomBytes: null,
      headroomPct: null,
    };
  const device = total.device_bytes;
  const poolBytes = budget.pool === "device" ? device : total.bytes;
  const f = fitsBudget({ total }, eb);
  const pct = f.rel * 100;
  const limitWord =
    eb.device_limit_bytes !== undefined && eb.device_limit_bytes - device <= eb.bytes - poolBytes
      ? "the GPU working-set limit"
      : "the budget";
  const at = { headroomBytes: f.headroom, headroomPct: pct };
  if (!f.ok) return { kind: "no", text: `Does not fit: ${formatBinary(-f.headroom)} over ${limitWord}.`, ...at };
  if (f.rel < 0.1)
    return {
      kind: "tight",
      text: `Tight: fits with ${formatBinary(f.headroom)} to spare (${pct.toFixed(1)} % of ${limitWord}, under 10 %).`,
      ...at,
    };
  return {
    kind: "fits",
    text: `Fits: ${formatBinary(f.headroom)} to spare (${pct.toFixed(1)} % of ${limitWord}).`,
    ...at,
  };
}
