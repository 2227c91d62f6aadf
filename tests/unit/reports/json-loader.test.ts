import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import type { LoaderContext } from "astro/loaders";
import { jsonArrayLoader, jsonFilesLoader } from "../../../src/content-layer/json-loader.ts";

interface Stored {
  id: string;
  data: Record<string, unknown>;
  filePath?: string;
}

/** A LoaderContext with an in-memory store; parseData rejects `bad: true` like a schema would. */
function fakeContext(root: string): { ctx: LoaderContext; stored: Map<string, Stored>; warnings: string[] } {
  const stored = new Map<string, Stored>();
  const warnings: string[] = [];
  const ctx = {
    collection: "things",
    store: {
      clear: () => stored.clear(),
      set: (e: Stored) => {
        stored.set(e.id, e);
        return true;
      },
    },
    logger: { warn: (m: string) => warnings.push(m), info: () => {}, error: () => {}, debug: () => {} },
    config: { root: pathToFileURL(root + "/") },
    parseData: async ({ id, data }: { id: string; data: Record<string, unknown> }) => {
      if (data.bad) throw new Error(`things → ${id} data does not match collection schema.\n**bad**: not allowed`);
      return data;
    },
    generateDigest: (d: unknown) => JSON.stringify(d).length.toString(16),
  } as unknown as LoaderContext;
  return { ctx, stored, warnings };
}

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "cc-loader-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

test("one entry per file, id from the file name, paths stored relative to the project root", async () => {
  const root = tree({ "data/m/a.json": `{"id":"a","x":1}`, "data/m/b.json": `{"x":2}`, "data/m/notes.txt": "skip" });
  const { ctx, stored } = fakeContext(root);
  await jsonFilesLoader(() => path.join(root, "data/m")).load(ctx);
  assert.deepEqual([...stored.keys()], ["a", "b"]);
  assert.equal(stored.get("a")!.filePath, "data/m/a.json");
});

test("a data directory outside the project is stored with ../ paths", async () => {
  const project = tree({ "x.txt": "" });
  const outside = tree({ "runs/r.json": `{"id":"r"}` });
  const { ctx, stored } = fakeContext(project);
  await jsonFilesLoader(() => path.join(outside, "runs")).load(ctx);
  assert.match(stored.get("r")!.filePath!, /^\.\.\//);
});

test("an id that does not match its file name fails, naming the file", async () => {
  const root = tree({ "d/a.json": `{"id":"b"}` });
  const { ctx } = fakeContext(root);
  await assert.rejects(
    jsonFilesLoader(() => path.join(root, "d")).load(ctx),
    /d\/a\.json: id "b" does not match the file name "a\.json"/,
  );
});

test("malformed JSON fails the load, naming the file", async () => {
  const root = tree({ "d/a.json": `{"id":` });
  const { ctx } = fakeContext(root);
  await assert.rejects(jsonFilesLoader(() => path.join(root, "d")).load(ctx), /d\/a\.json: invalid JSON/);
});

test("a schema error is reported with the file in front of the field", async () => {
  const root = tree({ "d/a.json": `{"bad":true}` });
  const { ctx } = fakeContext(root);
  await assert.rejects(jsonFilesLoader(() => path.join(root, "d")).load(ctx), /d\/a\.json: things → a .*\n\*\*bad\*\*/);
});

test("a missing directory is an empty collection with a warning, not a crash", async () => {
  const root = tree({});
  const { ctx, stored, warnings } = fakeContext(root);
  await jsonFilesLoader(() => path.join(root, "nope")).load(ctx);
  assert.equal(stored.size, 0);
  assert.match(warnings[0], /does not exist/);
});

test("array files: ids from a field, duplicates across files fail naming both places", async () => {
  const root = tree({ "hw/a.json": `[{"id":"x"},{"id":"y"}]`, "hw/b.json": `[{"id":"z"}]` });
  const { ctx, stored } = fakeContext(root);
  await jsonArrayLoader(() => path.join(root, "hw"), { idField: "id" }).load(ctx);
  assert.deepEqual([...stored.keys()].sort(), ["x", "y", "z"]);

  const dup = tree({ "hw/a.json": `[{"id":"x"}]`, "hw/b.json": `[{"id":"q"},{"id":"x"}]` });
  const c2 = fakeContext(dup);
  await assert.rejects(
    jsonArrayLoader(() => path.join(dup, "hw"), { idField: "id" }).load(c2.ctx),
    /hw\/b\.json \[1\]: duplicate things id "x" \(also in .*hw\/a\.json \[0\]\)/,
  );
});

test("array files: `only` picks one file; an item without its id field fails naming the index", async () => {
  const root = tree({ "q/kv.json": `[{"name":"f16"},{"name":"q8_0"}]`, "q/w.json": `[{"id":"Q4_K_M"}]` });
  const { ctx, stored } = fakeContext(root);
  await jsonArrayLoader(() => path.join(root, "q"), { idField: "name", only: "kv.json" }).load(ctx);
  assert.deepEqual([...stored.keys()], ["f16", "q8_0"]);

  const bad = tree({ "q/kv.json": `[{"name":"f16"},{"nom":"x"}]` });
  await assert.rejects(
    jsonArrayLoader(() => path.join(bad, "q"), { idField: "name" }).load(fakeContext(bad).ctx),
    /q\/kv\.json: \[1\]\.name expected a non-empty string/,
  );
});
