import assert from "node:assert/strict";
import { test } from "node:test";
import { checkBudget, quantile, summarize } from "../../../scripts/bench/stats.ts";

test("median of odd and even sample counts", () => {
  assert.equal(summarize([5, 1, 3]).median, 3);
  assert.equal(summarize([4, 1, 3, 2]).median, 2.5);
});

test("min, max, mean and relative MAD", () => {
  const s = summarize([10, 12, 8, 10, 30]);
  assert.equal(s.min, 8);
  assert.equal(s.max, 30);
  assert.equal(s.mean, 14);
  // deviations from the median 10: 0, 2, 2, 0, 20 → sorted 0,0,2,2,20 → MAD 2 → 20 %
  assert.equal(s.relMad, 0.2);
});

test("quantile interpolates between ranks", () => {
  assert.equal(quantile([0, 10], 0.95), 9.5);
  assert.throws(() => quantile([], 0.5));
});

test("budgets in both directions report the miss as a ratio of the budget", () => {
  assert.deepEqual(checkBudget(12, 16, "<="), { ok: true, missBy: 0 });
  assert.deepEqual(checkBudget(20, 16, "<="), { ok: false, missBy: 0.25 });
  assert.deepEqual(checkBudget(40, 50, ">="), { ok: false, missBy: 0.2 });
});
