/**
 * `npm run ingest` as a library: resolve inputs → build and validate every run → (under the data
 * dir's lock) decide create / replace / unchanged → commit all-or-nothing → cross-check with the
 * engine. Used by the CLI (scripts/ingest.ts), the tests and the bench (`ingestRunFiles`).
 * Inputs: inputs.ts; catalog: catalog.ts; decisions and reports: outcome.ts; `--reparse`: reparse.ts.
 */
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { buildRun, type BuiltRun } from "./build.ts";
import { catalogOf } from "./catalog.ts";
import { commit } from "./commit.ts";
import { IngestError } from "./errors.ts";
import { readMeta, resolveInput } from "./inputs.ts";
import { decide, flatten, locked, report, type IngestOptions, type IngestReport } from "./outcome.ts";
import { Spool } from "./read-once.ts";
import { dataDir } from "./store.ts";

export { parseLlamaCppStream, parseLlamaCppLog, createLlamaCppParser } from "./parsers/llama-cpp.ts";
export { IngestError } from "./errors.ts";
export { reparse } from "./reparse.ts";
export type { IngestOptions, IngestReport, RunReport } from "./outcome.ts";

/** Ingest CLI inputs into a data dir. Never throws for bad input: errors come back in the report. */
export async function ingest(inputs: string[], opts: IngestOptions = {}): Promise<IngestReport> {
  const dd = dataDir(resolve(opts.dataDir ?? join(REPO_ROOT, "data")));
  const lookup = catalogOf(dd, opts.modelsDir);
  const errors: IngestError[] = [];
  const cleanup: string[] = [];
  const built: BuiltRun[] = [];
  const spool = new Spool(dd.root);
  try {
    let meta: Awaited<ReturnType<typeof readMeta>> | undefined;
    if (opts.meta) {
      try {
        meta = await readMeta(opts.meta);
      } catch (e) {
        errors.push(...flatten(e));
      }
    }
    for (const arg of inputs) {
      try {
        const unit = await resolveInput(arg, opts, cleanup, spool);
        built.push(await buildRun(unit, { meta, gzipAbove: opts.gzipAbove }, lookup));
      } catch (e) {
        errors.push(...flatten(e));
      }
    }
    // two inputs of one invocation must not claim the same id with different content
    const byId = new Map<string, BuiltRun>();
    for (const b of [...built]) {
      const prev = byId.get(b.run.id);
      if (!prev) byId.set(b.run.id, b);
      else {
        built.splice(built.indexOf(b), 1);
        if (prev.run.provenance.content_hash !== b.run.provenance.content_hash)
          errors.push(
            new IngestError(`two inputs produce run id "${b.run.id}" with different content`, {
              file: b.label,
              value: prev.label,
              expected: "distinct runs (set an explicit id in run.json)",
            }),
          );
      }
    }
    if (errors.length) return { ok: false, runs: [], errors };
    if (opts.dryRun) {
      const { plans, errors: e2 } = await decide(dd, built, !!opts.replace);
      return {
        ok: e2.length === 0,
        runs: e2.length ? [] : report(plans, true, dd, lookup, opts.check !== false),
        errors: e2,
      };
    }
    const recovered: string[] = [];
    const result = await locked(
      dd,
      recovered,
      async () => {
        const { plans, errors: e2 } = await decide(dd, built, !!opts.replace);
        if (e2.length) return { plans: [], errors: e2 };
        await commit(dd, plans, (p) => spool.owns(p));
        return { plans, errors: [] as IngestError[] };
      },
      opts.lockTimeoutMs,
    );
    if (result.errors.length) return { ok: false, runs: [], errors: result.errors, recovered };
    return {
      ok: true,
      runs: report(result.plans, false, dd, lookup, opts.check !== false),
      errors: [],
      recovered,
    };
  } catch (e) {
    return { ok: false, runs: [], errors: [...errors, ...flatten(e)] };
  } finally {
    for (const d of cleanup) await rm(d, { recursive: true, force: true });
    await spool.remove();
  }
}

/**
 * Bench/test helper: ingest a list of run files (run JSON or raw outputs) into `dataDir` in one
 * invocation, without the engine cross-check unless asked.
 */
export async function ingestRunFiles(
  files: string[],
  dataDirPath: string,
  opts: Omit<IngestOptions, "dataDir"> = {},
): Promise<IngestReport> {
  return ingest(files, { check: false, ...opts, dataDir: dataDirPath });
}
