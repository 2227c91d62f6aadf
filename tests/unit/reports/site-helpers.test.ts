import assert from "node:assert/strict";
import { test } from "node:test";
import { isSafeRawPath, rawDownloadName, rawFileHref } from "../../../src/lib/runs/raw-files.ts";
import { schemaRows } from "../../../src/lib/schema-doc.ts";
import { BUDGET_CHOICES, DEFAULT_CHOICE, choicePath } from "../../../src/lib/catalog/choices.ts";
import { layoutFacts } from "../../../src/lib/reports/layout.ts";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ModelSchema } from "../../../src/schemas/model.ts";

test("raw files are linked under inert, URL-safe .txt names with their own download names", () => {
  const sha256 = "ab".repeat(32);
  assert.equal(
    rawFileHref("r1", { path: "case a/llama ü.log", sha256 }),
    `/runs/r1/raw/${"ab".repeat(8)}-llama_.log.txt`,
  );
  assert.equal(rawFileHref("r1", { path: "x/evil.svg", sha256 }), `/runs/r1/raw/${"ab".repeat(8)}-evil.svg.txt`);
  assert.equal(rawFileHref("r1", { path: "k=v:w", sha256 }), `/runs/r1/raw/${"ab".repeat(8)}-k_v_w.txt`);
  assert.equal(rawFileHref("r1", { path: ".env", sha256 }), `/runs/r1/raw/${"ab".repeat(8)}-env.txt`);
  assert.equal(rawDownloadName({ path: "case a/llama ü.log.gz", sha256 }), "llama ü.log.gz");
  assert.ok(isSafeRawPath("a/b.log"));
  for (const bad of ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a\\b", "./a"])
    assert.equal(isSafeRawPath(bad), false, bad);
});

test("a JSON Schema flattens into documented dotted paths, arrays as []", () => {
  const rows = schemaRows({
    type: "object",
    required: ["id", "points"],
    properties: {
      id: { type: "string", description: "the id" },
      points: {
        type: "array",
        items: {
          type: "object",
          required: ["n"],
          properties: { n: { type: "integer" }, k: { enum: ["f16", "q8_0"] } },
        },
      },
      hw: { anyOf: [{ type: "object", properties: { name: { type: "string" } } }, { type: "null" }] },
    },
  });
  assert.deepEqual(
    rows.map((r) => [r.path, r.type, r.required]),
    [
      ["id", "string", true],
      ["points", "object[]", true],
      ["points[].n", "integer", true],
      ["points[].k", '"f16" | "q8_0"', false],
      ["hw", "object | null", false],
      ["hw.name", "string", false],
    ],
  );
  assert.equal(rows[0].description, "the id");
});

test("budget choices: the default is /models/, the others have their own page, ids unique", () => {
  assert.equal(choicePath(DEFAULT_CHOICE), "/models/");
  const paths = BUDGET_CHOICES.map(choicePath);
  assert.equal(new Set(paths).size, paths.length);
  for (const c of BUDGET_CHOICES.slice(1)) assert.equal(choicePath(c), `/models/budget/${c.id}/`);
});

test("layout facts of Qwen3.5-27B: 64 layers + 1 MTP, 16 full attention (4 × 256), 48 recurrent", () => {
  const m = ModelSchema.parse(
    JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../../data/models/qwen3.5-27b.json"), "utf8")),
  );
  const f = layoutFacts(m.architecture);
  assert.equal(f.layers, 64);
  assert.equal(f.mtpLayers, 1);
  assert.equal(f.counts.recurrent, 48);
  assert.deepEqual(f.attention, [{ kvHeads: 4, headK: 256, headV: 256, layers: 16, swa: false }]);
  assert.equal(f.recurrentFamily, "gated-delta-net");
});
