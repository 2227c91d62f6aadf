import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { describeLargest, largestContext, trainedCap } from "../../../src/lib/catalog/largest-context.ts";
import { computeBreakdown, maxContext } from "../../../src/lib/engine/index.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { GiB } from "../../../src/lib/units.ts";
import { DATA_DIR } from "./fixture.ts";
import { formatContext } from "../../../src/lib/format.ts";

const { catalog } = loadCatalog(DATA_DIR);
const arch = (id: string) => catalog.models.find((m) => m.id === id)!.architecture;
const cfg = (over: Record<string, unknown> = {}) =>
  RuntimeConfigSchema.parse({ weights_ftype: "Q4_K_M", backend: "cuda", ...over });

describe("formatContext: exact tokens and the K form side by side", () => {
  it("multiples of 1024, quarters, millions, small numbers", () => {
    assert.equal(formatContext(40960), "40,960 (40K)");
    assert.equal(formatContext(95744), "95,744 (93.5K)");
    assert.equal(formatContext(39680), "39,680 (38.75K)");
    assert.equal(formatContext(1048576), "1,048,576 (1M)");
    assert.equal(formatContext(1000), "1,000");
    assert.equal(formatContext(1100), "1,100 (≈1.07K)");
  });
});

describe("largestContext", () => {
  const qwen = arch("qwen3-14b");

  it("caps at the trained context and reports what memory would allow beyond it", () => {
    const budget = { bytes: 24 * GiB, pool: "device" as const };
    const lc = largestContext(qwen, cfg(), budget);
    assert.equal(lc.nCtx, 40960);
    assert.equal(lc.limitedBy, "trained-context");
    // The beyond figure is the engine's exact boundary searched to 4 × the trained context.
    const far = maxContext(qwen, cfg(), budget, { limit: 4 * 40960 })!;
    assert.ok(lc.beyond && lc.beyond.nCtx === far.n_ctx && far.n_ctx > 40960);
    assert.equal(lc.beyond.limitedBy, far.limited_by === "limit" ? "search-end" : "memory");
    assert.match(
      describeLargest(lc, "device"),
      /^largest context 40,960 \(40K\) \(limited by the model's trained context\); GPU memory would allow .* needs RoPE\/YaRN scaling$/,
    );
  });

  it("is limited by memory with the exact boundary: n fits, n + step does not", () => {
    const budget = { bytes: 12 * GiB, pool: "device" as const };
    const lc = largestContext(qwen, cfg(), budget);
    assert.equal(lc.limitedBy, "memory");
    assert.equal(lc.beyond, null);
    const at = (n: number) => computeBreakdown(qwen, { ...cfg(), n_ctx: n }).total.device_bytes;
    assert.ok(at(lc.nCtx!) <= budget.bytes);
    assert.ok(at(lc.nCtx! + lc.step) > budget.bytes);
    assert.doesNotMatch(describeLargest(lc, "device"), /next step/);
  });

  it("names the working-set limit when that is what binds (Apple unified memory)", () => {
    const c = cfg({ backend: "metal" });
    const total = computeBreakdown(qwen, { ...c, n_ctx: 16384 });
    // Plenty of RAM, a working set just above the device buffers at 16K.
    const budget = { bytes: 64 * GiB, pool: "total" as const, device_limit_bytes: total.total.device_bytes };
    const lc = largestContext(qwen, c, budget);
    assert.equal(lc.nCtx, 16384);
    assert.equal(lc.limitedBy, "working-set");
  });

  it("says when nothing fits, and why", () => {
    const lc = largestContext(qwen, cfg(), { bytes: 4 * GiB, pool: "device" });
    assert.equal(lc.nCtx, null);
    assert.equal(lc.limitedBy, "memory");
    assert.match(describeLargest(lc, "device"), /^nothing fits/);
  });

  it("the cap counts the trained context per sequence (independent streams multiply it)", () => {
    assert.equal(trainedCap(40960, cfg({ n_seq: 4, kv_unified: false })), 163840);
    assert.equal(trainedCap(40960, cfg({ n_seq: 4, kv_unified: true })), 40960);
    assert.equal(trainedCap(40960, cfg({ n_seq: 4, engine: { name: "ollama" }, n_ctx: 4096 })), 40960);
  });

  it("uses the search end when the trained context is unknown", () => {
    const lc = largestContext(qwen, cfg(), { bytes: 80 * GiB, pool: "device" }, { trainedCtx: null, searchEnd: 65536 });
    assert.equal(lc.nCtx, 65536);
    assert.equal(lc.limitedBy, "search-end");
  });
});
