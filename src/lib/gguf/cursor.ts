import { LIMITS, overLimit } from "../../schemas/limits.ts";
import { GgufParseError } from "./raw-types.ts";
import type { GgufValue } from "./raw-types.ts";

/**
 * The byte cursor of the GGUF header parser: typed reads over the bytes fetched so far, which
 * throw NeedMore (how many bytes the step needs) when they run short, so the parser can fetch
 * more and resume at the last committed item.
 */

export class NeedMore {
  readonly need: number;
  constructor(need: number) {
    this.need = need;
  }
}

// Header counts and sizes are bounded before anything is allocated (src/schemas/limits.ts).
const MAX_ARRAY = LIMITS.ggufArray;
const MAX_STRING = LIMITS.ggufString;
const decoder = new TextDecoder("utf-8");

function slow(buf: Uint8Array, start: number, len: number): string {
  return decoder.decode(buf.subarray(start, start + len));
}

/**
 * UTF-16 length of well-formed UTF-8 bytes [i, end), or -1 if they are not well-formed (overlong,
 * surrogate, truncated or stray bytes), in which case the caller decodes string by string.
 */
function utf16Length(b: Uint8Array, i: number, end: number): number {
  let units = 0;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      units += 1;
      i += 1;
    } else if (c >= 0xc2 && c < 0xe0) {
      if (i + 1 >= end || (b[i + 1] & 0xc0) !== 0x80) return -1;
      units += 1;
      i += 2;
    } else if (c >= 0xe0 && c < 0xf0) {
      if (i + 2 >= end || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80) return -1;
      const cp = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) return -1;
      units += 1;
      i += 3;
    } else if (c >= 0xf0 && c < 0xf5) {
      if (i + 3 >= end || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80 || (b[i + 3] & 0xc0) !== 0x80)
        return -1;
      const cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return -1;
      units += 2;
      i += 4;
    } else return -1;
  }
  return units;
}

/** UTF-8 → string for short, well-formed input; null sends the caller to TextDecoder. */
function shortUtf8(b: Uint8Array, i: number, end: number): string | null {
  const codes: number[] = [];
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      codes.push(c);
      i += 1;
    } else if (c >= 0xc2 && c < 0xe0 && i + 1 < end && (b[i + 1] & 0xc0) === 0x80) {
      codes.push(((c & 0x1f) << 6) | (b[i + 1] & 0x3f));
      i += 2;
    } else if (c >= 0xe0 && c < 0xf0 && i + 2 < end && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80) {
      const cp = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) return null;
      codes.push(cp);
      i += 3;
    } else {
      return null; // 4-byte sequences and anything malformed: let TextDecoder handle it
    }
  }
  return String.fromCharCode.apply(null, codes);
}

export class Cursor {
  /** The bytes not yet consumed by finished steps: file offsets [base, base + buf.length). */
  buf: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  /** File offset of buf[0]. */
  base = 0;
  pos = 0;
  /** Where the running step resumes after more bytes arrive (the end of its last finished item). */
  committed = 0;
  eof = false;
  /** Where the length scan of a string array got to before it ran out of bytes (resumed, not redone). */
  private scan: { at: number; i: number; off: number } | null = null;

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      if (this.eof) throw new GgufParseError(`header truncated at byte ${this.base + this.pos + n}`);
      throw new NeedMore(this.pos + n);
    }
  }
  private len(what: string): number {
    const n = this.u64n();
    if (n > MAX_STRING) throw new GgufParseError(overLimit(what, n, MAX_STRING, "bytes of one string"));
    return n;
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64n(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    if (hi >= 0x200000) throw new GgufParseError(`size ${hi} × 2^32 + ${lo} exceeds 2^53`);
    return hi * 0x100000000 + lo;
  }
  string(): string {
    const len = this.len("string length");
    this.need(len);
    const start = this.pos;
    this.pos += len;
    // short strings (vocabulary pieces) decode faster in JS than through TextDecoder
    return len <= 48
      ? (shortUtf8(this.buf, start, start + len) ?? slow(this.buf, start, len))
      : slow(this.buf, start, len);
  }
  /**
   * A string array (vocabularies, merges: 10^5 entries). Valid UTF-8 is decoded with ONE
   * TextDecoder call over the concatenated bytes and cut into pieces by their UTF-16 lengths;
   * an array with any malformed string falls back to decoding each string on its own.
   */
  stringArray(n: number): string[] {
    this.need(8 * n); // every element has at least its 8-byte length: a lower bound before allocating
    this.need(this.stringArrayExtent(n));
    const starts = new Uint32Array(n);
    const lens = new Uint32Array(n);
    const units = new Uint32Array(n);
    let total = 0;
    let valid = true;
    for (let i = 0; i < n; i++) {
      const len = this.len("string length");
      starts[i] = this.pos;
      lens[i] = len;
      if (valid) {
        const u = utf16Length(this.buf, this.pos, this.pos + len);
        if (u < 0) valid = false;
        else units[i] = u;
      }
      this.pos += len;
      total += len;
    }
    const out = new Array<string>(n);
    if (!valid) {
      for (let i = 0; i < n; i++) out[i] = slow(this.buf, starts[i], lens[i]);
      return out;
    }
    const bytes = new Uint8Array(total);
    let q = 0;
    for (let i = 0; i < n; i++) {
      const s = starts[i];
      const e = s + lens[i];
      if (lens[i] > 32) bytes.set(this.buf.subarray(s, e), q);
      else for (let j = s, k = q; j < e; j++, k++) bytes[k] = this.buf[j];
      q += lens[i];
    }
    const all = decoder.decode(bytes);
    let off = 0;
    for (let i = 0; i < n; i++) {
      out[i] = all.slice(off, off + units[i]);
      off += units[i];
    }
    return out;
  }
  /**
   * Bytes of a string array starting at `pos`, scanning only the lengths. When the bytes run out
   * the scan's progress is kept, so the retry after the next read resumes it: a vocabulary
   * spanning many read chunks is scanned once, not once per chunk.
   */
  private stringArrayExtent(n: number): number {
    const at = this.base + this.pos;
    let { i, off } = this.scan?.at === at ? this.scan : { i: 0, off: 0 };
    while (i < n) {
      if (this.pos + off + 8 > this.buf.length) {
        this.scan = { at, i, off };
        this.need(off + 8);
      }
      const lo = this.view.getUint32(this.pos + off, true);
      const hi = this.view.getUint32(this.pos + off + 4, true);
      if (hi !== 0 || lo > MAX_STRING)
        throw new GgufParseError(overLimit("string length", hi * 2 ** 32 + lo, MAX_STRING, "bytes of one string"));
      off += 8 + lo;
      i++;
    }
    this.scan = null;
    return off;
  }
  value(t: number, depth = 0): GgufValue {
    const v = this.view;
    switch (t) {
      case 0:
        return this.u8();
      case 1:
        this.need(1);
        return v.getInt8(this.pos++);
      case 2:
        this.need(2);
        this.pos += 2;
        return v.getUint16(this.pos - 2, true);
      case 3:
        this.need(2);
        this.pos += 2;
        return v.getInt16(this.pos - 2, true);
      case 4:
        return this.u32();
      case 5:
        this.need(4);
        this.pos += 4;
        return v.getInt32(this.pos - 4, true);
      case 6:
        this.need(4);
        this.pos += 4;
        return v.getFloat32(this.pos - 4, true);
      case 7:
        return this.u8() !== 0;
      case 8:
        return this.string();
      case 9: {
        if (depth > 3) throw new GgufParseError("nested arrays deeper than 4");
        const it = this.u32();
        if (it > 12) throw new GgufParseError(`unknown array element type ${it}`);
        const n = this.u64n();
        if (n > MAX_ARRAY) throw new GgufParseError(overLimit("array length", n, MAX_ARRAY, "elements of one array"));
        // fixed-size numeric arrays: check the whole extent once, then read without checks
        const fixed = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8][it];
        if (fixed > 0) this.need(fixed * n);
        const out: GgufValue[] = new Array(n);
        let p = this.pos;
        if (it === 4) {
          for (let i = 0; i < n; i++, p += 4) out[i] = v.getUint32(p, true);
        } else if (it === 5) {
          for (let i = 0; i < n; i++, p += 4) out[i] = v.getInt32(p, true);
        } else if (it === 6) {
          for (let i = 0; i < n; i++, p += 4) out[i] = v.getFloat32(p, true);
        } else if (it === 8) {
          return this.stringArray(n);
        } else {
          if (it === 9) this.need(12 * n); // a nested array is at least its type and length
          for (let i = 0; i < n; i++) out[i] = this.value(it, depth + 1);
          return out;
        }
        this.pos = p;
        return out;
      }
      case 10: {
        this.need(8);
        const b = v.getBigUint64(this.pos, true);
        this.pos += 8;
        return b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
      }
      case 11: {
        this.need(8);
        const b = v.getBigInt64(this.pos, true);
        this.pos += 8;
        return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b;
      }
      case 12:
        this.need(8);
        this.pos += 8;
        return v.getFloat64(this.pos - 8, true);
      default:
        throw new GgufParseError(`unknown value type ${t} at byte ${this.pos}`);
    }
  }
}
