/**
 * llama.cpp's log lines as the profile records them: each line prefixed the way llama.cpp's own
 * tools print it (common log: `M.SS.mmm.uuu L ` = minutes, seconds, milliseconds, microseconds
 * since the log started, then the level I/W/E/D), so the ingest parser reads a profile log exactly
 * like a `llama-server` or memprobe log (see the wrappers stripped by scripts/ingest/parsers/common.ts).
 */

export type LevelLetter = "I" | "W" | "E" | "D";

export interface RecordedLine {
  /** Milliseconds since the recorder started. */
  t: number;
  level: LevelLetter;
  text: string;
  /**
   * A continuation (llama.cpp's LOG_CNT, e.g. the progress dots of a model load): printed as
   * llama.cpp's common log prints it, without timestamp and level.
   */
  cont?: boolean;
}

/** node-llama-cpp's LlamaLogLevel names → llama.cpp's level letters. */
export function levelLetter(level: string): LevelLetter {
  switch (level) {
    case "fatal":
    case "error":
      return "E";
    case "warn":
      return "W";
    case "debug":
      return "D";
    default:
      return "I";
  }
}

/** `0.01.680.665` for 1680.665 ms. */
export function formatTimestamp(ms: number): string {
  const us = Math.max(0, Math.round(ms * 1000));
  const min = Math.floor(us / 60_000_000);
  const sec = Math.floor(us / 1_000_000) % 60;
  const msec = Math.floor(us / 1000) % 1000;
  const usec = us % 1000;
  return `${min}.${String(sec).padStart(2, "0")}.${String(msec).padStart(3, "0")}.${String(usec).padStart(3, "0")}`;
}

export function formatLine(l: RecordedLine): string {
  return l.cont ? l.text : `${formatTimestamp(l.t)} ${l.level} ${l.text}`;
}

/**
 * Messages node-llama-cpp itself sends through the same logger (its JavaScript side, not
 * llama.cpp): left out so that a case's llama.log holds only llama.cpp's lines and the profile's.
 */
const LIBRARY_MESSAGES =
  /^(Resolved model gpu layers\.|Loading model for simulator session\.|Simulating (model|context) resource usage\.|Disabling residency sets)/;

const DOTS = /^\.+$/;

export class LogRecorder {
  readonly lines: RecordedLine[] = [];
  private readonly t0: number;
  /** Called for every recorded line (the runner watches for allocation failures and type lines). */
  onLine?: (l: RecordedLine) => void;

  constructor(t0 = performance.now()) {
    this.t0 = t0;
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /** Record a message from the library's logger; multi-line messages become several lines. */
  push(level: string, message: string): void {
    const letter = levelLetter(level);
    const t = this.now();
    for (const text of message.split("\n")) {
      const clean = text.replace(/\r$/, "");
      if (clean === "" || LIBRARY_MESSAGES.test(clean)) continue;
      const prev = this.lines.at(-1);
      if (DOTS.test(clean) && prev?.cont) {
        // the library hands over each progress dot on its own; llama.cpp prints them as one line
        prev.text += clean;
        continue;
      }
      const l: RecordedLine = { t, level: letter, text: clean, ...(DOTS.test(clean) ? { cont: true } : {}) };
      this.lines.push(l);
      this.onLine?.(l);
    }
  }

  /** A line of the profile's own (`profile: …`), in the same format. */
  note(text: string, level: LevelLetter = "I"): void {
    const l = { t: this.now(), level, text: `profile: ${text}` };
    this.lines.push(l);
    this.onLine?.(l);
  }

  mark(): number {
    return this.lines.length;
  }

  since(mark: number): RecordedLine[] {
    return this.lines.slice(mark);
  }
}
