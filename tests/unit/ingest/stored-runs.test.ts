/**
 * The runs committed under data/runs are what `npm run ingest -- --reparse` makes of their raw files
 * today: a parser or schema change that alters a stored run must re-parse it in the same commit
 * (otherwise the site shows figures the ingest would no longer produce).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { reparse } from "../../../scripts/ingest/index.ts";
import { REPO, rm, snapshot, tempDataDir } from "./helpers.ts";

test("every stored run equals its --reparse (nothing rewritten)", async () => {
  const data = tempDataDir();
  try {
    for (const sub of ["runs", "raw", "sources"]) cpSync(join(REPO, "data", sub), join(data, sub), { recursive: true });
    const before = snapshot(data);
    const rp = await reparse({ dataDir: data });
    assert.equal(rp.ok, true, rp.errors.map((e) => e.format()).join("\n"));
    assert.ok(rp.runs.length >= 1, "the repository holds runs");
    for (const r of rp.runs) assert.equal(r.action, "unchanged", `${r.id ?? JSON.stringify(r)} changed on --reparse`);
    assert.deepEqual(snapshot(data), before);
  } finally {
    rm(data);
  }
});
