/**
 * The test suites of `npm test`, each a child process whose leaf-test counts are collected by
 * count-reporter.ts. Shared by run-all.ts (everything) and e2e.ts (browser suites only).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, mkdirSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT as ROOT } from "../lib/repo-root.ts";
export { REPO_ROOT as ROOT } from "../lib/repo-root.ts";

export interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
}

/** Runs node --test over the given globs; counts come from the count reporter, not from output. */
export function runNodeTests(name: string, globs: string[], env: NodeJS.ProcessEnv = {}): SuiteResult {
  const countsDir = path.join(ROOT, ".tmp");
  mkdirSync(countsDir, { recursive: true });
  const countsFile = path.join(countsDir, `counts-${name}.jsonl`);
  rmSync(countsFile, { force: true });
  const start = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      "--test",
      "--test-concurrency=1",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      `--test-reporter=${path.join(ROOT, "scripts/test/count-reporter.ts")}`,
      "--test-reporter-destination=stderr",
      ...globs,
    ],
    { cwd: ROOT, env: { ...process.env, ...env, TEST_COUNTS_FILE: countsFile }, stdio: "inherit" },
  );
  const seconds = (performance.now() - start) / 1000;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    for (const line of readFileSync(countsFile, "utf8").trim().split("\n")) {
      const c = JSON.parse(line) as { passed: number; failed: number; skipped: number };
      passed += c.passed;
      failed += c.failed;
      skipped += c.skipped;
    }
  } catch {
    // The runner died before reporting: count the whole suite as one failure.
    failed = Math.max(failed, 1);
  }
  if (r.status !== 0 && failed === 0) failed = 1;
  return { name, passed, failed, skipped, seconds };
}

/** Runs one command as a single check: 1 passed or 1 failed. */
export function runCheck(name: string, cmd: string, args: string[]): SuiteResult {
  const start = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", env: process.env });
  const ok = r.status === 0;
  return { name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, seconds: (performance.now() - start) / 1000 };
}

export function printSummary(results: SuiteResult[]): number {
  console.log("\nSuite results:");
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(14)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed` +
        `${r.skipped ? ` ${r.skipped} skipped` : ""}  ${r.seconds.toFixed(1)} s`,
    );
  }
  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const skipped = results.reduce((a, r) => a + r.skipped, 0);
  // The plain closing line CI reads. Skipped tests are reported, never counted as passed.
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  return failed === 0 && skipped === 0 ? 0 : 1;
}
