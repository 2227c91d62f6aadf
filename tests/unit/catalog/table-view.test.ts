import assert from "node:assert/strict";
import { test } from "node:test";
import {
  parseMinCtx,
  rowVisible,
  rowsInPlace,
  sortRows,
  viewState,
  type ViewRow,
} from "../../../src/lib/catalog/table-view.ts";

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

/** Applies rowsInPlace's answer as the DOM does: rows not kept are moved before their successor. */
function reorder(current: readonly number[], wanted: readonly number[]): { order: number[]; moves: number } {
  const from = wanted.map((v) => current.indexOf(v));
  const keep = rowsInPlace(from);
  const order = [...current];
  let moves = 0;
  let next: number | null = null;
  for (let i = wanted.length - 1; i >= 0; i--) {
    if (!keep[i]) {
      order.splice(order.indexOf(wanted[i]), 1);
      order.splice(next === null ? order.length : order.indexOf(next), 0, wanted[i]);
      moves++;
    }
    next = wanted[i];
  }
  return { order, moves };
}

/** Fewest moves by brute force: n minus the longest increasing subsequence, over every subset. */
function fewestMoves(from: readonly number[]): number {
  let best = 0;
  for (let mask = 0; mask < 1 << from.length; mask++) {
    const picked = from.filter((_, i) => mask & (1 << i));
    if (picked.every((v, i) => i === 0 || picked[i - 1] < v)) best = Math.max(best, picked.length);
  }
  return from.length - best;
}

test("rowsInPlace: moving only the rows it does not keep gives the wanted order, with the fewest moves", () => {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + Math.floor(rand() * 10);
    const current = Array.from({ length: n }, (_, i) => i);
    const wanted = [...current].sort(() => rand() - 0.5);
    const { order, moves } = reorder(current, wanted);
    assert.deepEqual(order, wanted);
    assert.equal(moves, fewestMoves(wanted.map((v) => current.indexOf(v))));
  }
  // already in order: nothing moves; reversed: all but one; one row to the end: one move
  assert.deepEqual(rowsInPlace([0, 1, 2, 3]), [true, true, true, true]);
  assert.equal(rowsInPlace([3, 2, 1, 0]).filter((k) => !k).length, 3);
  assert.deepEqual(rowsInPlace([1, 2, 3, 0]), [true, true, true, false]);
  assert.deepEqual(rowsInPlace([]), []);
});
