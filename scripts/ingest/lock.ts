/**
 * The data dir's lock (`.ingest.lock`, holding `<pid> <token>`), serialising ingests. It is
 * written whole before it exists: the token goes into a private temporary file that is then
 * hard-linked to the lock name (atomic, fails if the lock exists), so a crash can never leave an
 * empty or half-written lock. A lock whose process is gone, or one that is empty or unreadable
 * (written by something else), is removed at once and reported — never a two-minute wait.
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { IngestError } from "./errors.ts";

export const LOCK = ".ingest.lock";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process with this id exists (EPERM: it does, as another user). */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Try to take the lock once: true when taken. */
async function tryTake(path: string, token: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, token);
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return false;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Remove the lock if its owner is gone or it is not a lock we wrote. Breaking is itself atomic:
 * the stale lock is renamed to a name of our own, re-read, and only then deleted, so two
 * ingests breaking the same stale lock cannot delete a fresh one.
 */
async function breakStale(path: string, note: (s: string) => void): Promise<"broken" | "held" | "gone"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return "gone";
  }
  const owner = /^(\d+) [0-9a-f]+\n$/.exec(text);
  if (owner && alive(Number(owner[1]))) return "held";
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch {
    return "gone"; // someone else broke it first
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  await unlink(aside).catch(() => undefined);
  if (moved !== text) {
    // we moved a fresh lock someone took in between: put it back (it is theirs)
    await writeFile(path, moved, { flag: "wx" }).catch(() => undefined);
    return "held";
  }
  note(
    owner
      ? `removed a stale lock ${path}: its ingest (process ${owner[1]}) is no longer running`
      : `removed a lock ${path} that was ${text.length === 0 ? "empty" : "not a valid ingest lock"} (left by a crash)`,
  );
  return "broken";
}

/** Temporary lock files (`.ingest.lock.<pid>.<hex>.tmp`) of processes that died before removing them. */
async function removeLeftovers(root: string, note: (s: string) => void): Promise<void> {
  for (const name of await readdir(root)) {
    const m = /^\.ingest\.lock\.(\d+)\.[0-9a-f]+\.tmp$|^\.ingest\.lock\.stale-(\d+)-[0-9a-f]+$/.exec(name);
    const pid = m ? Number(m[1] ?? m[2]) : NaN;
    if (!m || pid === process.pid || alive(pid)) continue;
    await unlink(join(root, name)).catch(() => undefined);
    note(`removed ${name}, left by an ingest (process ${pid}) that is no longer running`);
  }
}

/** Run `fn` holding the data dir's lock (waits up to `timeoutMs` for a live ingest). */
export async function withLock<T>(
  root: string,
  fn: () => Promise<T>,
  timeoutMs = 120_000,
  note: (s: string) => void = () => undefined,
): Promise<T> {
  await mkdir(root, { recursive: true });
  const path = join(root, LOCK);
  const started = Date.now();
  const token = `${process.pid} ${randomBytes(6).toString("hex")}\n`;
  while (!(await tryTake(path, token))) {
    const state = await breakStale(path, note);
    if (state !== "held") continue;
    if (Date.now() - started > timeoutMs)
      throw new IngestError("the data dir is locked by another ingest that is still running", {
        file: path,
        expected: "that ingest to finish",
      });
    await sleep(25 + Math.random() * 50);
  }
  await removeLeftovers(root, note);
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
