/**
 * Shared pieces of the profile tests: run the real CLIs (`scripts/profile.ts`, `scripts/ingest.ts`)
 * as child processes with Node 24, write the tiny test model, make a wrapper script that starts
 * the fake llama-server, and check that a process is gone.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeGguf } from "../../helpers/gguf-writer.ts";
import { qwen3Model } from "../../helpers/gguf-models.ts";
import { REPO_ROOT as ROOT } from "../../../scripts/lib/repo-root.ts";
export { REPO_ROOT as ROOT } from "../../../scripts/lib/repo-root.ts";

export const PROFILE = join(ROOT, "scripts/profile.ts");
export const INGEST = join(ROOT, "scripts/ingest.ts");
export const FAKE_SERVER = join(ROOT, "tests/fixtures/profile/fake-llama-server.ts");
export const FAKE_SMI = join(ROOT, "tests/fixtures/profile/fake-nvidia-smi.ts");

/** The tiny model's geometry, for hand computations in the tests. */
export const TINY = { nLayer: 4, nHeadKv: 2, headDim: 64, nHead: 4, nVocab: 320 } as const;

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `profile-test-${prefix}-`));
}

/** qwen3, 4 layers, 4 heads / 2 KV heads of 64, 320-token vocabulary, zero F32 weights. */
export async function writeTinyModel(dir: string): Promise<string> {
  const path = join(dir, "tiny-qwen3.gguf");
  await writeGguf(
    path,
    qwen3Model({
      nLayer: TINY.nLayer,
      nHead: TINY.nHead,
      nHeadKv: TINY.nHeadKv,
      headDim: TINY.headDim,
      nVocab: TINY.nVocab,
    }),
  );
  return path;
}

/** An executable that runs the fake llama-server with this Node (exec: same pid). */
export function fakeServerWrapper(dir: string): string {
  const p = join(dir, "llama-server");
  writeFileSync(p, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_SERVER}" "$@"\n`);
  chmodSync(p, 0o755);
  return p;
}

/** A folder holding an `nvidia-smi` that runs the fake one: put it first on PATH. */
export function fakeNvidiaSmiDir(dir: string): string {
  const d = join(dir, "fake-bin");
  mkdirSync(d, { recursive: true });
  const p = join(d, "nvidia-smi");
  writeFileSync(p, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_SMI}" "$@"\n`);
  chmodSync(p, 0o755);
  return d;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  pid: number;
  done: Promise<CliResult>;
  kill(sig: NodeJS.Signals): void;
}

export function startCli(
  script: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; shellPrefix?: string } = {},
): Running {
  const env = { ...process.env, ...opts.env };
  const child = opts.shellPrefix
    ? spawn("/bin/sh", ["-c", `${opts.shellPrefix}; exec "$0" "$@"`, process.execPath, script, ...args], {
        cwd: opts.cwd ?? ROOT,
        env,
      })
    : spawn(process.execPath, [script, ...args], { cwd: opts.cwd ?? ROOT, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { pid: child.pid!, done, kill: (sig) => child.kill(sig) };
}

export function runCli(
  script: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; shellPrefix?: string } = {},
): Promise<CliResult> {
  return startCli(script, args, opts).done;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function waitFor<T>(fn: () => T | undefined | null | false, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
