/**
 * `npm run ingest` as a library: resolve inputs → build and validate every run → (under the data
 * dir's lock) decide create / replace / unchanged → commit all-or-nothing → cross-check with the
 * engine. Used by the CLI (scripts/ingest.ts), the tests and the bench (`ingestRunFiles`).
 */
import { createWriteStream, existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import { createReadStream } from "node:fs";
import { ArchitectureSchema, type Architecture } from "../../src/schemas/architecture.ts";
import { RunInputSchema, type Run, type RunInput } from "../../src/schemas/run.ts";
import { buildRun, type BuiltRun, type CatalogLookup, type Unit } from "./build.ts";
import { AggregateIngestError, zodErrors } from "./zod-errors.ts";
import { crossCheck, type RunCheck } from "../../src/lib/runs/crosscheck.ts";
import { IngestError, osError } from "./errors.ts";
import { resolveInside } from "../../src/lib/runs/inside-dir.ts";
import { describeFile, scanFolder, storableName, type InputFile } from "./files.ts";
import { normaliseRunJson, parseJsonText } from "./json-input.ts";
import { dataDir, listRunIds, readRun, type Action, type DataDir, type Plan } from "./store.ts";
import { commit, recover } from "./commit.ts";
import { withLock } from "./lock.ts";
import { Spool } from "./read-once.ts";

export { parseLlamaCppStream, parseLlamaCppLog, createLlamaCppParser } from "./parsers/llama-cpp.ts";
export { IngestError } from "./errors.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface IngestOptions {
  /** The data dir (default: the repo's `data/`). Tests and the bench pass temporary copies. */
  dataDir?: string;
  /** Replace a run that exists with a different input. */
  replace?: boolean;
  /** Build, validate and decide, but write nothing. */
  dryRun?: boolean;
  /** Facts only a README states (a run-input JSON), stored under data/sources/. */
  meta?: string;
  /** Standard input, for the input `-`. */
  stdin?: AsyncIterable<Buffer | string>;
  /** Store raw files above this many bytes gzipped (default 1 MiB). */
  gzipAbove?: number;
  /** Compare with the engine (default true). */
  check?: boolean;
  /** Where model presets live (default `<dataDir>/models`, else the repo's `data/models`). */
  modelsDir?: string;
  /** Lock wait limit. */
  lockTimeoutMs?: number;
}

export interface RunReport {
  id: string;
  input: string;
  action: Action;
  dryRun: boolean;
  points: number;
  warnings: string[];
  info: string[];
  check?: RunCheck;
  file: string;
}

export interface IngestReport {
  ok: boolean;
  runs: RunReport[];
  errors: IngestError[];
  /** What this ingest cleaned up or finished of earlier, interrupted ones (stale lock, staging). */
  recovered?: string[];
}

/** Take the lock, finish what crashed ingests left, then run `fn`; notes collect what was recovered. */
async function locked<T>(dd: DataDir, notes: string[], fn: () => Promise<T>, timeoutMs?: number): Promise<T> {
  const note = (s: string) => notes.push(s);
  return withLock(
    dd.root,
    async () => {
      notes.push(...(await recover(dd)));
      return fn();
    },
    timeoutMs,
    note,
  );
}

type Catalog = CatalogLookup & { archOf: (run: Run) => Architecture | { error: string } };

function catalogOf(dd: DataDir, modelsDir?: string): Catalog {
  const firstDir = (name: string) => [join(dd.root, name), join(REPO_ROOT, "data", name)].find((d) => existsSync(d));
  const mdir = modelsDir ?? firstDir("models");
  const hdir = firstDir("hardware");
  const cache = new Map<string, Architecture | "missing" | undefined>();
  let hardwareIds: Set<string> | undefined;
  const model = (id: string): Architecture | "missing" | undefined => {
    if (cache.has(id)) return cache.get(id);
    let result: Architecture | "missing" | undefined = "missing";
    const p = mdir && /^[a-z0-9][a-z0-9.-]*$/.test(id) ? join(mdir, `${id}.json`) : undefined;
    if (p && existsSync(p)) {
      try {
        const doc = JSON.parse(readFileSync(p, "utf8")) as Record<string, unknown>;
        const a = ArchitectureSchema.safeParse(doc.architecture ?? doc);
        result = a.success ? a.data : undefined;
      } catch {
        result = undefined;
      }
    }
    cache.set(id, result);
    return result;
  };
  const hardware = (id: string): boolean | undefined => {
    if (!hdir) return undefined;
    if (!hardwareIds) {
      hardwareIds = new Set();
      for (const f of readdirSync(hdir).filter((n) => n.endsWith(".json"))) {
        try {
          const doc = JSON.parse(readFileSync(join(hdir, f), "utf8")) as unknown;
          for (const h of Array.isArray(doc) ? doc : [])
            if (h && typeof h === "object" && typeof (h as { id?: unknown }).id === "string")
              hardwareIds.add((h as { id: string }).id);
        } catch {
          /* a broken catalog file is the catalog's test's business */
        }
      }
    }
    return hardwareIds.has(id);
  };
  const archOf = (run: Run): Architecture | { error: string } => {
    if (run.model.architecture) return run.model.architecture;
    if (run.model.preset) {
      const a = model(run.model.preset);
      if (a && a !== "missing") return a;
      return { error: `model preset "${run.model.preset}" has no usable architecture in data/models/` };
    }
    return {
      error:
        "the model's architecture is unknown (no catalog preset, no inline architecture, and the log's GGUF keys are not enough)",
    };
  };
  return { model, hardware, archOf };
}

async function stdinToFile(stdin: AsyncIterable<Buffer | string>): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), "cc-ingest-stdin-"));
  const path = join(dir, "stdin");
  await pipeline(Readable.from(stdin), createWriteStream(path));
  return { dir, path };
}

/** One CLI argument → an input unit. */
async function resolveInput(arg: string, opts: IngestOptions, cleanup: string[], spool: Spool): Promise<Unit> {
  if (arg === "-") {
    if (!opts.stdin) throw new IngestError("standard input is not available", { file: "-" });
    const { dir, path } = await stdinToFile(opts.stdin);
    cleanup.push(dir);
    const f = await describeFile(path, "stdin", { spool });
    return f.tool === "run-json"
      ? { kind: "run-json", label: "stdin", file: f }
      : { kind: "raw", label: "stdin", file: f };
  }
  let st;
  try {
    st = await stat(arg);
  } catch {
    throw new IngestError("no such file or folder", {
      file: arg,
      expected: "a run JSON, a run folder or a raw tool output",
    });
  }
  if (st.isDirectory()) {
    const files = await scanFolder(arg, basename(resolve(arg)), spool);
    if (files.length === 0)
      throw new IngestError("empty folder", { file: arg, expected: "run.json and/or raw outputs" });
    return { kind: "folder", label: basename(resolve(arg)), root: resolve(arg), files };
  }
  if (!st.isFile())
    throw new IngestError("not a regular file (FIFO, socket or device)", { file: arg, expected: "a file or a folder" });
  storableName(basename(arg), dirname(arg));
  // a file named on the command line may be a link; its target is opened without following further
  const f: InputFile = await describeFile(await realpath(arg), basename(arg), { spool, identity: st, label: arg });
  if (f.tool === "run-json") return { kind: "run-json", label: arg, file: f };
  if (f.tool === "case-json")
    throw new IngestError("a case.json alone is not a run", { file: arg, expected: "its measurement folder" });
  return { kind: "raw", label: arg, file: f };
}

async function readMeta(path: string): Promise<{ input: RunInput; file: InputFile }> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new IngestError("no such file", { file: path, path: "--meta", expected: "a JSON file of run metadata" });
  }
  if (!st.isFile()) throw new IngestError("not a file", { file: path, path: "--meta" });
  const text = await readFile(path, "utf8");
  const doc = normaliseRunJson(parseJsonText(text, path), path);
  const r = RunInputSchema.safeParse(doc);
  if (!r.success)
    throw zodErrors(r.error, path, doc).length === 1
      ? zodErrors(r.error, path, doc)[0]
      : new AggregateIngestError(zodErrors(r.error, path, doc));
  return { input: r.data, file: await describeFile(resolve(path), basename(path)) };
}

function flatten(e: unknown): IngestError[] {
  if (e instanceof AggregateIngestError) return e.errors;
  if (e instanceof IngestError) return [e];
  return [osError(e)];
}

/** Decide create / replace / unchanged for each built run against the data dir. */
async function decide(
  dd: DataDir,
  built: BuiltRun[],
  replace: boolean,
): Promise<{ plans: Plan[]; errors: IngestError[] }> {
  const plans: Plan[] = [];
  const errors: IngestError[] = [];
  for (const b of built) {
    const existing = await readRun(dd, b.run.id).catch((e) => {
      errors.push(...flatten(e));
      return undefined;
    });
    if (!existing) plans.push({ built: b, action: "create" });
    else if (existing.provenance.content_hash === b.run.provenance.content_hash)
      plans.push({ built: b, action: "unchanged" });
    else if (replace) plans.push({ built: b, action: "replace" });
    else
      errors.push(
        new IngestError(`run "${b.run.id}" already exists with a different input`, {
          file: b.label,
          path: "id",
          value: b.run.id,
          expected: "--replace to overwrite it, or a different id",
        }),
      );
  }
  return { plans, errors };
}

function report(plans: Plan[], dryRun: boolean, dd: DataDir, lookup: Catalog, check: boolean): RunReport[] {
  return plans.map((p) => {
    const run = p.built.run;
    const warnings = [
      ...run.warnings.map((w) => `${w.file ? `${w.file}: ` : ""}${w.message}`),
      ...run.points.flatMap((pt) =>
        pt.warnings.map((w) => `${pt.id}: ${w.file ? `${w.file}${w.line ? `:${w.line}` : ""}: ` : ""}${w.message}`),
      ),
    ];
    const r: RunReport = {
      id: run.id,
      input: p.built.label,
      action: p.action,
      dryRun,
      points: run.points.length,
      warnings,
      info: p.built.info,
      file: join(dd.runs, `${run.id}.json`),
    };
    if (check) r.check = crossCheck(run, lookup.archOf);
    return r;
  });
}

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
