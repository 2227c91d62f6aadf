/** `--fit` dry runs and the flash-attention `auto` resolution. */
import { RE_FA_RESOLVED, RE_FIT_PROJECTED, RE_FIT_REDUCED } from "./patterns.ts";
import { type ParserState, context } from "./state.ts";

/** Flash attention resolved by `auto` and the `--fit` projections (dry runs, reduced context). */
export function handleFitLine(s: ParserState, t: string, n: number): boolean {
  let m: RegExpExecArray | null;
  if (t.includes("Flash Attention was auto")) {
    m = RE_FA_RESOLVED.exec(t);
    if (m) {
      context(s, n).flashAttnResolved = { value: m[1], line: n };
      return true;
    }
  }
  if (t.includes("projected to use")) {
    m = RE_FIT_PROJECTED.exec(t);
    if (m) {
      s.facts.fit = { ...s.facts.fit, projectedMiB: Number(m[1]), freeMiB: Number(m[2]), line: n };
      return true;
    }
  }
  if (t.includes("context size reduced")) {
    m = RE_FIT_REDUCED.exec(t);
    if (m) {
      s.facts.fit = {
        ...s.facts.fit,
        reduced: { from: Number(m[1]), to: Number(m[2]), line: n },
        line: s.facts.fit?.line ?? n,
      };
      return true;
    }
  }
  return false;
}
