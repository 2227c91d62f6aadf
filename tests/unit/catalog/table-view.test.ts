import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMinCtx, rowVisible, sortRows, viewState, type ViewRow } from "../../../src/lib/catalog/table-view.ts";

function row(id: string, name: string, family: string, ctx: number | null, params: number | null): ViewRow {
  return {
    id,
    name,
    family,
    ctx,
    keys: { model: name, family, params, layout: "", kv: null, fixed: null, ctx, status: "verified", source: "" },
  };
}

const rows = [
  row("a", "Qwen3 14B", "Qwen3", 40960, 14.8),
  row("b", "Llama 3.1 70B", "Llama", null, 70.6),
  row("c", "gpt-oss 20B", "gpt-oss", 131072, 20.9),
  row("d", "Mystery", "Other", 8192, null),
];
const ids = (rs: readonly ViewRow[]) => rs.map((r) => r.id).join("");

test("sorts a numeric column both ways, missing values last in both", () => {
  assert.equal(ids(sortRows(rows, "ctx", "asc")), "dacb");
  assert.equal(ids(sortRows(rows, "ctx", "desc")), "cadb");
  assert.equal(ids(sortRows(rows, "params", "asc")), "acbd");
  assert.equal(ids(sortRows(rows, "params", "desc")), "bcad");
});

test("sorts a text column and leaves the input untouched", () => {
  assert.equal(ids(sortRows(rows, "model", "asc")), "cbda");
  assert.equal(ids(sortRows(rows, "model", "desc")), "adbc");
  assert.equal(ids(rows), "abcd");
});

test("filters by minimum context (rows that do not fit drop out) and by name or family", () => {
  const keep = (minCtx: number, text: string) => ids(rows.filter((r) => rowVisible(r, { minCtx, text })));
  assert.equal(keep(0, ""), "abcd");
  assert.equal(keep(32768, ""), "ac");
  assert.equal(keep(40960, ""), "ac");
  assert.equal(keep(40961, ""), "c");
  assert.equal(keep(0, "  LLAMA "), "b");
  assert.equal(keep(0, "qwen3"), "a");
  assert.equal(keep(32768, "llama"), "");
});

test("reads the minimum-context input and states the committed view", () => {
  assert.equal(parseMinCtx(""), 0);
  assert.equal(parseMinCtx("-5"), 0);
  assert.equal(parseMinCtx("abc"), 0);
  assert.equal(parseMinCtx("32768.7"), 32768);
  assert.equal(
    viewState("q8_0", "ctx", "desc", { minCtx: 32768, text: " Qwen " }),
    "kv=q8_0;sort=ctx-desc;min=32768;q=qwen",
  );
  assert.equal(viewState("f16", null, "asc", { minCtx: 0, text: "" }), "kv=f16;sort=none;min=0;q=");
});
