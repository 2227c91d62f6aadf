/**
 * A measured run the user overlays from their own machine: a run JSON as `npm run ingest` writes
 * it (data/runs/<id>.json), validated by the same schema; nothing is uploaded anywhere.
 */
import { RunSchema } from "../../schemas/run.ts";
import { reduceRun, type MeasuredRunOption } from "./catalog.ts";
import { issueLines } from "../zod-issues.ts";

export function parseRunJson(text: string, fileName: string): { run: MeasuredRunOption | null; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { run: null, errors: [`${fileName}: not valid JSON (${(e as Error).message})`] };
  }
  const r = RunSchema.safeParse(raw);
  if (!r.success)
    return {
      run: null,
      errors: issueLines(r.error.issues, { input: raw, where: fileName, max: 8 }),
    };
  return { run: reduceRun(r.data), errors: [] };
}
