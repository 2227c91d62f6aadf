/**
 * The published JSON Schema is current, the documented example and every committed run validate,
 * and stored runs reference catalog ids that exist.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { schemaDocuments } from "../../../scripts/ingest/schema.ts";
import { RunInputSchema, RunSchema } from "../../../src/schemas/run.ts";
import { REPO } from "./helpers.ts";

test("data/schema/*.schema.json are generated from src/schemas/run.ts and up to date", () => {
  for (const [name, text] of Object.entries(schemaDocuments())) {
    assert.equal(
      readFileSync(join(REPO, "data", "schema", name), "utf8"),
      text,
      `${name} is stale: run node scripts/ingest/schema.ts`,
    );
    const doc = JSON.parse(text);
    assert.equal(doc.$schema, "https://json-schema.org/draft/2020-12/schema");
    assert.ok(doc.properties.points, name);
  }
  const run = JSON.parse(schemaDocuments()["run.schema.json"]);
  assert.ok(run.required.includes("points") && run.required.includes("provenance"));
  assert.match(
    run.properties.points.items.properties.measured.properties.kv_bytes.description ??
      JSON.stringify(run.properties.points.items.properties.measured.properties.kv_bytes),
    /bytes/,
  );
});

test("the documented example validates and is one real H100 point", () => {
  const ex = JSON.parse(readFileSync(join(REPO, "data", "schema", "run.example.json"), "utf8"));
  const run = RunSchema.parse(ex);
  assert.equal(run.points.length, 1);
  // 2048 cells × 40 layers × 1024 (8 KV heads × 128) × 2 B × (K + V) = 320 MiB
  assert.equal(run.points[0].measured.kv_bytes!.bytes, 2048 * 40 * 1024 * 2 * 2);
  assert.equal(RunInputSchema.safeParse({ title: "x" }).success, true);
  assert.equal(RunInputSchema.safeParse({ title: "x", bogus: 1 }).success, false);
});

test("committed runs in data/runs validate and reference existing catalog entries", () => {
  const dir = join(REPO, "data", "runs");
  if (!existsSync(dir)) return;
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  for (const f of files) {
    const run = RunSchema.parse(JSON.parse(readFileSync(join(dir, f), "utf8")));
    assert.equal(`${run.id}.json`, f);
    if (run.model.preset)
      assert.ok(existsSync(join(REPO, "data", "models", `${run.model.preset}.json`)), run.model.preset);
    for (const r of run.provenance.raw_files)
      assert.ok(existsSync(join(REPO, "data", "raw", run.id, r.path)), `${run.id}: ${r.path}`);
    for (const s of run.provenance.sources) assert.ok(existsSync(join(REPO, s)), s);
  }
});
