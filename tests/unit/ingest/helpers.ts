/** Helpers for the ingest tests: temporary data dirs, byte-exact snapshots, running the CLI. */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync, cpSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT as REPO } from "../../../scripts/lib/repo-root.ts";
export { REPO_ROOT as REPO } from "../../../scripts/lib/repo-root.ts";

/** The H100 measurement folder (raw llama.cpp CUDA output) as ingested into the repo's data/raw. */
export const H100 = join(REPO, "data", "raw", "2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda");
export const FIXTURES = join(REPO, "tests", "fixtures", "ingest");
export const LOG_FORMATS = join(FIXTURES, "log-formats");
export const NODE = join(REPO, "node_modules", ".bin", "node");

/** A fresh temporary folder (removed by the caller's `cleanup`). */
export function tempDir(prefix = "cc-ingest-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A temporary data dir seeded with a copy of the repo's catalog (models, hardware) so that model
 * and hardware references resolve; never the repo's data/ itself.
 */
export function tempDataDir(): string {
  const d = tempDir("cc-data-");
  for (const sub of ["models", "hardware"]) {
    const src = join(REPO, "data", sub);
    if (existsSync(src)) cpSync(src, join(d, sub), { recursive: true });
  }
  return d;
}

/** path → sha256 of every file (and `dir/` for every folder) under root: byte-identical check. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        out[`${r}/`] = "dir";
        walk(abs, r);
      } else out[r] = createHash("sha256").update(readFileSync(abs)).digest("hex");
    }
  };
  if (existsSync(root)) walk(root, "");
  return out;
}

export function rm(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `node scripts/ingest.ts …` (Node 24) with optional stdin. */
export function runCli(args: string[], input?: string | Buffer): Promise<CliResult> {
  return new Promise((res, rej) => {
    const p = spawn(NODE, [join(REPO, "scripts", "ingest.ts"), ...args], {
      cwd: REPO,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", rej);
    p.on("close", (code) => res({ code: code ?? -1, stdout, stderr }));
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
