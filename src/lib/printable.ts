/**
 * Text that came from a file (a file name, a GGUF `general.name`, a log line) made safe to print
 * to a terminal: control characters (C0, DEL, C1 — escape sequences retitle or clear a
 * terminal) and bidirectional overrides (they reorder what the reader sees) are shown as
 * `\u{…}` instead of being sent raw. The one helper every CLI uses for such text. Pure.
 */

// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNPRINTABLE_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const show = (c: string) => `\\u{${c.charCodeAt(0).toString(16)}}`;

/** `s` with every unprintable character escaped; tabs and newlines kept unless `oneLine`. */
export function printable(s: string, oneLine = false): string {
  return s.replace(oneLine ? UNPRINTABLE_OR_NEWLINE : UNPRINTABLE, show);
}
