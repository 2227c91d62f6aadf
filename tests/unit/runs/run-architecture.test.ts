/**
 * One rule for the architecture a run is compared with (src/lib/runs/run-architecture.ts), used by
 * ingest's cross-check (scripts/ingest/catalog.ts) and the site's run pages
 * (src/views/runs/runs-data.ts): the run's inline geometry over its preset's, null fields from the
 * preset.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ArchitectureSchema, type Architecture } from "../../../src/schemas/architecture.ts";
import type { Run } from "../../../src/schemas/run.ts";
import { runArchitecture } from "../../../src/lib/runs/run-architecture.ts";
import { catalogOf } from "../../../scripts/ingest/catalog.ts";
import { dataDir } from "../../../scripts/ingest/store.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";

const presetDoc = JSON.parse(readFileSync(path.join(REPO_ROOT, "data/models/qwen3-0.6b.json"), "utf8")) as {
  architecture: unknown;
};
const preset = ArchitectureSchema.parse(presetDoc.architecture);
/** What a log's GGUF keys give: the geometry, with the fields the dump lacks unknown. */
const inline: Architecture = {
  ...preset,
  n_embd: (preset.n_embd ?? 0) * 2,
  vocab_size: null,
  feed_forward_length: null,
};
const catalog = (id: string) => (id === "qwen3-0.6b" ? preset : "missing");
const run = (model: Partial<Run["model"]>) => ({ model }) as Run;

describe("runArchitecture: one rule for ingest and the run pages", () => {
  test("inline over preset: known inline fields win, null ones come from the preset", () => {
    const a = runArchitecture({ preset: "qwen3-0.6b", architecture: inline }, catalog);
    assert.ok(!("error" in a));
    assert.equal(a.n_embd, (preset.n_embd ?? 0) * 2);
    assert.equal(a.vocab_size, preset.vocab_size);
    assert.equal(a.feed_forward_length, preset.feed_forward_length);
    assert.notEqual(preset.vocab_size, null);
  });
  test("inline alone, preset alone", () => {
    assert.deepEqual(runArchitecture({ architecture: inline }, catalog), inline);
    assert.deepEqual(runArchitecture({ preset: "qwen3-0.6b" }, catalog), preset);
  });
  test("a preset not in the catalog, a preset without a usable architecture, nothing at all", () => {
    assert.deepEqual(runArchitecture({ preset: "nope", architecture: inline }, catalog), {
      error: 'model preset "nope" is not in the catalog',
    });
    assert.deepEqual(
      runArchitecture({ preset: "broken" }, () => undefined),
      { error: 'model preset "broken" has no usable architecture in data/models/' },
    );
    assert.match(
      (runArchitecture({}, catalog) as { error: string }).error,
      /architecture is unknown \(no catalog preset, no inline architecture/,
    );
  });
  test("ingest's catalog compares with the same architecture (inline merged over the preset)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cc-run-arch-"));
    try {
      const c = catalogOf(dataDir(dir), path.join(REPO_ROOT, "data/models"));
      const r = run({ preset: "qwen3-0.6b", architecture: inline });
      assert.deepEqual(c.archOf(r), runArchitecture(r.model, catalog));
      assert.deepEqual(c.archOf(run({ architecture: inline })), inline);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test("the site's run pages and ingest both delegate to runArchitecture (no second rule)", () => {
    for (const file of ["src/views/runs/runs-data.ts", "scripts/ingest/catalog.ts"]) {
      const text = readFileSync(path.join(REPO_ROOT, file), "utf8");
      assert.match(text, /runArchitecture\(/, `${file} calls runArchitecture`);
      assert.doesNotMatch(text, /model\.architecture\b/, `${file} reads no architecture of its own`);
    }
  });
});
