/**
 * What every SVG that Observable Plot draws begins with (its class and stylesheet) and the
 * escaping of text and attribute values, for the writers that produce Plot's markup without Plot
 * (run-chart-svg.ts, memory-chart-svg.ts).
 */

/** The class Plot gives its SVG (and the prefix of its legend classes). */
export const CLS = "plot-d6a7b5";

const TEXT_SPECIAL = /[&<>]/;
/** Text escaped as the virtual DOM (virtual-dom.ts) serialises it. */
export function text(s: string): string {
  return TEXT_SPECIAL.test(s) ? s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : s;
}
export function attr(s: string): string {
  return /[&<>"]/.test(s) ? text(s).replace(/"/g, "&quot;") : s;
}

/** The stylesheet Plot puts in every SVG it draws. */
export const SVG_STYLE = `:where(.${CLS}) {
  --plot-background: white;
  display: block;
  height: auto;
  height: intrinsic;
  max-width: 100%;
}
:where(.${CLS} text),
:where(.${CLS} tspan) {
  white-space: pre;
}`;
