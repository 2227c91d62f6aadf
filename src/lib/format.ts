/**
 * Every number the site, the charts and the scripts print goes through here: bytes, contexts,
 * percentages. Units are always named: GiB/MiB = 2³⁰/2²⁰ B (what llama.cpp prints), GB/MB =
 * 10⁹/10⁶ B (what Apple, Ollama and the original report print). Parsing lives in units.ts.
 * Small and dependency-free: the calculator's initial bundle includes it.
 */
import { GB, GiB, KB, KiB, MB, MiB } from "./units.ts";

/** Bytes in GiB with a fixed number of decimals: "17.32 GiB". */
export const gib = (bytes: number, digits = 2): string => `${(bytes / GiB).toFixed(digits)} GiB`;
/** Bytes in MiB with a fixed number of decimals: "512.00 MiB". */
export const mib = (bytes: number, digits = 2): string => `${(bytes / MiB).toFixed(digits)} MiB`;
/** Bytes in (decimal) GB with a fixed number of decimals: "18.60 GB". */
export const gb = (bytes: number, digits = 2): string => `${(bytes / GB).toFixed(digits)} GB`;

/** Bytes in the largest binary unit that keeps the value ≥ 1 (GiB, MiB, KiB, B), as llama.cpp prints. */
export function formatBinary(bytes: number, digits = 2): string {
  const abs = Math.abs(bytes);
  if (abs >= GiB) return `${(bytes / GiB).toFixed(digits)} GiB`;
  if (abs >= MiB) return `${(bytes / MiB).toFixed(digits)} MiB`;
  if (abs >= KiB) return `${(bytes / KiB).toFixed(digits)} KiB`;
  return `${bytes} B`;
}

/** Bytes in the largest decimal unit (GB, MB, KB, B), as Apple and Ollama print them. */
export function formatDecimal(bytes: number, digits = 2): string {
  const abs = Math.abs(bytes);
  if (abs >= GB) return `${(bytes / GB).toFixed(digits)} GB`;
  if (abs >= MB) return `${(bytes / MB).toFixed(digits)} MB`;
  if (abs >= KB) return `${(bytes / KB).toFixed(digits)} KB`;
  return `${bytes} B`;
}

/**
 * MiB with two decimals, exactly as llama.cpp's `%.2f` prints its `size = … MiB` lines. bytes / 2^20
 * is exact in binary, so ties really happen (2 228 224 B = 2.125 MiB): C's printf rounds them to
 * even ("2.12") where JavaScript's toFixed rounds up ("2.13").
 */
export function toMiB2(bytes: number): string {
  if (!Number.isSafeInteger(bytes * 100)) return (bytes / MiB).toFixed(2);
  const hundredths = Math.floor((bytes * 100) / MiB);
  const rem = bytes * 100 - hundredths * MiB;
  const rounded = rem * 2 > MiB || (rem * 2 === MiB && hundredths % 2 === 1) ? hundredths + 1 : hundredths;
  const sign = rounded < 0 ? "-" : "";
  const abs = Math.abs(rounded);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** "32,768": digits in groups of three (toLocaleString is ~4 µs a call: too slow for every slider step). */
export const groupDigits = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/**
 * A context (token count) exactly and compactly: 32768 → "32K", 1048576 → "1M"; other counts as
 * digits ("1000", or "33,000" with `group`). K = 1024 tokens, as llama.cpp users mean it.
 */
export function formatTokens(n: number, opts: { group?: boolean } = {}): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return opts.group ? groupDigits(n) : String(n);
}

/**
 * A context in tokens, exact with thousands separators and in K form side by side:
 * 40960 → "40,960 (40K)", 95744 → "95,744 (93.5K)", 1048576 → "1,048,576 (1M)", 300 → "300".
 */
export function formatContext(n: number): string {
  const exact = groupDigits(n);
  if (n < 1024) return exact;
  if (n % (1024 * 1024) === 0) return `${exact} (${n / (1024 * 1024)}M)`;
  const k = Math.round((n / 1024) * 100) / 100;
  return `${exact} (${k * 1024 === n ? "" : "≈"}${k}K)`;
}

/** A context rounded for an axis tick: 1536 → "1.5K", 1048576 → "1M". */
export function formatTokensTick(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)}M`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)}K`;
  return String(n);
}

/** Signed percentage: "+3.2 %", "−0.4 %", "0.0 %". */
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
