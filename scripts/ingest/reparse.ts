/**
 * `--reparse`: rebuild stored runs from their raw files (materialised from data/raw/, gunzipped)
 * and sources, after parser improvements; a run whose document comes out the same is unchanged.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { resolveInside } from "../../src/lib/runs/inside-dir.ts";
import type { Run } from "../../src/schemas/run.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { buildRun, type Unit } from "./build.ts";
import { catalogOf } from "./catalog.ts";
import { commit } from "./commit.ts";
import { IngestError } from "./errors.ts";
import { describeFile, scanFolder } from "./files.ts";
import { readMeta } from "./inputs.ts";
import { flatten, locked, report, type IngestOptions, type IngestReport } from "./outcome.ts";
import { dataDir, listRunIds, readRun, type DataDir, type Plan } from "./store.ts";

/** Materialise `data/raw/<id>/` (gunzipping) into a temporary folder, for re-parsing. */
async function materialiseRaw(dd: DataDir, run: Run, dir: string): Promise<void> {
  for (const f of run.provenance.raw_files) {
    // the schema refused unsafe paths already; re-check where they are joined (defence in depth)
    const src = inside(join(dd.raw, run.id), f.path, run.id, "provenance.raw_files[].path");
    const dest = inside(dir, f.original, run.id, "provenance.raw_files[].original");
    await mkdir(dirname(dest), { recursive: true });
    if (f.gzipped) await pipeline(createReadStream(src), createGunzip(), createWriteStream(dest));
    else await pipeline(createReadStream(src), createWriteStream(dest));
  }
}

/** `resolveInside` with the run file named in the error. */
function inside(root: string, rel: string, id: string, field: string): string {
  try {
    return resolveInside(root, rel);
  } catch (e) {
    throw new IngestError((e as Error).message, { file: `data/runs/${id}.json`, path: field, value: rel });
  }
}

/** A `provenance.sources` entry (`data/sources/<name>`) as a path inside the data dir's sources. */
function sourcePath(dd: DataDir, src: string, id: string): string {
  return inside(dd.sources, src.replace(/^data\/sources\//, ""), id, "provenance.sources");
}

/** Re-parse stored runs from their raw files and sources (after parser improvements). */
export async function reparse(opts: IngestOptions & { ids?: string[] } = {}): Promise<IngestReport> {
  const dd = dataDir(resolve(opts.dataDir ?? join(REPO_ROOT, "data")));
  const lookup = catalogOf(dd, opts.modelsDir);
  // an interrupted commit is finished before stored runs are read
  const recovered: string[] = [];
  if (!opts.dryRun) await locked(dd, recovered, async () => undefined, opts.lockTimeoutMs);
  const ids = opts.ids?.length ? opts.ids : await listRunIds(dd);
  const errors: IngestError[] = [];
  const plans: Plan[] = [];
  const cleanup: string[] = [];
  try {
    for (const id of ids) {
      try {
        const old = await readRun(dd, id);
        if (!old)
          throw new IngestError("no such run", {
            file: join(dd.runs, `${id}.json`),
            value: id,
            expected: "an id of data/runs/",
          });
        const metaSrc = old.provenance.sources.find((s) => s.endsWith(".meta.json"));
        const meta = metaSrc ? await readMeta(sourcePath(dd, metaSrc, id)) : undefined;
        let unit: Unit;
        if (old.provenance.input_kind === "run-json") {
          const src = old.provenance.sources.find((s) => !s.endsWith(".meta.json"));
          if (!src) throw new IngestError("run JSON source missing", { file: id, path: "provenance.sources" });
          const p = sourcePath(dd, src, id);
          unit = { kind: "run-json", label: p, file: await describeFile(p, basename(p)) };
        } else {
          const dir = await mkdtemp(join(tmpdir(), `cc-reparse-${id.slice(0, 40)}-`));
          cleanup.push(dir);
          await materialiseRaw(dd, old, dir);
          if (old.provenance.input_kind === "raw") {
            const f = old.provenance.raw_files[0];
            const abs = inside(dir, f.original, id, "provenance.raw_files[0].original");
            unit = { kind: "raw", label: f.original, file: await describeFile(abs, f.original) };
          } else unit = { kind: "folder", label: id, root: dir, files: await scanFolder(dir, id) };
        }
        const b = await buildRun(unit, { meta, forceId: id, gzipAbove: opts.gzipAbove }, lookup);
        // the raw files are already stored; only the run JSON (and sources) change
        const same =
          JSON.stringify({ ...b.run, provenance: undefined }) === JSON.stringify({ ...old, provenance: undefined }) &&
          b.run.provenance.parser_version === old.provenance.parser_version;
        b.sources = b.sources.filter((s) => !s.abs.startsWith(dd.sources));
        plans.push({ built: b, action: same ? "unchanged" : "replace", rawInPlace: true });
      } catch (e) {
        errors.push(...flatten(e));
      }
    }
    if (errors.length) return { ok: false, runs: [], errors, recovered };
    if (!opts.dryRun) await locked(dd, recovered, () => commit(dd, plans), opts.lockTimeoutMs);
    return {
      ok: true,
      runs: report(plans, !!opts.dryRun, dd, lookup, opts.check !== false),
      errors: [],
      recovered,
    };
  } finally {
    for (const d of cleanup) await rm(d, { recursive: true, force: true });
  }
}
