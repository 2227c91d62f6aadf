/**
 * The catalog ships every architecture as the engine's schema parsed it at build time, and the
 * browser uses it without parsing again (no zod before the first answer). Before, the catalog
 * shipped the compact input (nulls and defaults dropped) and the browser parsed it: both give the
 * same object, key order included, for every model and run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import path from "node:path";
import { ArchitectureSchema, type Architecture } from "../../../src/schemas/architecture.ts";
import { encodeCustom } from "../../../src/lib/calculator/custom-payload.ts";
import { loadCatalog, REPO } from "./load-catalog.ts";

/** What the browser computed before: the schema over the compact form (encodeCustom drops the same fields). */
const reparsed = (a: Architecture) => ArchitectureSchema.parse((JSON.parse(encodeCustom(a, "")) as { a: unknown }).a);

test("every shipped architecture is what the schema makes of its compact form", () => {
  const c = loadCatalog([path.join(REPO, "tests/fixtures/calculator/run-qwen3.5-27b-fixture.json")]);
  const archs = [
    ...c.models.map((m) => [m.id, m.architecture] as const),
    ...c.runs.flatMap((r) => (r.architecture ? [[r.id, r.architecture] as const] : [])),
  ];
  assert.ok(c.models.length > 50 && archs.length > c.models.length, "models and runs with architectures");
  for (const [id, a] of archs) {
    assert.equal(JSON.stringify(reparsed(a)), JSON.stringify(a), id);
    assert.deepEqual(ArchitectureSchema.parse(a), a, id);
  }
});
