import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import {
  bracketPath,
  friendlyIssues,
  issueExpected,
  InputSchemaError,
  issueLines,
  issueSummary,
  parseWithFriendlyErrors,
  valueAt,
} from "../../../src/lib/zod-issues.ts";

const Schema = z.strictObject({ name: z.string(), layers: z.array(z.strictObject({ n_head: z.number().int() })) });

test("an issue names the field path, the message and the value found there", () => {
  const input = { name: "x", layers: [{ n_head: 8 }, { n_head: "forty" }] };
  const r = Schema.safeParse(input);
  assert.ok(!r.success);
  const [i] = friendlyIssues(r.error.issues, input);
  assert.equal(i.path, "layers.1.n_head");
  assert.match(i.message, /expected number/);
  assert.equal(i.received, '"forty"');
  assert.deepEqual(issueLines(r.error.issues, { input, where: "m.json" }), [
    `m.json: layers.1.n_head: ${i.message} (received "forty")`,
  ]);
});

test("unknown fields are named; the root is (root); long values are cut", () => {
  const input = { name: "x", layers: [], head_dim: 128 };
  const r = Schema.safeParse(input);
  assert.ok(!r.success);
  const [i] = friendlyIssues(r.error.issues, input);
  assert.equal(i.path, "(root)");
  assert.match(i.message, /\(head_dim\)$/);
  assert.equal(i.received, null);
  const long = Schema.safeParse("y".repeat(500));
  assert.ok(!long.success);
  const [l] = friendlyIssues(long.error.issues, "y".repeat(500));
  assert.equal(l.received!.length, 58);
  assert.ok(l.received!.endsWith("…"));
});

test("a summary keeps the first issues and counts the rest; parseWithFriendlyErrors throws it", () => {
  const input = { name: 1, layers: [{ n_head: "a" }, { n_head: "b" }, { n_head: "c" }] };
  const r = Schema.safeParse(input);
  assert.ok(!r.success);
  assert.match(
    issueSummary(r.error.issues, { input, max: 2 }),
    /^name: .*\(received 1\); layers\.0\.n_head: .*; and 2 more$/,
  );
  assert.throws(
    () => parseWithFriendlyErrors(Schema, input, "data/x.json"),
    (e: unknown) => e instanceof InputSchemaError && /^data\/x\.json: name: /.test(e.message) && e.issues.length === 3,
  );
  assert.deepEqual(parseWithFriendlyErrors(Schema, { name: "ok", layers: [] }, "x"), { name: "ok", layers: [] });
});

test("JSON-path style paths, the value at a path and what the schema expected (ingest's errors)", () => {
  assert.equal(bracketPath(["points", 0, "measured", "kv_bytes"]), "points[0].measured.kv_bytes");
  assert.equal(bracketPath([]), "");
  const input = { name: "x", layers: [{ n_head: "forty" }] };
  assert.equal(valueAt(input, ["layers", 0, "n_head"]), "forty");
  assert.equal(valueAt(input, ["layers", 3, "n_head"]), undefined);
  const expected = (schema: z.ZodType, v: unknown) => {
    const r = schema.safeParse(v);
    assert.ok(!r.success);
    return issueExpected(r.error.issues[0]);
  };
  assert.equal(expected(z.number(), "x"), "number");
  assert.equal(expected(z.number().min(1), 0), "≥ 1");
  assert.equal(expected(z.number().lt(4), 9), "< 4");
  assert.equal(expected(z.enum(["on", "off"]), "auto"), 'one of "on", "off"');
  assert.equal(expected(z.string().regex(/^a/), "b"), "regex");
  assert.equal(expected(z.strictObject({}), { a: 1 }), undefined);
});
