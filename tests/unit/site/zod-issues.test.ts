import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import {
  friendlyIssues,
  InputSchemaError,
  issueLines,
  issueSummary,
  parseWithFriendlyErrors,
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
