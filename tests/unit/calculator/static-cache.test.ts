/**
 * The static view's cache gives the engine's own answers: a hit equals a fresh computation,
 * configurations that differ in any field never share an entry, and refusals are remembered
 * as refusals.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { computeBreakdown, EngineError } from "../../../src/lib/engine/index.ts";
import { largestContext } from "../../../src/lib/catalog/largest-context.ts";
import {
  cachedBreakdown,
  cachedLargestContext,
  configError,
  curvePoints,
} from "../../../src/lib/calculator/static-cache.ts";
import { computeStatic } from "../../../src/lib/calculator/view.ts";
import { DEFAULT_STATE } from "../../../src/lib/calculator/state.ts";
import { cfg, fixture } from "../../helpers/engine.ts";
import { loadCatalog } from "./load-catalog.ts";

const arch = fixture("qwen3.5-27b");
const opts = {};

test("a remembered breakdown is the engine's breakdown for exactly that config", () => {
  const a = cfg({ n_ctx: 8192, weights_ftype: "Q4_K_M", type_k: "q8_0", type_v: "q8_0" });
  const first = cachedBreakdown(arch, a, opts);
  assert.deepEqual(first, computeBreakdown(arch, a, opts));
  assert.equal(cachedBreakdown(arch, { ...a }, opts), first, "an equal config is a hit");
  for (const change of [
    { n_ctx: 16384 },
    { type_v: "q4_0" },
    { weights_ftype: "Q8_0" },
    { n_seq: 2 },
    { backend: "metal" },
  ])
    assert.deepEqual(
      cachedBreakdown(arch, { ...a, ...change } as typeof a, opts).total,
      computeBreakdown(arch, { ...a, ...change } as typeof a, opts).total,
      JSON.stringify(change),
    );
});

test("refusals are remembered as refusals", () => {
  const bad = cfg({ n_ctx: 1024, type_k: "turbo3", type_v: "turbo3" }); // upstream llama.cpp rejects turbo types
  assert.match(configError(arch, bad, opts)!, /turbo/);
  assert.throws(() => cachedBreakdown(arch, bad, opts), EngineError);
  assert.throws(() => cachedBreakdown(arch, bad, opts), EngineError);
  assert.equal(configError(arch, cfg({ n_ctx: 1024 }), opts), null);
});

test("curve points and largest contexts equal fresh engine results", () => {
  const c = cfg({ weights_ftype: "Q4_K_M", backend: "cuda" });
  const samples = [4096, 8192, 32768];
  for (const pool of ["device", "total"] as const) {
    const want = samples.map((ctx) => {
      const t = computeBreakdown(arch, { ...c, n_ctx: ctx }).total;
      return { ctx, bytes: pool === "device" ? t.device_bytes : t.bytes };
    });
    assert.deepEqual(curvePoints(arch, c, samples, pool, opts), want);
  }
  const budget = { bytes: 24 * 2 ** 30, pool: "device" as const };
  const lo = { trainedCtx: 262144, searchEnd: 1 << 20 };
  assert.deepEqual(cachedLargestContext(arch, c, budget, lo), largestContext(arch, c, budget, lo));
  const smaller = { ...budget, bytes: 20 * 2 ** 30 };
  assert.deepEqual(cachedLargestContext(arch, c, smaller, lo), largestContext(arch, c, smaller, lo));
});

test("the static view is the same whether its parts were remembered or not", () => {
  const catalog = loadCatalog();
  const states = [
    { ...DEFAULT_STATE },
    { ...DEFAULT_STATE, typeK: "q8_0" },
    { ...DEFAULT_STATE, typeK: "q8_0", typeV: "q4_0" },
    { ...DEFAULT_STATE, typeK: "q8_0" },
    { ...DEFAULT_STATE },
  ] as (typeof DEFAULT_STATE)[];
  const views = states.map((state) => computeStatic({ state, catalog, loaded: null, extraRuns: [] }).view);
  assert.deepEqual(views[3], views[1]);
  assert.deepEqual(views[4], views[0]);
  // the remembered parts still follow the state: the selected line is the one asked for
  assert.ok(views[2].maxTable.some((r) => r.selected && r.requested === "q8_0/q4_0"));
  assert.ok(!views[0].maxTable.some((r) => r.selected && r.requested.startsWith("q8_0/q4_0")));
});
