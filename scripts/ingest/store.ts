/**
 * The data dir: `runs/<id>.json`, `raw/<id>/…` (verbatim inputs, gzipped above a size cap),
 * `sources/` (run JSON and `--meta` files runs were built from).
 *
 * Writes are all-or-nothing per invocation: everything is first written into a staging folder
 * inside the data dir (same file system, so renames are atomic), then moved into place with
 * renames — raw files and sources before the run JSON, so a reader never sees a run whose raw
 * files are missing. A lock file (`.ingest.lock`, created with O_EXCL, holding the owner's pid;
 * stale locks of dead processes are broken) serialises concurrent ingests, and every decision
 * (unchanged / replace / conflict) is re-made under the lock, so two racing ingests lose nothing.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, open, readFile, readdir, realpath, rename, rm, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { RunSchema, type Run } from "../../src/schemas/run.ts";
import type { BuiltRun } from "./build.ts";
import { IngestError } from "./errors.ts";
import { AggregateIngestError, zodErrors } from "./build.ts";
import { parseJsonText } from "./json-input.ts";
import { resolveInside } from "../../src/lib/runs/inside-dir.ts";

export interface DataDir {
  root: string;
  runs: string;
  raw: string;
  sources: string;
  schema: string;
}

export function dataDir(root: string): DataDir {
  return {
    root,
    runs: join(root, "runs"),
    raw: join(root, "raw"),
    sources: join(root, "sources"),
    schema: join(root, "schema"),
  };
}

const LOCK = ".ingest.lock";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Run `fn` holding the data dir's lock (waits up to `timeoutMs` for another ingest). */
export async function withLock<T>(dd: DataDir, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  await mkdir(dd.root, { recursive: true });
  const path = join(dd.root, LOCK);
  const started = Date.now();
  const token = `${process.pid} ${randomBytes(6).toString("hex")}\n`;
  for (;;) {
    try {
      const fh = await open(path, "wx");
      await fh.writeFile(token);
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner = NaN;
      try {
        owner = Number((await readFile(path, "utf8")).split(/\s/)[0]);
      } catch {
        continue; // released between our open and read
      }
      if (owner && !alive(owner)) {
        // stale: its owner died; remove it only if it is still that owner's lock
        try {
          if (Number((await readFile(path, "utf8")).split(/\s/)[0]) === owner) await unlink(path);
        } catch {
          /* someone else broke it */
        }
        continue;
      }
      if (Date.now() - started > timeoutMs)
        throw new IngestError("the data dir is locked by another ingest", {
          file: path,
          value: owner,
          expected: "no other ingest running (remove the lock file if its process is gone)",
        });
      await sleep(25 + Math.random() * 50);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if ((await readFile(path, "utf8")) === token) await unlink(path);
    } catch {
      /* already gone */
    }
  }
}

/** The stored run with this id, if any (throws if it exists but does not validate). */
export async function readRun(dd: DataDir, id: string): Promise<Run | undefined> {
  let text: string;
  try {
    text = await readFile(join(dd.runs, `${id}.json`), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const file = join(dd.runs, `${id}.json`);
  const doc = parseJsonText(text, file);
  const r = RunSchema.safeParse(doc);
  if (!r.success) {
    const errs = zodErrors(r.error, file, doc);
    throw new AggregateIngestError([
      new IngestError("stored run does not validate", { file, expected: "a run in the current schema" }),
      ...errs,
    ]);
  }
  return r.data;
}

export async function listRunIds(dd: DataDir): Promise<string[]> {
  try {
    return (await readdir(dd.runs))
      .filter((n) => n.endsWith(".json"))
      .map((n) => n.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

export type Action = "create" | "replace" | "unchanged";

export interface Plan {
  built: BuiltRun;
  action: Action;
  /** Raw files are already in place and identical (reparse). */
  rawInPlace?: boolean;
}

/** Serialise a run exactly as stored (stable key order of the schema, 2-space JSON). */
export function serialiseRun(run: Run): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}

async function stageFile(src: string, dest: string, gzip: boolean): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  if (gzip)
    await pipeline(
      createReadStream(src, { highWaterMark: 1 << 20 }),
      createGzip({ level: 6 }),
      createWriteStream(dest),
    );
  else await copyFile(src, dest);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Write every plan that is not `unchanged`; all-or-nothing as far as the file system allows. */
export async function commit(dd: DataDir, plans: Plan[]): Promise<void> {
  const todo = plans.filter((p) => p.action !== "unchanged");
  if (todo.length === 0) return;
  const staging = join(dd.root, `.ingest-staging-${process.pid}-${randomBytes(4).toString("hex")}`);
  const moved: { from: string; to: string; backup?: string }[] = [];
  try {
    await mkdir(staging, { recursive: true });
    // 1. stage everything
    for (const p of todo) {
      const { run } = p.built;
      if (!p.rawInPlace)
        for (const r of p.built.raw)
          await stageFile(r.abs, resolveInside(join(staging, "raw", run.id), r.dest), r.gzip);
      for (const s of p.built.sources) {
        const target = resolveInside(dd.sources, s.name);
        if ((await exists(target)) && (await realpath(target)) === (await realpath(s.abs))) continue;
        await stageFile(s.abs, join(staging, "sources", s.name), false);
      }
      const fh = await open(join(staging, `${run.id}.json`), "w");
      await fh.writeFile(serialiseRun(run));
      await fh.sync();
      await fh.close();
    }
    await mkdir(dd.runs, { recursive: true });
    await mkdir(dd.raw, { recursive: true });
    await mkdir(dd.sources, { recursive: true });
    // 2. move into place: raw, sources, then the run JSON (atomic rename over the old one)
    const old = join(staging, "old");
    await mkdir(old, { recursive: true });
    for (const p of todo) {
      const id = p.built.run.id;
      if (!p.rawInPlace) {
        const to = join(dd.raw, id);
        let backup: string | undefined;
        if (await exists(to)) {
          backup = join(old, `raw-${id}`);
          await rename(to, backup);
        }
        const from = join(staging, "raw", id);
        if (await exists(from)) await rename(from, to);
        else await mkdir(to, { recursive: true });
        moved.push({ from, to, backup });
      }
      for (const s of p.built.sources) {
        const from = join(staging, "sources", s.name);
        if (!(await exists(from))) continue;
        const to = join(dd.sources, s.name);
        let backup: string | undefined;
        if (await exists(to)) {
          backup = join(old, `source-${s.name}`);
          await copyFile(to, backup);
        }
        await rename(from, to);
        moved.push({ from, to, backup });
      }
    }
    for (const p of todo) {
      const id = p.built.run.id;
      const to = join(dd.runs, `${id}.json`);
      let backup: string | undefined;
      if (await exists(to)) {
        backup = join(old, `run-${id}.json`);
        await copyFile(to, backup);
      }
      await rename(join(staging, `${id}.json`), to);
      moved.push({ from: "", to, backup });
    }
  } catch (e) {
    // roll back what was moved (newest first)
    for (const m of moved.reverse()) {
      try {
        await rm(m.to, { recursive: true, force: true });
        if (m.backup) await rename(m.backup, m.to);
      } catch {
        /* best effort */
      }
    }
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  await rm(staging, { recursive: true, force: true });
}
