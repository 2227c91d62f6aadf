import assert from "node:assert/strict";
import { test } from "node:test";
import { ctxLabel, deltaPct, gb, gib, mib, pct } from "../../../src/components/reports/format.ts";

test("units are named and decimal vs binary is kept apart", () => {
  assert.equal(gb(1_312_999_513), "1.31 GB");
  assert.equal(gib(2 ** 31), "2.00 GiB");
  assert.equal(mib(320 * 2 ** 20), "320.00 MiB");
  assert.equal(ctxLabel(131072), "128K");
  assert.equal(ctxLabel(1000), "1000");
});

test("delta is (measured − calculated) / calculated, signed, zero without a sign", () => {
  assert.equal(deltaPct(115, 100), 15);
  assert.equal(deltaPct(90, 100), -10);
  assert.equal(deltaPct(0, 0), 0);
  assert.equal(deltaPct(1, 0), Infinity);
  assert.equal(pct(15), "+15.0 %");
  assert.equal(pct(-0.04), "0.0 %");
  assert.equal(pct(-2.25, 2), "−2.25 %");
});
