/** `npm run test:e2e -- <files>`: which suites a call selects, and what it refuses. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { e2eFiles } from "../../../scripts/test/e2e-files.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";

test("no argument: every suite (undefined); files name exactly those suites, relative to the root", () => {
  assert.equal(e2eFiles([]), undefined);
  assert.deepEqual(e2eFiles(["tests/e2e/models-table.e2e.ts", "tests/e2e/pages.e2e.ts"], REPO_ROOT), [
    "tests/e2e/models-table.e2e.ts",
    "tests/e2e/pages.e2e.ts",
  ]);
  // relative to where the command runs, or absolute
  assert.deepEqual(e2eFiles(["models-table.e2e.ts"], path.join(REPO_ROOT, "tests/e2e")), [
    "tests/e2e/models-table.e2e.ts",
  ]);
  assert.deepEqual(e2eFiles([path.join(REPO_ROOT, "tests/e2e/pages.e2e.ts")]), ["tests/e2e/pages.e2e.ts"]);
});

test("anything but an existing *.e2e.ts under tests/e2e/ is refused, naming the argument", () => {
  const refused: [string, RegExp][] = [
    ["tests/e2e/nope.e2e.ts", /tests\/e2e\/nope\.e2e\.ts: no such file/],
    ["tests/e2e/calculator-page.ts", /calculator-page\.ts: not an e2e suite/],
    ["tests/unit/bench/stats.test.ts", /stats\.test\.ts: not inside tests\/e2e\//],
    ["tests/e2e/../../package.json", /not inside tests\/e2e\//],
    ["tests/e2e", /tests\/e2e: not an e2e suite/],
    ["tests/e2e/**/*.e2e.ts", /no such file/],
    ["--only", /unknown option --only/],
  ];
  for (const [arg, re] of refused) assert.throws(() => e2eFiles([arg], REPO_ROOT), re, arg);
});

test("the command refuses a bad argument with exit 2 and the argument's name, before building anything", () => {
  const r = spawnSync(process.execPath, ["scripts/test/e2e.ts", "tests/e2e/nope.e2e.ts"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^test:e2e: tests\/e2e\/nope\.e2e\.ts: no such file$/m);
  assert.doesNotMatch(r.stdout + r.stderr, /astro build|building/i);
});
