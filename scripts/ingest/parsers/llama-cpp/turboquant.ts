/** TurboQuant fork lines and V-cache notes. */
import { RE_TURBO_ASYM, RE_TURBO_ASYM2, RE_TURBO_BOUNDARY, RE_TURBO_PAD, RE_UNSUPPORTED } from "./patterns.ts";
import { type ParserState } from "./state.ts";

/** TurboQuant fork lines (zero padding, rotations, auto-asymmetric K, boundary V) and V-cache notes. */
export function handleTurboLine(s: ParserState, t: string, n: number): boolean {
  let m: RegExpExecArray | null;
  if (t.includes("turbo") || t.includes("Turbo") || t.includes("auto-asymmetric") || t.includes("Boundary V")) {
    if (t.includes("turbo cache types require flash_attn")) {
      s.facts.turbo.flashAttnForced = n;
      return true;
    }
    m = RE_TURBO_ASYM.exec(t);
    if (m) {
      s.facts.turbo.autoAsymmetric = {
        gqaRatio: Number(m[1]),
        nHead: Number(m[2]),
        nHeadKv: Number(m[3]),
        from: m[4],
        to: m[5],
        line: n,
      };
      return true;
    }
    m = RE_TURBO_ASYM2.exec(t);
    if (m) {
      s.facts.turbo.autoAsymmetric = { reason: m[1], gqaRatio: Number(m[2]), to: "q8_0", line: n };
      return true;
    }
    m = RE_TURBO_BOUNDARY.exec(t);
    if (m) {
      if (!s.facts.turbo.boundaryV || m[1] !== undefined)
        s.facts.turbo.boundaryV = { mode: m[1] === undefined ? 7 : Number(m[1]), text: t, line: n };
      return true;
    }
    m = RE_TURBO_PAD.exec(t);
    if (m) {
      s.facts.turbo.zeroPadding.push({
        which: m[1],
        from: Number(m[2]),
        to: Number(m[3]),
        cacheFrom: Number(m[4]),
        cacheTo: Number(m[5]),
        line: n,
      });
      return true;
    }
    if (t.includes("TurboQuant rotation matrices initialized")) {
      s.facts.turbo.rotationInit++;
      return true;
    }
  }
  if (t.includes("temporal decay applied")) {
    s.facts.turbo.temporalDecayLines++;
    return true;
  }
  if (t.includes("Unsupported cache type")) {
    m = RE_UNSUPPORTED.exec(t);
    if (m) {
      s.facts.turbo.unsupportedType = { type: m[1], line: n };
      return true;
    }
  }
  if (
    t.includes("padding V cache") ||
    t.includes("quantized V cache was requested") ||
    t.includes("V embeddings have different sizes")
  ) {
    s.facts.kvNotes.push({ text: t.trim(), line: n });
    return true;
  }
  return false;
}
