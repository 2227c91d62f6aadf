/**
 * Publishes the run schema as JSON Schema: `data/schema/run.schema.json` (stored runs) and
 * `data/schema/run-input.schema.json` (what users write: run.json, --meta, run JSON inputs).
 * `node scripts/ingest/schema.ts` writes them; `--check` exits 1 when they are out of date.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { RunInputSchema, RunSchema } from "../../src/schemas/run.ts";
import { REPO_ROOT as ROOT } from "../lib/repo-root.ts";

/** The JSON Schema documents, keyed by file name under data/schema/. */
export function schemaDocuments(): Record<string, string> {
  const run = {
    ...z.toJSONSchema(RunSchema, { io: "output", unrepresentable: "any" }),
    $id: "run.schema.json",
    title: "Context Ceiling run",
  };
  const input = {
    ...z.toJSONSchema(RunInputSchema, { io: "input", unrepresentable: "any" }),
    $id: "run-input.schema.json",
    title: "Context Ceiling run input",
  };
  return {
    "run.schema.json": `${JSON.stringify(run, null, 2)}\n`,
    "run-input.schema.json": `${JSON.stringify(input, null, 2)}\n`,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const [name, text] of Object.entries(schemaDocuments())) {
    const path = join(ROOT, "data", "schema", name);
    let cur = "";
    try {
      cur = readFileSync(path, "utf8");
    } catch {
      /* missing */
    }
    if (cur === text) continue;
    if (check) {
      process.stderr.write(`${path} is out of date: run node scripts/ingest/schema.ts\n`);
      stale++;
    } else writeFileSync(path, text);
  }
  process.exitCode = stale ? 1 : 0;
}
