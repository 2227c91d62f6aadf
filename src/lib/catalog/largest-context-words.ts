import type { BudgetPool } from "../engine/solve.ts";
import type { ContextLimit, LargestContext } from "./largest-context.ts";
import { formatContext } from "../format.ts";

/**
 * The words of a largest-context answer (./largest-context.ts), engine-free so the calculator's
 * initial bundle can say them.
 */

/** Words for a limit; `pool` names the memory for "memory". */
export function limitWords(l: ContextLimit, pool: BudgetPool = "total"): string {
  switch (l) {
    case "memory":
      return pool === "device" ? "GPU memory" : pool === "host" ? "host memory" : "memory";
    case "working-set":
      return "the GPU working-set limit";
    case "trained-context":
      return "the model's trained context";
    case "search-end":
      return "the end of the searched range";
  }
}

/**
 * One line: "largest context 40,960 (40K) (limited by the model's trained context); memory would
 * allow 95,744 (93.5K) — beyond the trained context: needs RoPE/YaRN scaling".
 */
export function describeLargest(lc: LargestContext, pool: BudgetPool = "total"): string {
  if (lc.nCtx === null)
    return `nothing fits, not even ${formatContext(lc.step)} (limited by ${limitWords(lc.limitedBy, pool)})`;
  let s = `largest context ${formatContext(lc.nCtx)} (limited by ${limitWords(lc.limitedBy, pool)})`;
  if (lc.beyond) s += `; ${describeBeyond(lc.beyond, pool)}`;
  return s;
}

/** "memory would allow 95,744 (93.5K) — beyond the trained context: needs RoPE/YaRN scaling". */
export function describeBeyond(b: NonNullable<LargestContext["beyond"]>, pool: BudgetPool = "total"): string {
  const atLeast = b.limitedBy === "search-end" ? "at least " : "";
  const what = b.limitedBy === "working-set" ? "the working-set limit" : limitWords("memory", pool);
  return `${what} would allow ${atLeast}${formatContext(b.nCtx)} — beyond the trained context: needs RoPE/YaRN scaling`;
}
