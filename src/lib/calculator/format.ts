/** Display helpers of the calculator (tiny; part of the initial JS). Bytes in, text out. */
import { MiB, formatBinary, formatDecimal } from "../units.ts";

/** "17.32 GiB" (binary, as llama.cpp prints). */
export const gib = (n: number): string => formatBinary(n);
/** "18.60 GB" (decimal, as Apple and Ollama print). */
export const gb = (n: number): string => formatDecimal(n);
/** "32,768" (toLocaleString is ~4 µs a call: too slow for every slider step). */
export const int = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
/** "32K" style for axis-like labels. */
export function shortCtx(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return int(n);
}
/** MiB with two decimals, llama.cpp's `size = … MiB` form. */
export const mib2 = (n: number): string => `${(n / MiB).toFixed(2)} MiB`;
