/**
 * Crash consistency: an ingest killed (SIGKILL) at each step of a `--replace` commit leaves data/
 * in the old state or the new one once the next ingest has run; that ingest says what it
 * finished or removed, leaves no staging folder, and every run stays buildable (schema-valid, the
 * build's copy step finds every raw file with its recorded hash). Locks left by crashes (empty,
 * or of a dead process) are reported and taken over at once. Fault points: CC_INGEST_FAULT.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { COMMIT_STEPS } from "../../../scripts/ingest/commit.ts";
import { ingest } from "../../../scripts/ingest/index.ts";
import { RunSchema } from "../../../src/schemas/run.ts";
import { publishedRunFiles } from "../../../src/integrations/run-files.ts";
import { LOG_FORMATS, NODE, REPO, rm, snapshot, tempDataDir, tempDir } from "./helpers.ts";

const LOG = join(LOG_FORMATS, "llama-cpp", "kv-current.log");

/** A run folder (id crash-run): its log plus a notes file whose text makes v1 and v2 differ. */
function runFolder(root: string, version: string): string {
  const dir = join(root, `run-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "run.json"), JSON.stringify({ id: "crash-run", title: `crash ${version}` }));
  cpSync(LOG, join(dir, "llama.log"));
  writeFileSync(join(dir, "notes.txt"), `${version}\n`.repeat(version === "v2" ? 3000 : 10));
  return dir;
}

function cli(data: string, args: string[], fault?: string) {
  return spawnSync(NODE, [join(REPO, "scripts", "ingest.ts"), "--no-check", "--data-dir", data, ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, CC_INGEST_FAULT: fault ?? "" },
  });
}

/** The data dir as the site sees it: every run valid, every published raw file present with its hash. */
function assertBuildable(data: string): void {
  for (const name of readdirSync(join(data, "runs"))) {
    const run = RunSchema.parse(JSON.parse(readFileSync(join(data, "runs", name), "utf8")));
    for (const f of run.provenance.raw_files) {
      const bytes = readFileSync(join(data, "raw", run.id, f.path));
      const plain = f.gzipped ? gunzipSync(bytes) : bytes;
      assert.equal(createHash("sha256").update(plain).digest("hex"), f.sha256, `${run.id}/${f.path}`);
    }
  }
  const files = publishedRunFiles(join(data, "runs"), join(data, "raw"));
  for (const [src] of files) assert.ok(existsSync(src), src);
}

/** The crash-run's files (and the sources folder), whatever else the data dir holds. */
const onlyCrashRun = (snap: Record<string, string>) =>
  Object.fromEntries(Object.entries(snap).filter(([k]) => k.includes("crash-run") || k.startsWith("sources/")));

test("killed at every step of a --replace commit: the next ingest leaves data/ old or new, never mixed", () => {
  const tmp = tempDir();
  const base = tempDataDir();
  try {
    const v1 = runFolder(tmp, "v1");
    const v2 = runFolder(tmp, "v2");
    const other = join(tmp, "other.log");
    cpSync(LOG, other);
    assert.equal(cli(base, [v1]).status, 0);
    const OLD = snapshot(base);
    const newDir = join(tmp, "new");
    cpSync(base, newDir, { recursive: true });
    assert.equal(cli(newDir, ["--replace", v2]).status, 0);
    const NEW = snapshot(newDir);
    assert.notDeepEqual(OLD, NEW);

    for (const step of COMMIT_STEPS) {
      const data = join(tmp, `data-${step}`);
      cpSync(base, data, { recursive: true });
      const killed = cli(data, ["--replace", v2], step);
      assert.equal(killed.signal, "SIGKILL", `${step}: the fault point was reached (${killed.stderr})`);
      // the next ingest (of another run) recovers first, and says so
      const next = cli(data, ["--json", other]);
      assert.equal(next.status, 0, `${step}: ${next.stderr}`);
      const out = JSON.parse(next.stdout) as { recovered: string[] };
      assert.ok(out.recovered.length > 0, `${step}: reports what it recovered`);
      const state = onlyCrashRun(snapshot(data));
      const expected = step === "staged" ? OLD : NEW;
      assert.deepEqual(
        state,
        onlyCrashRun(expected),
        `${step}: data/ is the ${step === "staged" ? "old" : "new"} state`,
      );
      assert.match(
        out.recovered.join("\n"),
        step === "staged" ? /removed \.ingest-staging-/ : /finished an interrupted commit .*crash-run/,
      );
      assert.deepEqual(
        readdirSync(data).filter((n) => n.startsWith(".ingest")),
        [],
        `${step}: nothing left over`,
      );
      assertBuildable(data);
      rm(data);
    }
  } finally {
    rm(tmp);
    rm(base);
  }
});

test("an empty lock and a dead process's lock are reported and taken over without waiting", async () => {
  const data = tempDataDir();
  try {
    for (const [content, why] of [
      ["", /empty/],
      ["999999 deadbeef\n", /process 999999\) is no longer running/],
      ["garbage", /not a valid ingest lock/],
    ] as const) {
      writeFileSync(join(data, ".ingest.lock"), content);
      writeFileSync(join(data, ".ingest.lock.999998.abcd.tmp"), "999998 x\n");
      // lockTimeoutMs 0: any wait on the lock would fail this ingest at once
      const rep = await ingest([LOG], { dataDir: data, check: false, lockTimeoutMs: 0 });
      assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
      assert.match(rep.recovered!.join("\n"), why);
      assert.match(rep.recovered!.join("\n"), /removed \.ingest\.lock\.999998\.abcd\.tmp/);
      assert.deepEqual(
        readdirSync(data).filter((n) => n.startsWith(".ingest")),
        [],
      );
    }
  } finally {
    rm(data);
  }
});

test("a live ingest's lock is waited for, and the error names the lock when the wait runs out", async () => {
  const data = tempDataDir();
  try {
    writeFileSync(join(data, ".ingest.lock"), `${process.pid} 0123abcd\n`);
    const before = snapshot(data);
    const rep = await ingest([LOG], { dataDir: data, check: false, lockTimeoutMs: 0 });
    assert.equal(rep.ok, false);
    assert.match(
      rep.errors[0].format(),
      /\.ingest\.lock: the data dir is locked by another ingest that is still running/,
    );
    assert.deepEqual(snapshot(data), before);
  } finally {
    rm(data);
  }
});

test("what a crashed ingest leaves in data/ is git-ignored (never committed by accident)", () => {
  // the repository's .gitignore in a scratch repository (the test runs from clones and copies alike)
  const tmp = tempDir();
  try {
    cpSync(join(REPO, ".gitignore"), join(tmp, ".gitignore"));
    assert.equal(spawnSync("git", ["init", "-q"], { cwd: tmp }).status, 0);
    for (const p of ["data/.ingest-staging-123-abcd/raw/x.log", "data/.ingest.lock", "data/.ingest.lock.123.ab.tmp"]) {
      const r = spawnSync("git", ["check-ignore", "-q", "--no-index", p], { cwd: tmp });
      assert.equal(r.status, 0, `${p} is ignored`);
    }
    assert.equal(spawnSync("git", ["check-ignore", "-q", "--no-index", "data/runs/x.json"], { cwd: tmp }).status, 1);
  } finally {
    rm(tmp);
  }
});
