import assert from "node:assert/strict";
import { test } from "node:test";
import { deltaPct, formatTokens, formatTokensTick, gb, gib, groupDigits, mib, pct } from "../../../src/lib/format.ts";
import { parseTokens, readTokens } from "../../../src/lib/units.ts";

test("units are named and decimal vs binary is kept apart", () => {
  assert.equal(gb(1_312_999_513), "1.31 GB");
  assert.equal(gib(2 ** 31), "2.00 GiB");
  assert.equal(mib(320 * 2 ** 20), "320.00 MiB");
  assert.equal(formatTokens(131072), "128K");
  assert.equal(formatTokens(1000), "1000");
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

test("one context formatter: exact K/M, grouped digits on request, rounded ticks", () => {
  assert.equal(formatTokens(1048576), "1M");
  assert.equal(formatTokens(32768, { group: true }), "32K");
  assert.equal(formatTokens(33000, { group: true }), "33,000");
  assert.equal(formatTokens(33000), "33000");
  assert.equal(formatTokensTick(1536), "1.5K");
  assert.equal(formatTokensTick(3 * 1024 * 1024), "3M");
  assert.equal(formatTokensTick(500), "500");
  assert.equal(groupDigits(1234567), "1,234,567");
});

test("one context syntax: readTokens (null) and parseTokens (throws) agree", () => {
  for (const s of ["32k", "128K", "1M", "32768", " 1.5k ", "0.5k"]) assert.equal(readTokens(s), parseTokens(s), s);
  for (const s of ["32 GB", "1.3k", "", "k"]) {
    assert.equal(readTokens(s), null, s);
    assert.throws(() => parseTokens(s), /token count/, s);
  }
});
