/** The families without a cheap prefix, tried in order. */
import { handleRunLine } from "./run-lines.ts";
import { handlePlacementLine } from "./placement.ts";
import { handleFitLine } from "./fit.ts";
import { handleTurboLine } from "./turboquant.ts";
import { type ParserState } from "./state.ts";

/**
 * Every other recognised line, family by family, in the order llama.cpp's lines were matched before
 * the split.
 */
export function handleOther(s: ParserState, t: string, n: number): boolean {
  if (handleRunLine(s, t, n) || handlePlacementLine(s, t, n) || handleFitLine(s, t, n) || handleTurboLine(s, t, n))
    return true;
  if (t.includes("draft") || t.includes("Draft")) s.draftHint = true;
  return false;
}
