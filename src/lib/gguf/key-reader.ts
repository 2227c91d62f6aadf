import type { GgufMetadata, GgufValue } from "./header.ts";

/** A GGUF header that cannot be mapped: names the architecture and the keys missing. */
export class GgufMappingError extends Error {
  readonly arch: string | null;
  readonly missing: readonly string[];
  constructor(message: string, arch: string | null, missing: readonly string[] = []) {
    super(message);
    this.name = "GgufMappingError";
    this.arch = arch;
    this.missing = missing;
  }
}

/** Typed reads of `{arch}.<suffix>` keys; a value of the wrong type is a GgufMappingError naming the key. */
export class Reader {
  readonly arch: string;
  readonly meta: GgufMetadata;
  constructor(arch: string, meta: GgufMetadata) {
    this.arch = arch;
    this.meta = meta;
  }
  key(suffix: string): string {
    return `${this.arch}.${suffix}`;
  }
  has(suffix: string): boolean {
    return this.meta[this.key(suffix)] !== undefined;
  }
  private bad(suffix: string, v: GgufValue, expected: string): GgufMappingError {
    return new GgufMappingError(
      `GGUF key ${this.key(suffix)} is ${JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? String(x) : x))}, expected ${expected}`,
      this.arch,
    );
  }
  uint(suffix: string): number | null {
    const v = this.meta[this.key(suffix)];
    if (v === undefined) return null;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw this.bad(suffix, v, "a non-negative integer");
    return v;
  }
  float(suffix: string): number | null {
    const v = this.meta[this.key(suffix)];
    if (v === undefined) return null;
    if (typeof v !== "number") throw this.bad(suffix, v, "a number");
    return v;
  }
  /** Scalar or per-layer array of non-negative integers (get_key_or_arr). */
  uintOrArray(suffix: string, nLayer: number): number | number[] | null {
    const v = this.meta[this.key(suffix)];
    if (v === undefined) return null;
    if (Array.isArray(v)) {
      if (v.length !== nLayer) throw this.bad(suffix, v.length, `an array of block_count = ${nLayer} entries`);
      return v.map((x) => {
        if (typeof x === "boolean") return x ? 1 : 0;
        if (typeof x !== "number" || !Number.isInteger(x) || x < 0)
          throw this.bad(suffix, x, "non-negative integer entries");
        return x;
      });
    }
    return this.uint(suffix);
  }
  /** Per-layer flags stored as bool or integer arrays (or a scalar bool for every layer). */
  flags(suffix: string, nLayer: number): boolean[] | null {
    const v = this.meta[this.key(suffix)];
    if (v === undefined) return null;
    if (typeof v === "boolean") return new Array<boolean>(nLayer).fill(v);
    if (!Array.isArray(v)) return null;
    if (v.length > nLayer) throw this.bad(suffix, v.length, `at most block_count = ${nLayer} entries`);
    const out = new Array<boolean>(nLayer).fill(false);
    v.forEach((x, i) => {
      if (typeof x === "boolean") out[i] = x;
      else if (typeof x === "number") out[i] = x !== 0;
      else throw this.bad(suffix, x, "bool or integer entries");
    });
    return out;
  }
}
