/**
 * The smaller hostile cases of issue 13: a report of a huge run renders (no stack overflow from
 * spreading its rows), text from files reaches the terminal without its
 * control characters (ingest and calc), and a model source that is not a URL fails validation
 * naming the field instead of crashing the build.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ingest } from "../../../scripts/ingest/index.ts";
import { renderText } from "../../../scripts/ingest/report.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { modelTableRow } from "../../../src/lib/catalog/table.ts";
import { printable } from "../../../src/lib/printable.ts";
import { kv, writeGguf } from "../../helpers/gguf-writer.ts";
import { qwen3Model } from "../../helpers/gguf-models.ts";
import { REPO, rm, snapshot, tempDataDir, tempDir } from "./helpers.ts";

const ESC = "\u001b";

test("a report of 300 000 lines renders (no push(...rows), which overflows the call stack)", () => {
  const warnings = Array.from({ length: 300_000 }, (_, i) => `p${i}: llama.log:${i + 1}: a warning`);
  const rep = {
    ok: true,
    errors: [],
    runs: [
      { id: "r", input: "in", action: "create" as const, dryRun: false, points: 1, warnings, info: [], file: "f" },
    ],
  };
  const text = renderText(rep, true);
  assert.equal(text.split("\n").length, 300_001);
});

test("printable escapes control characters and bidi overrides, keeps newlines unless one line", () => {
  assert.equal(printable(`a${ESC}]0;x\u0007b\u202ec\nd`), "a\\u{1b}]0;x\\u{7}b\\u{202e}c\nd");
  assert.equal(printable("x\ny", true), "x\\u{a}y");
  assert.equal(printable("plain ü 😀"), "plain ü 😀");
});

test("calc prints a GGUF's general.name without its escape sequences", async () => {
  const tmp = tempDir();
  try {
    const m = qwen3Model();
    const path = join(tmp, "escape.gguf");
    const name = `evil${ESC}]0;retitled${"\u0007"}${ESC}[2J`;
    await writeGguf(path, { ...m, metadata: { ...m.metadata, "general.name": kv.str(name) } });
    const r = spawnSync(process.execPath, [join(REPO, "scripts/calc.ts"), "--model", path, "--ctx", "1024"], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes("evil\\u{1b}]0;retitled"), r.stdout.slice(0, 400));
    assert.ok(!r.stdout.includes(ESC) && !r.stderr.includes(ESC), "no raw escape reaches the terminal");
  } finally {
    rm(tmp);
  }
});

test("a model source that is not a valid URL fails validation naming the field; the table never throws", () => {
  const doc = JSON.parse(readFileSync(join(REPO, "data", "models", "qwen3-14b.json"), "utf8"));
  doc.source = ["https://[not-a-host/config.json"];
  const r = ModelSchema.safeParse(doc);
  assert.equal(r.success, false);
  assert.match(r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join(), /source\.0: not a valid URL/);
  const ok = ModelSchema.parse(JSON.parse(readFileSync(join(REPO, "data", "models", "qwen3-14b.json"), "utf8")));
  const row = modelTableRow(
    { ...ok, source: ["see https://[broken and https://example.org/x"] },
    { budget: { bytes: 24 * 2 ** 30 } },
  );
  assert.equal(row.sourceUrl, "https://example.org/x");
});

test("ingest of a run whose inline architecture declares 10^8 layers: file and field named, nothing written", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const file = join(tmp, "layers.json");
    const architecture = { arch: "qwen3", block_count: 1e8, n_embd: 5120, n_head: 40, n_head_kv: 8 };
    writeFileSync(
      file,
      JSON.stringify({
        id: "layers",
        title: "layers",
        model: { architecture },
        points: [
          { id: "p", config: { n_ctx: 2048 }, measured: { kv_bytes: { bytes: 1, source: { tool: "reported" } } } },
        ],
      }),
    );
    const before = snapshot(data);
    const rep = await ingest([file], { dataDir: data });
    assert.equal(rep.ok, false);
    assert.match(
      rep.errors.map((e) => e.format()).join("\n"),
      /layers\.json: model\.architecture\.block_count: 100000000 is above the limit of 4096 \(layers\)/,
    );
    assert.deepEqual(snapshot(data), before);
  } finally {
    rm(data);
    rm(tmp);
  }
});
