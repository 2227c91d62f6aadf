/**
 * Number formatting for report tables. Units are always named: GB = 10⁹ B (the original report's
 * and Apple's unit), GiB/MiB = 2³⁰/2²⁰ B (llama.cpp's).
 */
import { GB, GiB, MiB } from "../../lib/units.ts";
import { formatTokens } from "../../lib/units.ts";

export const gb = (bytes: number, digits = 2): string => `${(bytes / GB).toFixed(digits)} GB`;
export const gib = (bytes: number, digits = 2): string => `${(bytes / GiB).toFixed(digits)} GiB`;
export const mib = (bytes: number, digits = 2): string => `${(bytes / MiB).toFixed(digits)} MiB`;
export const ctxLabel = (n: number): string => formatTokens(n);

/** Signed percentage with one decimal: "+3.2 %", "−0.4 %", "0.0 %". */
export function pct(x: number, digits = 1): string {
  const s = Math.abs(x).toFixed(digits);
  if (Number(s) === 0) return `${(0).toFixed(digits)} %`;
  return `${x < 0 ? "−" : "+"}${s} %`;
}

/** (measured − calculated) / calculated × 100. */
export function deltaPct(measured: number, calculated: number): number {
  if (calculated === 0) return measured === 0 ? 0 : Infinity;
  return ((measured - calculated) / calculated) * 100;
}

/** "×4.57" style ratio. */
export const ratio = (x: number, digits = 2): string => `×${x.toFixed(digits)}`;

/** "turboquant 2026-03": an engine profile as one string (no whitespace for the HTML minifier to eat). */
export const profileLabel = (p: { name: string; revision: string }): string => `${p.name} ${p.revision}`;
