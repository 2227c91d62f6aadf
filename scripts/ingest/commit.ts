/**
 * Crash-consistent commits into the data dir. Everything is first written into a staging
 * folder inside the data dir (same file system, so renames are atomic) and fsynced; then a
 * journal naming every move is written into it (the commit point); then the moves run: raw
 * folders, sources, and the run JSONs last. A process killed at any point leaves either no
 * journal (nothing moved yet: the staging folder is removed) or a journal that the next ingest
 * rolls forward, under the lock, before doing anything else — so `data/` is the old state or the
 * new one, and the next run says what it cleaned or finished. `CC_INGEST_FAULT=<step>` kills the
 * process at a named step (the crash test's fault injection).
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, open, readdir, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { resolveInside } from "../../src/lib/runs/inside-dir.ts";
import type { DataDir, Plan } from "./store.ts";
import { serialiseRun } from "./store.ts";
import { alive } from "./lock.ts";
import { removeDeadSpools } from "./read-once.ts";

export const STAGING_PREFIX = ".ingest-staging-";
const JOURNAL = "journal.json";

/** The named steps of a commit, in order (fault-injection points). */
export const COMMIT_STEPS = [
  "staged",
  "journal",
  "raw-aside",
  "raw-moved",
  "sources-moved",
  "run-moved",
  "all-moved",
] as const;
type Step = (typeof COMMIT_STEPS)[number];

function fault(step: Step): void {
  if (process.env.CC_INGEST_FAULT === step) process.kill(process.pid, "SIGKILL");
}

/** Whether a file to stage is this ingest's own copy (it may be moved instead of copied). */
type Owned = (path: string) => boolean;

interface Journal {
  runs: Array<{ id: string; raw: boolean; sources: string[] }>;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function stageFile(src: string, dest: string, gzip: boolean, owned: boolean): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  // a spool copy (read-once.ts) is already ours: moved, not read again
  if (owned && !gzip) await rename(src, dest);
  else if (gzip)
    await pipeline(
      createReadStream(src, { highWaterMark: 1 << 20 }),
      createGzip({ level: 6 }),
      createWriteStream(dest),
    );
  else await copyFile(src, dest);
  await fsyncPath(dest);
}

async function writeSynced(path: string, text: string): Promise<void> {
  const fh = await open(path, "w");
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Stage every file of `todo` and write the journal; returns it. */
async function stage(dd: DataDir, staging: string, todo: Plan[], owned: Owned): Promise<Journal> {
  const journal: Journal = { runs: [] };
  for (const p of todo) {
    const { run } = p.built;
    if (!p.rawInPlace)
      for (const r of p.built.raw)
        await stageFile(r.abs, resolveInside(join(staging, "raw", run.id), r.dest), r.gzip, owned(r.abs));
    const sources: string[] = [];
    for (const s of p.built.sources) {
      const target = resolveInside(dd.sources, s.name);
      if ((await exists(target)) && (await realpath(target)) === (await realpath(s.abs))) continue;
      await stageFile(s.abs, resolveInside(join(staging, "sources"), s.name), false, false);
      sources.push(s.name);
    }
    await writeSynced(join(staging, `${run.id}.json`), serialiseRun(run));
    if (!p.rawInPlace) await mkdir(join(staging, "raw", run.id), { recursive: true });
    journal.runs.push({ id: run.id, raw: !p.rawInPlace, sources });
  }
  fault("staged");
  // the commit point: a journal exists only once everything it names is staged and synced
  await writeSynced(join(staging, `${JOURNAL}.tmp`), JSON.stringify(journal));
  await rename(join(staging, `${JOURNAL}.tmp`), join(staging, JOURNAL));
  await fsyncPath(staging);
  fault("journal");
  return journal;
}

/**
 * Carry out (or finish) the moves a journal names. Idempotent: each move checks whether it is
 * still to do, so a roll-forward after a crash at any step completes the same state.
 */
async function applyJournal(dd: DataDir, staging: string, journal: Journal): Promise<void> {
  await mkdir(dd.runs, { recursive: true });
  await mkdir(dd.raw, { recursive: true });
  await mkdir(dd.sources, { recursive: true });
  await mkdir(join(staging, "old"), { recursive: true });
  for (const r of journal.runs) {
    const from = resolveInside(join(staging, "raw"), r.id);
    if (r.raw && (await exists(from))) {
      const to = resolveInside(dd.raw, r.id);
      const aside = resolveInside(join(staging, "old"), `raw-${r.id}`);
      if ((await exists(to)) && !(await exists(aside))) await rename(to, aside);
      else if (await exists(to)) await rm(to, { recursive: true, force: true });
      fault("raw-aside");
      await rename(from, to);
      fault("raw-moved");
    }
    for (const name of r.sources) {
      const src = resolveInside(join(staging, "sources"), name);
      if (await exists(src)) await rename(src, resolveInside(dd.sources, name));
    }
    fault("sources-moved");
  }
  for (const r of journal.runs) {
    const src = resolveInside(staging, `${r.id}.json`);
    if (await exists(src)) await rename(src, resolveInside(dd.runs, `${r.id}.json`));
    fault("run-moved");
  }
  await fsyncPath(dd.runs);
  fault("all-moved");
}

/** Write every plan that is not `unchanged`, crash-consistently (see the module comment). */
export async function commit(dd: DataDir, plans: Plan[], owned: Owned = () => false): Promise<void> {
  const todo = plans.filter((p) => p.action !== "unchanged");
  if (todo.length === 0) return;
  const staging = join(dd.root, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(staging, { recursive: true });
    const journal = await stage(dd, staging, todo, owned);
    await applyJournal(dd, staging, journal);
  } catch (e) {
    // before the journal: nothing moved. After it: finish the moves if possible (renames of
    // staged files rarely fail), else leave the journal for the next ingest to roll forward.
    if (!(await exists(join(staging, JOURNAL)))) {
      await rm(staging, { recursive: true, force: true });
      throw e;
    }
    throw e;
  }
  await rm(staging, { recursive: true, force: true });
}

/**
 * Under the lock, before anything else: finish or remove what crashed ingests left. A staging
 * folder with a journal is rolled forward; one without is removed. Returns what was done.
 */
export async function recover(dd: DataDir): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dd.root)).filter((n) => n.startsWith(STAGING_PREFIX)).sort();
  } catch {
    return [];
  }
  const notes: string[] = await removeDeadSpools(dd.root, alive);
  for (const name of names) {
    const staging = join(dd.root, name);
    let journal: Journal | undefined;
    try {
      journal = JSON.parse(await readFile(join(staging, JOURNAL), "utf8")) as Journal;
    } catch {
      journal = undefined;
    }
    if (journal) {
      await applyJournal(dd, staging, journal);
      notes.push(
        `finished an interrupted commit (${name}): run${journal.runs.length === 1 ? "" : "s"} ${journal.runs.map((r) => r.id).join(", ")} now in place`,
      );
    } else notes.push(`removed ${name}, left by an ingest that stopped before committing (nothing of it was in data/)`);
    await rm(staging, { recursive: true, force: true });
  }
  return notes;
}
