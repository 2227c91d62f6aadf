/**
 * The island seeds the engine's weights cache with the build's weights of its first state
 * (view/weights-seed.ts) instead of building the model's tensor table on the first input: what it
 * seeds must be what the engine computes in the browser, so every answer after it (the half at
 * any context, the suggestions, the static half a later input recomputes) is the same as without
 * the seed. The seed is taken only for the configuration it was computed for.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { catalogFile, type CalcCatalog } from "../../../src/lib/calculator/catalog.ts";
import { normalizeState } from "../../../src/lib/calculator/normalize.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import {
  adoptStatic,
  adoptWeights,
  computeAtCtx,
  computeStaticBase,
  computeView,
  weightsSeedFor,
  type WeightsSeed,
} from "../../../src/lib/calculator/view.ts";
import { weightsEntries } from "../../../src/lib/engine/runtime-weights.ts";
import { loadCatalog } from "./load-catalog.ts";
import { FIRST_LOADS } from "../../helpers/calc-states.ts";

const full = loadCatalog();
const file = catalogFile(full);
/** The catalog the island holds: catalog.json (fresh objects: an engine cache of its own). */
function islandCatalog(): CalcCatalog {
  const { runKeys: _keys, ...rest } = structuredClone(file);
  return { ...rest, runs: [] };
}
const json = (x: unknown) => JSON.stringify(x);

/** As the page holds them (the K/V types within the engine's rules). */
const norm = (s: CalcState): CalcState => normalizeState(s, full.kvTypes).state;

// the 64K one with a quantized weights format too
const STATES: CalcState[] = FIRST_LOADS.map((s) => (s.model === "gemma-3-27b" ? { ...s, ftype: "Q8_0" } : s)).map(norm);

/** Next inputs: most keep the seed's weights (context, K/V types, view, batch), some do not. */
function nextStates(s: CalcState): CalcState[] {
  const next: CalcState[] = [
    { ...s, ctx: s.ctx + 1024 },
    { ...s, ctx: 4096 },
    { ...s, typeK: "f16", typeV: "f16" },
    { ...s, typeK: "q4_0", typeV: "q4_0", ctx: s.ctx * 2 },
    { ...s, view: s.view === "total" ? "residual" : "total" },
    { ...s, nUbatch: 1024, nSeq: 1 },
    { ...s, ftype: s.ftype === "Q8_0" ? "Q4_K_M" : "Q8_0" },
    { ...s, nGpuLayers: 12 },
  ];
  return next.map(norm);
}

/** The build's seed of `state`, through the props (JSON). */
function builtSeed(state: CalcState): { view: ReturnType<typeof computeView>; seed: WeightsSeed } {
  const inp = { state, catalog: full, loaded: null, extraRuns: [] };
  const view = JSON.parse(json(computeView(inp))) as ReturnType<typeof computeView>;
  const seed = JSON.parse(json(weightsSeedFor(inp, view.s))) as WeightsSeed | null;
  assert.ok(seed, state.model);
  return { view, seed };
}

test("seeded with the build's weights, the island answers every next input as the engine does unseeded", () => {
  for (const state of STATES) {
    const { view, seed } = builtSeed(state);
    const inp = { state, catalog: islandCatalog(), loaded: null, extraRuns: [], reserve: null };
    const seeded = adoptStatic(view.s, inp)!;
    assert.ok(seeded, state.model);
    assert.equal(adoptWeights(seeded.resolved, state, seed), true, state.model);
    // the seed is what the engine now holds, and all the first input reads (no tensor table built)
    const r = seeded.resolved;
    const opts = { tensors: r.tensors, tensors_ftype: r.tensorsFtype };
    const held = weightsEntries(r.arch, opts);
    assert.deepEqual(
      held.map(([k]) => k),
      seed.entries.map(([k]) => k),
      state.model,
    );
    held.forEach(([, out], i) => assert.equal(out, seed.entries[i][1], state.model));
    computeAtCtx(seeded.view, r, { ...state, ctx: state.ctx + 256 }, { suggestions: false });
    if (seeded.view.model && view.c.verdict.kind === "fits")
      assert.equal(weightsEntries(r.arch, opts).length, held.length, `${state.model}: a key not seeded`);
    const bare = { ...inp, catalog: islandCatalog() };
    const fresh = computeStaticBase(bare);
    for (const s of nextStates(state)) {
      const a = computeAtCtx(seeded.view, seeded.resolved, s);
      const b = computeAtCtx(fresh.view, fresh.resolved, s);
      assert.equal(json(a), json(b), `${state.model} ${s.ctx} ${s.typeK}`);
    }
    // the static half a later input recomputes (curves at every K/V type) on the seeded cache
    for (const s of nextStates(state)) {
      const a = computeStaticBase({ ...inp, state: s }).view;
      const b = computeStaticBase({ ...bare, state: s }).view;
      assert.equal(json(a), json(b), `${state.model} static ${s.typeK}`);
    }
  }
});

test("a seed is taken only for the model it was computed for", () => {
  const { view, seed } = builtSeed(DEFAULT_STATE);
  const inp = { state: DEFAULT_STATE, catalog: islandCatalog(), loaded: null, extraRuns: [], reserve: null };
  const { resolved } = adoptStatic(view.s, inp)!;
  const opts = { tensors: resolved.tensors, tensors_ftype: resolved.tensorsFtype };
  assert.equal(adoptWeights(resolved, { ...DEFAULT_STATE, model: "qwen3-14b" }, seed), false);
  assert.equal(adoptWeights(resolved, DEFAULT_STATE, null), false);
  assert.equal(adoptWeights({ ...resolved, model: { ...resolved.model, source: "gguf" } }, DEFAULT_STATE, seed), false);
  assert.equal(weightsEntries(resolved.arch, opts).length, 0);
  assert.equal(adoptWeights(resolved, { ...DEFAULT_STATE, ctx: 8192, view: "residual" }, seed), true);
  assert.equal(weightsEntries(resolved.arch, opts).length, seed.entries.length);
});

test("no seed for a model of the user's or a state the engine cannot size", () => {
  const sv = computeView({ state: DEFAULT_STATE, catalog: full, loaded: null, extraRuns: [] }).s;
  assert.ok(weightsSeedFor({ state: DEFAULT_STATE, catalog: full, loaded: null, extraRuns: [] }, sv));
  assert.equal(weightsSeedFor({ state: DEFAULT_STATE, catalog: full, loaded: {} as never, extraRuns: [] }, sv), null);
  const none = { state: { ...DEFAULT_STATE, model: "no-such-model" }, catalog: full, loaded: null, extraRuns: [] };
  assert.equal(weightsSeedFor(none, sv), null);
});
