/**
 * `npm run calc -- --devices … | --rpc …` (without --fit): the largest context for the placement as
 * given — the calculator's answer for a PC (src/lib/engine/placement/context.ts `placedContext`, the
 * device that goes over first named), capped at the trained context like every "largest context".
 */
import type { Architecture } from "../../src/schemas/architecture.ts";
import type { Placement } from "../../src/schemas/placement.ts";
import type { RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import type { TensorTable } from "../../src/schemas/tensor-table.ts";
import { placedContext, type PlacedContext } from "../../src/lib/engine/placement/context.ts";
import type { PlacementExtras } from "../../src/lib/engine/placement/extras.ts";
import { trainedCap, UNKNOWN_TRAINED_SEARCH_END } from "../../src/lib/catalog/largest-context.ts";
import { formatContext } from "../../src/lib/format.ts";

export interface PlacedAnswer {
  readonly result: PlacedContext;
  /** "trained-context", "search-end" or the device's buffer name. */
  readonly limitedBy: string;
}

export function answerPlaced(
  arch: Architecture,
  config: RuntimeConfig,
  placement: Placement,
  tensors: TensorTable | null,
  extras: PlacementExtras | null = null,
): PlacedAnswer {
  const trained = arch.context_length;
  const cap = trained ? trainedCap(trained, config) : UNKNOWN_TRAINED_SEARCH_END;
  const result = placedContext(arch, config, placement, tensors, { cap, beyond_end: cap * 4, extras });
  const limitedBy = result.limited_by === "cap" ? (trained ? "trained-context" : "search-end") : result.limited_by;
  return { result, limitedBy };
}

const words = (l: string): string =>
  l === "trained-context" ? "the model's trained context" : l === "search-end" ? "the end of the searched range" : l;

export function renderPlaced(a: PlacedAnswer): string {
  const r = a.result;
  if (r.n_ctx === null) return `placement as given: nothing fits (limited by ${words(a.limitedBy)})`;
  let s = `placement as given: largest context ${formatContext(r.n_ctx)} (limited by ${words(a.limitedBy)})`;
  if (r.beyond)
    s += `; device memory would allow ${r.beyond.limited_by === "search-end" ? "at least " : ""}${formatContext(r.beyond.n_ctx)} — beyond the trained context: needs RoPE/YaRN scaling`;
  return s;
}

export function placedJson(a: PlacedAnswer): Record<string, unknown> {
  return {
    max_context: a.result.n_ctx,
    limited_by: a.limitedBy,
    memory_would_allow: a.result.beyond?.n_ctx ?? null,
  };
}
