/**
 * GNU `/usr/bin/time -v` (tests/fixtures/ingest/log-formats/time-v/): tab-indented `Label: value` lines on stderr.
 * Each line is split at the first ": " — colons inside labels such as `(h:mm:ss or m:ss)` are
 * never followed by a space. `-f "%M"` output (a lone integer, KiB) is accepted too.
 */
import { KiB } from "../../../src/lib/units.ts";
import { WarningSink, lines, type ParseWarning } from "./common.ts";

export interface TimeVFacts {
  tool: "time-v";
  command?: string;
  /** Maximum resident set size, bytes (printed in KiB: ±1 KiB). */
  maxRssBytes?: number;
  maxRssLine?: number;
  elapsedSeconds?: number;
  userSeconds?: number;
  systemSeconds?: number;
  exitStatus?: number;
  pageSizeBytes?: number;
  fields: Record<string, { value: string; line: number }>;
  warnings: ParseWarning[];
}

const RE_FIELD = /^\t?\s*(.+?): (.*)$/;

/** `h:mm:ss` or `m:ss.ss` → seconds. */
function clockSeconds(s: string): number | undefined {
  const parts = s.trim().split(":").map(Number);
  if (parts.some((p) => !Number.isFinite(p))) return undefined;
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

export function parseTimeV(text: string): TimeVFacts {
  const w = new WarningSink();
  const f: TimeVFacts = { tool: "time-v", fields: {}, warnings: [] };
  for (const [raw, n] of lines(text)) {
    const l = raw.replace(/\r$/, "");
    if (!l.trim()) continue;
    const m = RE_FIELD.exec(l);
    if (!m) {
      if (/^\s*\d+\s*$/.test(l) && f.maxRssBytes === undefined && Object.keys(f.fields).length === 0) {
        // `-f "%M"`: the maximum RSS alone, in KiB
        f.maxRssBytes = Number(l.trim()) * KiB;
        f.maxRssLine = n;
      } else if (/resident|kbytes/i.test(l)) w.add(n, l, "looks like a time -v line but has no 'Label: value' form");
      continue;
    }
    const label = m[1].trim();
    const value = m[2].trim();
    f.fields[label] = { value, line: n };
    const num = Number(value.replace(/%$/, ""));
    switch (label) {
      case "Command being timed":
        f.command = value.replace(/^"|"$/g, "");
        break;
      case "Maximum resident set size (kbytes)":
        if (Number.isInteger(num) && num >= 0) {
          f.maxRssBytes = num * KiB;
          f.maxRssLine = n;
        } else w.add(n, l, `maximum RSS "${value}" is not a whole number of kbytes`);
        break;
      case "Elapsed (wall clock) time (h:mm:ss or m:ss)":
        f.elapsedSeconds = clockSeconds(value);
        break;
      case "User time (seconds)":
        f.userSeconds = num;
        break;
      case "System time (seconds)":
        f.systemSeconds = num;
        break;
      case "Exit status":
        f.exitStatus = num;
        break;
      case "Page size (bytes)":
        f.pageSizeBytes = num;
        break;
    }
  }
  f.warnings = w.list();
  return f;
}
