/**
 * Schema refusals in words: every place that validates input with zod reports its issues
 * through here, so a stranger's bad file always reads the same way — where (file and field
 * path), what is wrong, and what was found there: `data/models/x.json: architecture.n_layer:
 * Invalid input: expected number, received string (received "forty")`.
 * Structural over zod's issue type (no runtime import): the calculator's bundle may use it.
 */

/** What this module needs of a zod issue (zod 4's `$ZodIssue` satisfies it). */
export interface IssueLike {
  readonly code?: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
}

export interface FriendlyIssue {
  /** Dotted field path (`layers.3.n_head`), or `(root)` for the document itself. */
  readonly path: string;
  /** zod's message, with the names of unknown fields spelled out. */
  readonly message: string;
  /** The value found at the path, abbreviated; null where nothing was there or it was a key problem. */
  readonly received: string | null;
}

/** `["layers", 3, "n_head"]` → `layers.3.n_head`; `[]` → `(root)`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join(".") : "(root)";
}

/** `["points", 0, "measured"]` → `points[0].measured` (JSON-path style; `""` for the document). */
export function bracketPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
}

/** What the schema wanted where an issue is (`number`, `≥ 1`, `one of "a", "b"`), when zod says. */
export function issueExpected(i: IssueLike): string | undefined {
  const x = i as unknown as Record<string, unknown>;
  if (i.code === "invalid_type") return String(x.expected);
  if (i.code === "too_small") return `${x.inclusive === false ? ">" : "≥"} ${String(x.minimum)}`;
  if (i.code === "too_big") return `${x.inclusive === false ? "<" : "≤"} ${String(x.maximum)}`;
  if (i.code === "invalid_value") return `one of ${(x.values as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
  if (i.code === "invalid_format") return String(x.format);
  return undefined;
}

/** The value found in `root` at an issue's path (undefined where nothing is). */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path)
    v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  return v;
}

/** A value shown in a message: JSON, cut at 60 characters (a stranger's value may be huge). */
export function abbreviate(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** The issues of a refusal, at most `max` (default all), with what was found at each path. */
export function friendlyIssues(
  issues: readonly IssueLike[],
  input?: unknown,
  max: number = issues.length,
): FriendlyIssue[] {
  return issues.slice(0, max).map((i) => {
    const unknownKeys = i.code === "unrecognized_keys" && i.keys ? i.keys : null;
    const found = unknownKeys || input === undefined ? undefined : valueAt(input, i.path);
    return {
      path: issuePath(i.path),
      message: unknownKeys ? `${i.message} (${unknownKeys.join(", ")})` : i.message,
      received: found === undefined ? null : abbreviate(found),
    };
  });
}

/** One line per issue: `path: message (received …)`, each prefixed with `where: ` when given. */
export function issueLines(
  issues: readonly IssueLike[],
  opts: { input?: unknown; where?: string; max?: number } = {},
): string[] {
  const prefix = opts.where ? `${opts.where}: ` : "";
  return friendlyIssues(issues, opts.input, opts.max).map(
    (i) => `${prefix}${i.path}: ${i.message}${i.received === null ? "" : ` (received ${i.received})`}`,
  );
}

/** A refusal as one message: the first `max` issues joined with "; ". */
export function issueSummary(issues: readonly IssueLike[], opts: { input?: unknown; max?: number } = {}): string {
  const lines = issueLines(issues, opts);
  const more = issues.length - lines.length;
  return lines.join("; ") + (more > 0 ? `; and ${more} more` : "");
}

/** What a zod schema's `safeParse` returns (structurally). */
type SafeParse<T> = { success: true; data: T } | { success: false; error: { issues: readonly IssueLike[] } };

/** Thrown by parseWithFriendlyErrors; the message names where, the field and the value found. */
export class InputSchemaError extends Error {
  readonly issues: readonly FriendlyIssue[];
  constructor(message: string, issues: readonly FriendlyIssue[]) {
    super(message);
    this.name = "InputSchemaError";
    this.issues = issues;
  }
}

/**
 * Validate `input` with `schema`; on refusal throw an InputSchemaError whose message is
 * `where: path: message (received …)` for the first issues.
 */
export function parseWithFriendlyErrors<T>(
  schema: { safeParse(input: unknown): SafeParse<T> },
  input: unknown,
  where: string,
  max = 3,
): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new InputSchemaError(
    `${where}: ${issueSummary(r.error.issues, { input, max })}`,
    friendlyIssues(r.error.issues, input, max),
  );
}
