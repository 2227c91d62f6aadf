/**
 * Schema refusals as IngestErrors, through the one zod-issue helper (src/lib/zod-issues.ts):
 * each names the JSON path (`points[0].measured.kv_bytes`), the value found and what was expected.
 */
import { bracketPath, issueExpected, valueAt, type IssueLike } from "../../src/lib/zod-issues.ts";
import { IngestError } from "./errors.ts";

/** Several errors as one (each line one error). */
export class AggregateIngestError extends IngestError {
  readonly errors: IngestError[];
  constructor(errors: IngestError[]) {
    super(errors.map((e) => e.format()).join("\n"));
    this.errors = errors;
  }
  override format(): string {
    return this.errors.map((e) => e.format()).join("\n");
  }
}

/** One error as itself, several as an AggregateIngestError. */
export function aggregate(errors: IngestError[]): IngestError {
  return errors.length === 1 ? errors[0] : new AggregateIngestError(errors);
}

/** Zod issues → IngestErrors naming the JSON path, the value found and what was expected (at most 20). */
export function zodErrors(
  err: { issues: readonly IssueLike[] },
  file: string,
  root: unknown,
  prefix = "",
): IngestError[] {
  return err.issues.slice(0, 20).map((i) => {
    const path = bracketPath(i.path);
    const unknownKeys = i.code === "unrecognized_keys" ? i.keys : undefined;
    return new IngestError(unknownKeys ? `unknown field(s) ${unknownKeys.join(", ")}` : i.message, {
      file,
      path: `${prefix}${path}` || "(document)",
      value: unknownKeys ? undefined : valueAt(root, i.path),
      expected: unknownKeys ? "only the fields of the run schema (data/schema/run.schema.json)" : issueExpected(i),
    });
  });
}
