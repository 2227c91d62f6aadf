/**
 * Ingest errors: every one names where (file, line or JSON path), the offending value and what
 * was expected, so the message alone tells the user what to fix.
 */
import { printable } from "../../src/lib/printable.ts";

export class IngestError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly path?: string;
  readonly value?: string;
  readonly expected?: string;
  constructor(
    message: string,
    where: { file?: string; line?: number; path?: string; value?: unknown; expected?: string } = {},
  ) {
    super(message);
    this.file = where.file;
    this.line = where.line;
    this.path = where.path;
    this.value = where.value === undefined ? undefined : showValue(where.value);
    this.expected = where.expected;
  }
  /** `file:line: path: message (got X; expected Y)`, unprintable characters escaped (they come from files). */
  format(): string {
    return printable(this.formatRaw());
  }
  private formatRaw(): string {
    const loc = [this.file, this.line === undefined ? undefined : String(this.line)].filter(Boolean).join(":");
    const parts = [loc, this.path].filter(Boolean).join(": ");
    const tail = [
      this.value === undefined ? undefined : `got ${this.value}`,
      this.expected === undefined ? undefined : `expected ${this.expected}`,
    ]
      .filter(Boolean)
      .join("; ");
    return `${parts ? `${parts}: ` : ""}${this.message}${tail ? ` (${tail})` : ""}`;
  }
  toJSON(): Record<string, unknown> {
    return {
      message: this.message,
      file: this.file,
      line: this.line,
      path: this.path,
      value: this.value,
      expected: this.expected,
    };
  }
}

const OS_WORDS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder, not a file",
  ENOTDIR: "a part of the path is not a folder",
  ELOOP: "is a symbolic link (or a loop of them), which ingest does not follow here",
  EMFILE: "too many open files",
  ENFILE: "too many open files on the system",
  ENOSPC: "no space left on the disk",
  EDQUOT: "disk quota exceeded",
  EROFS: "the file system is read-only",
  EIO: "input/output error (the disk or its connection)",
  ENAMETOOLONG: "the file name is too long",
  EEXIST: "already exists",
  EBUSY: "the file is busy",
  EXDEV: "on another file system",
};

/** An error from the OS (ENOENT, EACCES, …) as an IngestError naming the file, in words. */
export function osError(e: unknown, file?: string): IngestError {
  const err = e as NodeJS.ErrnoException;
  const words = err?.code ? OS_WORDS[err.code] : undefined;
  const where = file ?? (typeof err?.path === "string" ? err.path : undefined);
  if (words)
    return new IngestError(`${words} (${err.code}${err.syscall ? ` in ${err.syscall}` : ""})`, { file: where });
  return new IngestError(err?.message ?? String(e), { file: where });
}

/** Errors of the command line itself (exit 2). */
export class UsageError extends Error {}

export function showValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  if (v === null || typeof v !== "object") return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 80)}…` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}
