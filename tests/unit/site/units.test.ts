import assert from "node:assert/strict";
import { test } from "node:test";
import { parseBytes, parseTokens } from "../../../src/lib/units.ts";
import { formatBinary, formatDecimal, toMiB2 } from "../../../src/lib/format.ts";

test("parseBytes keeps binary and decimal units apart", () => {
  assert.equal(parseBytes("27GB"), 27_000_000_000);
  assert.equal(parseBytes("24GiB"), 24 * 1024 ** 3);
  assert.equal(parseBytes("512 MiB"), 512 * 1024 ** 2);
  assert.equal(parseBytes("1.5 KB"), 1500);
  assert.equal(parseBytes("4096"), 4096);
});

test("parseBytes refuses unknown units and unit-less fractions", () => {
  assert.throws(() => parseBytes("27 GX"), /unknown unit "GX"/);
  assert.throws(() => parseBytes("1.5"), /needs a unit/);
  assert.throws(() => parseBytes("lots"), /cannot read/);
});

test("parseTokens reads k as 1024", () => {
  assert.equal(parseTokens("32k"), 32768);
  assert.equal(parseTokens("128K"), 131072);
  assert.equal(parseTokens("131072"), 131072);
  assert.equal(parseTokens("1M"), 1048576);
  assert.throws(() => parseTokens("32 GB"), /token count/);
});

test("formatters say which unit family they use", () => {
  assert.equal(formatBinary(320 * 1024 ** 2), "320.00 MiB");
  assert.equal(formatBinary(8.38 * 1024 ** 3), "8.38 GiB");
  assert.equal(formatDecimal(27e9), "27.00 GB");
  assert.equal(toMiB2(8_995_793_920), "8579.06");
});

test("toMiB2 rounds exact ties to even, as C's printf does", () => {
  // 2 228 224 B = 2.125 MiB exactly: llama.cpp prints 2.12 (a real log line of the oracle fixtures).
  assert.equal(toMiB2(2_228_224), "2.12");
  // 2.375 MiB → 2.38 (the odd neighbour rounds up).
  assert.equal(toMiB2(2.375 * 1024 * 1024), "2.38");
  assert.equal(toMiB2(320 * 1024 * 1024), "320.00");
  assert.equal(toMiB2(0), "0.00");
});
