/**
 * A throw-away copy of the data directory and a build of the site from it, for tests that must
 * not touch the repo's data/ or dist/: `npm run ingest -- --data-dir <copy>` then an Astro build
 * with CC_DATA_DIR pointing at the copy, into a temporary outDir with its own cache.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { dataDir } from "../../src/content-layer/data-dir.ts";
import { REPO_ROOT as ROOT } from "../../scripts/lib/repo-root.ts";
export { REPO_ROOT as ROOT } from "../../scripts/lib/repo-root.ts";

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Copies a data directory (default: the one this build reads) to a fresh temp dir; returns the copy. */
export function copyData(from: string = dataDir()): string {
  const dir = path.join(tempDir("cc-data-"), "data");
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** sha256 over every file of a tree (paths and bytes), to prove a tree unchanged. */
export function treeHash(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(path.relative(dir, p)).update("\0").update(readFileSync(p)).update("\0");
    }
  };
  walk(dir);
  return h.digest("hex");
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - start) / 1000 };
}

/** `npm run ingest -- --data-dir <dataDir> <inputs…>`, as a child process. */
export function ingestInto(dataDir: string, inputs: string[], extra: string[] = []): CommandResult {
  return run([path.join(ROOT, "scripts/ingest.ts"), "--data-dir", dataDir, ...extra, ...inputs]);
}

/** Builds the site from `dataDir` into a new temp outDir (own cache dir); returns the outDir. */
export function buildFrom(dataDir: string, base = "/"): CommandResult & { outDir: string } {
  const work = tempDir("cc-build-");
  const outDir = path.join(work, "dist");
  const cacheDir = path.join(work, "cache");
  const script = `const { build } = await import("astro");
await build({ root: ${JSON.stringify(ROOT)}, outDir: ${JSON.stringify(outDir)}, cacheDir: ${JSON.stringify(cacheDir)}, logLevel: "error" });`;
  const r = run(["--input-type=module", "-e", script], { CC_DATA_DIR: dataDir, SITE_BASE: base });
  return { ...r, outDir };
}
