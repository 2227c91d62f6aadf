/**
 * Byte and token-count units. Bytes are the only internal unit; every conversion to or from a
 * human string goes through here so that binary (MiB, GiB — what llama.cpp prints) and decimal
 * (MB, GB — what Apple and Ollama print) never get mixed up silently.
 */

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * 1024 * 1024;
export const KB = 1e3;
export const MB = 1e6;
export const GB = 1e9;

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  kib: KiB,
  mib: MiB,
  gib: GiB,
  tib: GiB * 1024,
  kb: KB,
  mb: MB,
  gb: GB,
  tb: 1e12,
  // llama.cpp-style and Ollama-style shorthands; "K/M/G" alone are ambiguous, so refuse them.
};

export class UnitError extends Error {}

/**
 * Parse a size such as `27GB`, `24 GiB`, `8579.06 MiB` or a plain integer byte count. Units are
 * required for non-integers; an unknown unit is an error naming the accepted ones.
 */
export function parseBytes(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) throw new UnitError(`invalid byte count ${input}`);
    return Math.round(input);
  }
  const m = /^\s*([0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)\s*([A-Za-z]*)\s*$/.exec(input);
  if (!m) throw new UnitError(`cannot read "${input}" as a size (expected e.g. 27GB, 24GiB, 512MiB)`);
  const value = Number(m[1]);
  const unit = m[2].toLowerCase();
  if (!Number.isFinite(value)) throw new UnitError(`size "${input}" is not a finite number`);
  if (unit === "") {
    if (!Number.isInteger(value)) throw new UnitError(`size "${input}" needs a unit (B, KiB, MiB, GiB, KB, MB, GB)`);
    return value;
  }
  const factor = UNIT_BYTES[unit];
  if (factor === undefined)
    throw new UnitError(`unknown unit "${m[2]}" in "${input}" (accepted: B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)`);
  return Math.round(value * factor);
}

/**
 * Parse a token count: `32768`, `32k`/`32K` (× 1024, as llama.cpp users mean it), `1M` (× 1024²).
 */
export function parseTokens(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isInteger(input) || input < 0) throw new UnitError(`invalid token count ${input}`);
    return input;
  }
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmM]?)\s*$/.exec(input);
  if (!m) throw new UnitError(`cannot read "${input}" as a token count (expected e.g. 32768, 32k, 128K)`);
  const mult = m[2] === "" ? 1 : m[2].toLowerCase() === "k" ? 1024 : 1024 * 1024;
  const value = Number(m[1]) * mult;
  if (!Number.isInteger(value)) throw new UnitError(`token count "${input}" is not a whole number of tokens`);
  return value;
}

/** Format bytes as binary units (MiB below 1 GiB, else GiB), as llama.cpp prints them. */
export function formatBinary(bytes: number, digits = 2): string {
  const abs = Math.abs(bytes);
  if (abs >= GiB) return `${(bytes / GiB).toFixed(digits)} GiB`;
  if (abs >= MiB) return `${(bytes / MiB).toFixed(digits)} MiB`;
  if (abs >= KiB) return `${(bytes / KiB).toFixed(digits)} KiB`;
  return `${bytes} B`;
}

/** Format bytes as decimal units (MB / GB), as Apple and Ollama print them. */
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

/**
 * A context in tokens, exact with thousands separators and in K form side by side:
 * 40960 → "40,960 (40K)", 95744 → "95,744 (93.5K)", 1048576 → "1,048,576 (1M)", 300 → "300".
 */
export function formatContext(n: number): string {
  const exact = String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  if (n < 1024) return exact;
  if (n % (1024 * 1024) === 0) return `${exact} (${n / (1024 * 1024)}M)`;
  const k = Math.round((n / 1024) * 100) / 100;
  return `${exact} (${k * 1024 === n ? "" : "≈"}${k}K)`;
}

/** Format a token count compactly: 32768 → "32K", 131072 → "128K", 1000 → "1000". */
export function formatTokens(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}
