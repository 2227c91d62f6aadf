import assert from "node:assert/strict";
import { METAL_RANGE } from "../../../src/lib/engine/compute/metal.ts";
import { describe, test } from "node:test";
import { computeView } from "../../../src/lib/calculator/view.ts";
import { compactLayers } from "../../../src/lib/calculator/layer-groups.ts";
import { contextToIndex, indexToContext, sliderScale, padContext } from "../../../src/lib/calculator/slider.ts";
import { DEFAULT_STATE } from "../../../src/lib/calculator/state.ts";
import { loadCatalog } from "./load-catalog.ts";

const catalog = loadCatalog();
const view = (patch = {}) =>
  computeView({ state: { ...DEFAULT_STATE, ...patch }, catalog, loaded: null, extraRuns: [] });
const comp = (v: ReturnType<typeof view>, key: string) => v.c.components.find((c) => c.key === key)!.bytes;
/** The default question's view, computed once for the two suites that read it. */
let defaultView: ReturnType<typeof view> | undefined;
const theDefault = () => (defaultView ??= view());

describe("the calculator's view of the default question", () => {
  // Qwen3.5-27B (docs/memory-model.md#recurrent-state, tests/fixtures/catalog/preset-figures.json): 16 full-attention layers of 4 KV heads × 256,
  // 48 gated-delta-net layers of 3,268,608 B state per sequence, MTP layer 64 without KV.
  const v = theDefault();

  test("K q8_0 and V turbo4 at 32768 cells, by hand", () => {
    assert.equal(v.c.allocated, 32768);
    // K: 1024 values per cell per layer, q8_0 34 B per 32 → 1088 B; × 16 layers × 32768 cells.
    assert.equal(comp(v, "k"), 16 * 32768 * ((1024 / 32) * 34));
    // V: turbo4 68 B per 128 → 544 B.
    assert.equal(comp(v, "v"), 16 * 32768 * ((1024 / 128) * 68));
    // llama-server's auto -np 4 (unified): four sequences of recurrent state.
    assert.equal(comp(v, "rs"), 48 * 4 * 3_268_608);
  });

  test("the verdict, budget and line labels", () => {
    assert.equal(v.s.budget.usableBytes, 27_000_000_000, "the report's stated 27 GB");
    assert.equal(v.c.verdict.kind, "fits");
    assert.match(v.c.verdict.text, /^Fits: /);
    // turbo4/turbo4 is auto-asymmetric in the fork (GQA 24/4 = 6): the same allocation as q8_0/turbo4, one line.
    const selected = v.s.chart.series.filter((s) => s.selected);
    assert.equal(selected.length, 1);
    assert.match(selected[0].label, /^K q8_0 · V turbo4 \(asked: turbo4\/turbo4, q8_0\/turbo4\)$/);
    const rows = v.s.maxTable.filter((r) => r.key === "turbo4/turbo4" || r.key === "q8_0/turbo4");
    assert.equal(rows.length, 2);
    assert.equal(rows[0].maxCtx, rows[1].maxCtx);
    // Compressed V buys context: turbo2 > turbo3 > turbo4 and q4_0 > q8_0 > f16 in what memory allows
    // (the largest context itself stops at the trained context; `beyond` is what memory would allow).
    const max = (k: string) => {
      const r = v.s.maxTable.find((x) => x.key === k)!;
      return r.beyond?.nCtx ?? r.maxCtx!;
    };
    assert.ok(max("turbo2/turbo2") > max("turbo3/turbo3") && max("turbo3/turbo3") > max("turbo4/turbo4"));
    assert.ok(max("q4_0/q4_0") > max("q8_0/q8_0") && max("q8_0/q8_0") > max("f16/f16"));
    const turbo2 = v.s.maxTable.find((r) => r.key === "turbo2/turbo2")!;
    assert.ok(
      turbo2.quality.some((q) => q.includes("6.48")),
      "quality note from data/quants",
    );
  });

  test("the largest context that fits is exact at the boundary", () => {
    const row = v.s.maxTable.find((r) => r.key === "f16/f16")!;
    const at = view({ typeK: "f16", typeV: "f16", ctx: row.maxCtx! });
    const next = view({ typeK: "f16", typeV: "f16", ctx: row.maxCtx! + 256 });
    assert.notEqual(at.c.verdict.kind, "no");
    assert.equal(next.c.verdict.kind, "no");
  });
});

describe("the calculator's view of the default question: engines, Metal range, layer groups", () => {
  const v = theDefault();

  test("Ollama's command says it cannot express the pick; the fork's llama-server can", () => {
    const [llama, ollama] = v.c.commands;
    assert.match(llama.text!, /-ctk q8_0 -ctv turbo4 -c|-ctk q8_0 -ctv turbo4/);
    assert.equal(ollama.text, null);
  });

  test("upstream llama.cpp disables the turbo types with the reason", () => {
    const u = view({ engine: "llama.cpp", revision: "current", typeV: "q8_0" });
    const t = u.s.vOptions.find((o) => o.name === "turbo4")!;
    assert.match(t.disabled!, /TurboQuant fork/);
    assert.equal(u.s.vOptions.find((o) => o.name === "q4_0")!.disabled, null);
    const off = view({ engine: "llama.cpp", revision: "current", typeK: "f16", typeV: "f16", flashAttn: "off" });
    assert.match(off.s.vOptions.find((o) => o.name === "q8_0")!.disabled!, /Flash Attention/i);
  });

  test("Metal compute carries the engine's ±25 % range; overhead a range up to the reported driver allowance", () => {
    // data/budgets/seed-36gb-m3-max.json: "Metal" 1.5 GB (driver). Its "activations" 1 GB no longer
    // bounds the compute buffers: the engine's labelled Metal estimate does (METAL_RANGE).
    assert.deepEqual(v.s.metalRange, { overheadHi: 1_500_000_000, source: "36 GB M3 Max (as reported)" });
    const compute = v.c.components.find((c) => c.key === "compute")!;
    const overhead = v.c.components.find((c) => c.key === "overhead")!;
    assert.equal(compute.uncalibrated, true);
    assert.match(compute.detail, /estimate — no Metal measurement yet/);
    assert.deepEqual(compute.range, [
      Math.round(compute.bytes * (1 + METAL_RANGE.low)),
      Math.round(compute.bytes * (1 + METAL_RANGE.high)),
    ]);
    assert.match(compute.rangeSource!, /engine's Metal estimate, -25 % … \+25 %/);
    assert.deepEqual(overhead.range, [0, 1_500_000_000]);
    // High end: total + 25 % of the compute buffers + 1.5e9 of overhead against the stated 27 GB.
    const hi = v.c.total + (compute.range![1] - compute.bytes) + 1_500_000_000;
    assert.equal(v.c.verdictHigh!.headroomBytes, 27_000_000_000 - hi);
    assert.equal(view({ backend: "cuda" }).c.verdictHigh, null);
    assert.equal(view({ backend: "cuda" }).c.components.find((c) => c.key === "compute")!.range, null);
  });

  test("layer groups explain the hybrid", () => {
    const kinds = v.c.layerGroups.map((g) => `${g.kind}:${g.layers.length}`);
    assert.deepEqual(kinds, ["recurrent:48", "full:16", "mtp:1"]);
    const full = v.c.layerGroups.find((g) => g.kind === "full")!;
    assert.equal(full.layerText, "3, 7, …, 63 (every 4th)");
    assert.equal(full.nHeadKv, 4);
    assert.equal(full.headK, 256);
  });
});

describe("slider and layer lists", () => {
  test("powers of two are exact slider positions and every position is on the 256 grid", () => {
    const sc = sliderScale(262144);
    assert.equal(indexToContext(contextToIndex(32768, sc)), 32768);
    assert.equal(indexToContext(0), 512);
    assert.equal(sc.modelMax, 262144);
    assert.equal(sc.maxCtx, 4 * 262144);
    for (let i = 0; i <= sc.maxIndex; i++) assert.equal(indexToContext(i) % 256, 0);
    assert.equal(padContext(32700), 32768);
  });

  test("layer lists compact to runs and progressions", () => {
    assert.equal(compactLayers([0, 1, 2, 3]), "0–3");
    assert.equal(compactLayers([5]), "5");
    assert.equal(compactLayers([0, 1, 2, 4, 5, 6, 9]), "0–2, 4–6, 9");
    assert.equal(compactLayers([1, 3]), "1, 3");
  });
});
