/**
 * Recorded llama.cpp contexts (tests/fixtures/oracle/<family>.json, made by generate.ts from real
 * llama.cpp de3ff81 runs on tiny GGUFs) against the engine: every size line, refusal and
 * allocated-cell count must be reproduced.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { ContextRequest } from "../../helpers/llama-cpp.ts";
import { architectureFromFixture, assertEngineMatches } from "./engine-compare.ts";
import type { OracleObservation } from "./engine-compare.ts";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/oracle");

interface FixtureCase extends OracleObservation {
  id: string;
  model: string;
  request: ContextRequest;
}
interface Fixture {
  family: string;
  models: { id: string; arch: string; metadata: Record<string, unknown> }[];
  cases: FixtureCase[];
}

const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));

test("oracle fixtures exist for the main families", () => {
  const fams = files.map((f) => f.replace(/\.json$/, ""));
  for (const f of ["qwen3", "gemma3", "gpt-oss", "deepseek2", "qwen35", "mamba2", "lfm2", "rwkv7"])
    assert.ok(fams.includes(f), `tests/fixtures/oracle/${f}.json is missing (run generate.ts)`);
});

for (const file of files) {
  const fx = JSON.parse(readFileSync(join(DIR, file), "utf8")) as Fixture;
  describe(`oracle ${fx.family}`, () => {
    for (const c of fx.cases) {
      const model = fx.models.find((m) => m.id === c.model);
      test(c.id, () => {
        assert.ok(model, `fixture ${file}: case ${c.id} names unknown model ${c.model}`);
        assert.ok(c.ok || c.kv.length === 0, "a refused context has no size lines");
        const arch = architectureFromFixture(model.metadata);
        assertEngineMatches(arch, c.request, c);
      });
    }
  });
}
