/**
 * macOS `/usr/bin/time -l` (tests/fixtures/ingest/log-formats/time-l/): a `real/user/sys` line, then one `%20ld  %s`
 * counter per line. On macOS "maximum resident set size" is in BYTES (Linux/FreeBSD print
 * kilobytes); "peak memory footprint" (phys_footprint) is bytes and only printed when > 0.
 */
import { WarningSink, lines, type ParseWarning } from "./common.ts";

export interface TimeLFacts {
  tool: "time-l";
  realSeconds?: number;
  userSeconds?: number;
  sysSeconds?: number;
  maxRssBytes?: number;
  maxRssLine?: number;
  peakFootprintBytes?: number;
  peakFootprintLine?: number;
  counters: Record<string, { value: number; line: number }>;
  warnings: ParseWarning[];
}

const RE_REAL = /^\s*([\d.]+)\s+real\s+([\d.]+)\s+user\s+([\d.]+)\s+sys\s*$/;
const RE_P = /^(real|user|sys)\s+([\d.]+)\s*$/;
const RE_COUNTER = /^\s*(\d+)\s+([a-z][a-z ()/_-]*?)(?:\s{2,}.*)?\s*$/;

/** Counter labels time.c prints (so annotations after the label can be cut). */
const LABELS = [
  "maximum resident set size",
  "average shared memory size",
  "average unshared data size",
  "average unshared stack size",
  "page reclaims",
  "page faults",
  "swaps",
  "block input operations",
  "block output operations",
  "messages sent",
  "messages received",
  "signals received",
  "voluntary context switches",
  "involuntary context switches",
  "instructions retired",
  "cycles elapsed",
  "peak memory footprint",
];

/** A process of a few MB is implausible for an LLM runtime: such a value is kilobytes, not bytes. */
const MIN_PLAUSIBLE_RSS_BYTES = 16 * 1024 * 1024;

export function parseTimeL(text: string): TimeLFacts {
  const w = new WarningSink();
  const f: TimeLFacts = { tool: "time-l", counters: {}, warnings: [] };
  for (const [raw, n] of lines(text)) {
    const l = raw.replace(/\r$/, "");
    if (!l.trim()) continue;
    let m = RE_REAL.exec(l);
    if (m) {
      f.realSeconds = Number(m[1]);
      f.userSeconds = Number(m[2]);
      f.sysSeconds = Number(m[3]);
      continue;
    }
    m = RE_P.exec(l.trim());
    if (m) {
      if (m[1] === "real") f.realSeconds = Number(m[2]);
      else if (m[1] === "user") f.userSeconds = Number(m[2]);
      else f.sysSeconds = Number(m[2]);
      continue;
    }
    m = RE_COUNTER.exec(l);
    if (!m) {
      if (/resident set|footprint/.test(l)) w.add(n, l, "looks like a time -l counter but does not parse");
      continue;
    }
    const label = LABELS.find((x) => m![2].startsWith(x)) ?? m[2].trim();
    const value = Number(m[1]);
    f.counters[label] = { value, line: n };
    if (label === "maximum resident set size") {
      f.maxRssBytes = value;
      f.maxRssLine = n;
      if (value > 0 && value < MIN_PLAUSIBLE_RSS_BYTES)
        w.add(
          n,
          l,
          `maximum resident set size ${value} is too small to be bytes; this looks like Linux/FreeBSD time -l (kilobytes) — not used`,
        );
    } else if (label === "peak memory footprint") {
      f.peakFootprintBytes = value;
      f.peakFootprintLine = n;
    }
  }
  if (f.maxRssBytes !== undefined && f.maxRssBytes > 0 && f.maxRssBytes < MIN_PLAUSIBLE_RSS_BYTES) {
    f.maxRssBytes = undefined;
    f.maxRssLine = undefined;
  }
  f.warnings = w.list();
  return f;
}
