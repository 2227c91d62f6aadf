/**
 * File snapshots: compare rendered text with tests/fixtures/<dir>/<name>; `UPDATE_SNAPSHOTS=1`
 * (re)writes them. A missing snapshot fails (never silently created), naming the flag.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";

export const UPDATE_SNAPSHOTS = process.env.UPDATE_SNAPSHOTS === "1";

export function matchesSnapshot(actual: string, dir: string, name: string): void {
  const file = path.join(REPO_ROOT, "tests/fixtures", dir, name);
  const rel = path.relative(REPO_ROOT, file);
  if (UPDATE_SNAPSHOTS) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual.endsWith("\n") ? actual : `${actual}\n`);
    return;
  }
  assert.ok(existsSync(file), `${rel} is missing: run the test with UPDATE_SNAPSHOTS=1 and review the file`);
  const want = readFileSync(file, "utf8");
  assert.equal(
    actual.endsWith("\n") ? actual : `${actual}\n`,
    want,
    `${rel} differs: if the change is intended, rerun with UPDATE_SNAPSHOTS=1 and review the picture`,
  );
}
