/**
 * Byte and token-count units. Bytes are the only internal unit; every human string is read here
 * (and written by format.ts) so that binary (MiB, GiB — what llama.cpp prints) and decimal
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

/** The one context syntax: `32768`, `32k`/`32K` (× 1024, as llama.cpp users mean it), `1M` (× 1024²). */
const TOKENS = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmM]?)\s*$/;

/** A token count, or null when the text is not one (or not a whole number of tokens). */
export function readTokens(input: string): number | null {
  const m = TOKENS.exec(input);
  if (!m) return null;
  const mult = m[2] === "" ? 1 : m[2].toLowerCase() === "k" ? 1024 : 1024 * 1024;
  const value = Number(m[1]) * mult;
  return Number.isInteger(value) ? value : null;
}

/** Parse a token count (see TOKENS); throws UnitError naming the input. */
export function parseTokens(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isInteger(input) || input < 0) throw new UnitError(`invalid token count ${input}`);
    return input;
  }
  if (!TOKENS.test(input))
    throw new UnitError(`cannot read "${input}" as a token count (expected e.g. 32768, 32k, 128K)`);
  const value = readTokens(input);
  if (value === null) throw new UnitError(`token count "${input}" is not a whole number of tokens`);
  return value;
}
