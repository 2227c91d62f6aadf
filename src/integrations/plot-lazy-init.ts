/**
 * A Vite plugin that moves work Observable Plot does when its module is evaluated to the moment
 * it is first needed, with the same results. Plot's `format.js` builds its default number format
 * (`formatDefault = formatAuto()` → `new Intl.NumberFormat("en-US")`) at module load; a page's first
 * Intl.NumberFormat costs 10–30 ms in Chromium (ICU locale data), ≈80 ms of main thread at 4× CPU
 * throttling, on the critical path of the calculator's first live chart (bench: /calculator/ time
 * to interactive). The calculator's chart never formats a number through it (its ticks have their
 * own formats and its texts and titles are strings), so the formatter is now created when a number
 * is first formatted.
 *
 * Each rewrite names the exact source text it replaces: a Plot release that changes it fails the
 * build (here) instead of silently shipping the eager code or a broken module.
 */
import type { Plugin } from "vite";

interface Rewrite {
  /** The end of the module's resolved path. */
  file: string;
  from: string;
  to: string;
}

export const REWRITES: Rewrite[] = [
  {
    file: "/@observablehq/plot/src/format.js",
    from: `export function formatNumber(locale = "en-US") {
  const format = numberFormat(locale);
  return (i) => (i != null && !isNaN(i) ? format.format(i) : undefined);
}`,
    to: `export function formatNumber(locale = "en-US") {
  let format;
  return (i) => (i != null && !isNaN(i) ? (format ??= numberFormat(locale)).format(i) : undefined);
}`,
  },
];

/** `code` of the module at `id` with its rewrites applied (null: none for this module). */
export function rewritePlotModule(id: string, code: string): string | null {
  const path = id.split("?")[0].replace(/\\/g, "/");
  const mine = REWRITES.filter((r) => path.endsWith(r.file));
  if (mine.length === 0) return null;
  let out = code.replace(/\r\n/g, "\n");
  for (const r of mine) {
    const at = out.indexOf(r.from);
    if (at < 0 || out.indexOf(r.from, at + 1) >= 0)
      throw new Error(`plot-lazy-init: ${r.file} no longer holds the text this rewrite replaces exactly once`);
    out = out.slice(0, at) + r.to + out.slice(at + r.from.length);
  }
  return out;
}

export function plotLazyInit(): Plugin {
  return {
    name: "context-ceiling:plot-lazy-init",
    enforce: "pre",
    transform(code, id) {
      const out = rewritePlotModule(id, code);
      return out === null ? null : { code: out, map: null };
    },
  };
}
