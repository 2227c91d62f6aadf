/**
 * Shared pieces of the raw-output parsers: line normalisation, bounded warning
 * collection, size-unit arithmetic and a streaming line splitter. Every parser is a pure function
 * of text (or a line-by-line state machine for logs too large to hold in memory).
 */
import { MiB, GiB, KiB } from "../../../src/lib/units.ts";

/** A line that looked relevant (it names a memory quantity) but matched no known format. */
export interface ParseWarning {
  line: number;
  text: string;
  message: string;
}

/** Where a fact came from: 1-based line number in the raw file. */
export interface At {
  line: number;
}

/** The text of a line with its wrappers removed, and the llama.cpp log level if one was printed. */
export interface NormalisedLine {
  text: string;
  level?: string;
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const ANSI = /\x1B\[[0-9;]*m/g;
const ROUTER_CHILD = /^\[\d+\] /;
const JOURNAL = /^.*?\bollama\[\d+\]: /;
const DOCKER = /^[\w.-]+\s+\| /;

/**
 * Remove the wrappers a log line may carry (CR, ANSI colours, systemd journal, docker compose,
 * llama-server router child, llama.cpp timestamp + level). Cheap checks come first so that a
 * 200 MB log spends almost no time here.
 */
export function normaliseLine(raw: string): NormalisedLine {
  let text = raw;
  if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
  if (text.includes("\x1b")) text = text.replace(ANSI, "");
  if (text.includes("ollama[")) text = text.replace(JOURNAL, "");
  if (hasDockerPrefix(text)) text = text.replace(DOCKER, "");
  if (text.charCodeAt(0) === 91 /* [ */) text = text.replace(ROUTER_CHILD, "");
  const c = text.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    // `M.SS.mmm.uuu L ` checked by hand (this runs on every line of a 200 MB log)
    const sp = text.indexOf(" ");
    if (sp >= 12 && text.charCodeAt(sp + 2) === 32 && isTimestamp(text, sp)) {
      const l = text.charCodeAt(sp + 1);
      if (l >= 65 && l <= 90) return { text: text.slice(sp + 3), level: text[sp + 1] };
    }
  }
  return { text };
}

/**
 * `DOCKER.test(text)` without a regex or a scan of the whole line: a run of `[\w.-]`, then
 * whitespace, then `| `. (Searching every line for " | " cost a tenth of a 200 MB parse.)
 */
function hasDockerPrefix(text: string): boolean {
  const n = text.length;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    const word =
      (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
    if (!word) break;
  }
  if (i === 0 || i === n || !isSpace(text.charCodeAt(i))) return false;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  return text.charCodeAt(i) === 124 /* | */ && text.charCodeAt(i + 1) === 32;
}

/** `\s` of a regex, for one UTF-16 code unit. */
function isSpace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  return c > 127 && /\s/.test(String.fromCharCode(c));
}

/** `\d+\.\d{2}\.\d{3}\.\d{3}` ending just before position `end`. */
function isTimestamp(text: string, end: number): boolean {
  // from the end: ddd . ddd . dd . d+
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const d = end - i;
    if (d === 4 || d === 8 || d === 11) {
      if (c !== 46) return false;
    } else if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Collects warnings up to a cap, then only counts them, so a pathological log stays bounded. */
export class WarningSink {
  readonly items: ParseWarning[] = [];
  dropped = 0;
  readonly cap: number;
  constructor(cap = 200) {
    this.cap = cap;
  }
  add(line: number, text: string, message: string): void {
    if (this.items.length < this.cap) this.items.push({ line, text: clip(text), message });
    else this.dropped++;
  }
  /** The warnings, plus one summarising the dropped ones. */
  list(): ParseWarning[] {
    if (this.dropped === 0) return [...this.items];
    return [
      ...this.items,
      {
        line: 0,
        text: "",
        message: `${this.dropped} further warnings not shown`,
      },
    ];
  }
}

/** Shorten a line for messages. */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** MiB as printed (2 decimals) → bytes. The printed value has ±0.005 MiB resolution. */
export function mibToBytes(mib: number): number {
  return Math.round(mib * MiB);
}

/** Resolution (half of the last printed digit) of a decimal string in a unit, in bytes. */
export function resolutionBytes(printed: string, unitBytes: number): number {
  const dot = printed.indexOf(".");
  const decimals = dot < 0 ? 0 : printed.length - dot - 1;
  return Math.round((unitBytes * 0.5) / 10 ** decimals);
}

/** Bytes of a size with a 1024-based suffix (`K`, `M`, `G`, `KB`, `MiB`, `B`) as macOS tools print them. */
export function binarySize(value: string, unit: string): number | undefined {
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0) return undefined;
  const factor = BINARY_UNITS[unit.toUpperCase()];
  return factor === undefined ? undefined : Math.round(v * factor);
}

const BINARY_UNITS: Record<string, number> = {
  "": 1,
  B: 1,
  BYTES: 1,
  K: KiB,
  KB: KiB,
  KIB: KiB,
  M: MiB,
  MB: MiB,
  MIB: MiB,
  G: GiB,
  GB: GiB,
  GIB: GiB,
  T: GiB * 1024,
  TB: GiB * 1024,
  TIB: GiB * 1024,
};

/** Split text into lines with 1-based numbers (without materialising an array for callers that stream). */
export function* lines(text: string): Generator<[string, number]> {
  let start = 0;
  let n = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    n++;
    if (nl < 0) {
      if (start < text.length) yield [text.slice(start), n];
      return;
    }
    yield [text.slice(start, nl), n];
    start = nl + 1;
  }
}

/** A parser that consumes one line at a time and yields its facts at the end. */
export interface LineParser<F> {
  push(raw: string, lineNo: number): void;
  finish(): F;
}

/** Run a line parser over a whole text. */
export function runOnText<F>(parser: LineParser<F>, text: string): F {
  for (const [l, n] of lines(text)) parser.push(l, n);
  return parser.finish();
}

/**
 * Feed a byte stream to a line parser with bounded memory: chunks are decoded incrementally and
 * split on '\n'; only the unfinished tail of a chunk is carried over. A single line longer than
 * `maxLine` characters is cut (and reported once) instead of growing the buffer without bound.
 */
export async function runOnStream<F>(
  parser: LineParser<F>,
  stream: AsyncIterable<Buffer | string>,
  opts: { maxLine?: number; onLongLine?: (line: number) => void } = {},
): Promise<{ facts: F; bytes: number; lines: number }> {
  const maxLine = opts.maxLine ?? 1 << 20;
  const decoder = new TextDecoder("utf-8");
  let tail = "";
  let n = 0;
  let bytes = 0;
  let skippingLong = false;
  for await (const chunk of stream) {
    let s: string;
    if (typeof chunk === "string") {
      s = chunk;
      bytes += Buffer.byteLength(chunk);
    } else {
      s = decoder.decode(chunk, { stream: true });
      bytes += chunk.length;
    }
    let start = 0;
    for (;;) {
      const nl = s.indexOf("\n", start);
      if (nl < 0) break;
      const piece = s.slice(start, nl);
      start = nl + 1;
      n++;
      if (skippingLong) {
        skippingLong = false;
        tail = "";
        continue;
      }
      const line = tail.length ? tail + piece : piece;
      tail = "";
      parser.push(line, n);
    }
    if (!skippingLong) {
      tail += s.slice(start);
      if (tail.length > maxLine) {
        opts.onLongLine?.(n + 1);
        parser.push(tail.slice(0, maxLine), n + 1);
        tail = "";
        skippingLong = true;
      }
    }
  }
  const rest = decoder.decode();
  if (!skippingLong && (tail.length || rest.length)) {
    n++;
    parser.push(tail + rest, n);
  }
  return { facts: parser.finish(), bytes, lines: n };
}
