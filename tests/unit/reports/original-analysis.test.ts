import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ORIGINAL_KV_CLAIMS,
  originalFormulaForClaim,
  originalKvBytesForPair,
  originalKvCacheBytes,
} from "../../../src/lib/reports/original-analysis.ts";

// Hand computation of the original's example, kv_cache_bytes(32768, 48, 40, 128, 3, 4.6):
//   elements per token = 2 × 48 × 40 × 128 = 491,520
//   bits per token     = 491,520 × 3       = 1,474,560  → 184,320 bytes
//   × 32,768 tokens    = 6,039,797,760 bytes; ÷ 4.6 = 1,312,999,513.04 bytes ≈ 1.31 GB
test("the original's formula, run on its own example, gives 1.31 GB, not its printed ~1.9 GB", () => {
  const bytes = originalKvCacheBytes(32768, 48, 40, 128, 3, 4.6);
  assert.ok(Math.abs(bytes - 1_312_999_513.04) < 1, `got ${bytes}`);
  assert.equal((bytes / 1e9).toFixed(2), "1.31");
  assert.ok(Math.abs(bytes / 1e9 - 1.9) > 0.5, "the printed ~1.9 GB is not what the formula gives");
});

test("the formula divides by the compression factor on top of the bits per value", () => {
  // 16 bits, factor 1: 491,520 × 2 bytes × 1024 tokens = 1,006,632,960
  assert.equal(originalKvCacheBytes(1024, 48, 40, 128, 16, 1), 1_006_632_960);
  // Same bits, factor 2 → exactly half.
  assert.equal(originalKvCacheBytes(1024, 48, 40, 128, 16, 2), 503_316_480);
});

test("an asymmetric pair takes each half with its own inputs (q8_0 K + turbo4 V at 32K)", () => {
  // 32768 × 245,760 = 8,053,063,680 values per half. K: × 8.5/8 ÷ 1.9 = 4,503,357,978.95; V: 32768 × 245,760 × 4/8 ÷ 3.8 = 1,059,613,642.11
  const both = originalKvBytesForPair(32768, "q8_0", "turbo4");
  assert.ok(both !== null && Math.abs(both - (4_503_357_978.95 + 1_059_613_642.11)) < 1, `got ${both}`);
  const k = ORIGINAL_KV_CLAIMS.find((c) => c.id === "asym-32k-k")!;
  assert.ok(Math.abs(originalFormulaForClaim(k)! - 4_503_357_978.95) < 1);
});

test("turbo2 has no bits per value in the original, so its formula cannot be evaluated", () => {
  assert.equal(originalKvBytesForPair(131072, "turbo2", "turbo2"), null);
  const c = ORIGINAL_KV_CLAIMS.find((x) => x.id === "turbo2-128k")!;
  assert.equal(originalFormulaForClaim(c), null);
});

test("every quoted claim names a context, a K/V pair and where it stands", () => {
  assert.ok(ORIGINAL_KV_CLAIMS.length >= 10);
  const ids = new Set(ORIGINAL_KV_CLAIMS.map((c) => c.id));
  assert.equal(ids.size, ORIGINAL_KV_CLAIMS.length, "claim ids are unique");
  for (const c of ORIGINAL_KV_CLAIMS) {
    assert.ok(c.ctx > 0 && c.where.length > 0 && c.printed.length > 0, c.id);
    assert.ok(Number.isFinite(c.printedGB) && c.printedGB > 0, c.id);
  }
});
