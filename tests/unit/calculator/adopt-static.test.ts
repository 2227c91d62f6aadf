/**
 * The island takes the build's static half of its first state (adoptStatic) instead of computing
 * it again: what it takes must be what the engine computes in the browser for that state, once
 * the model's runs file has arrived (the view it then computes for real), resolved model included.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { catalogFile, groupRunsByArch, runsFileKey, type CalcCatalog } from "../../../src/lib/calculator/catalog.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import {
  adoptStatic,
  computeAtCtx,
  computeStatic,
  computeStaticBase,
  computeView,
  ctxSuggestions,
  wantsSuggestions,
  withMeasured,
} from "../../../src/lib/calculator/view.ts";
import { loadCatalog } from "./load-catalog.ts";
import { FIRST_LOADS } from "../../helpers/calc-states.ts";

const full = loadCatalog();
const file = catalogFile(full);
const groups = groupRunsByArch(full.runs, full.models);
/** The catalog the island holds: catalog.json, with the runs file of the model's arch once fetched. */
function islandCatalog(state: CalcState, withRuns: boolean): CalcCatalog {
  const { runKeys: _keys, ...rest } = structuredClone(file);
  const arch = rest.models.find((m) => m.id === state.model)!.architecture.arch;
  return { ...rest, runs: withRuns ? structuredClone(groups.get(runsFileKey(arch)) ?? []) : [] };
}
const json = (x: unknown) => JSON.stringify(x);

// and one whose context is near the model's largest
const STATES: CalcState[] = [...FIRST_LOADS, { ...DEFAULT_STATE, ctx: 229376 }];

test("the build's static half, through the props, is the engine's for that state with the model's runs", () => {
  let measured = 0;
  for (const state of STATES) {
    const built = JSON.parse(json(computeView({ state, catalog: full, loaded: null, extraRuns: [] }))) as ReturnType<
      typeof computeView
    >;
    const inp = { state, catalog: islandCatalog(state, false), loaded: null, extraRuns: [], reserve: null };
    const adopted = adoptStatic(built.s, inp);
    assert.ok(adopted, state.model);
    const live = computeStatic({ ...inp, catalog: islandCatalog(state, true) });
    assert.equal(json(adopted.view), json(live.view), state.model);
    assert.deepEqual(adopted.resolved, live.resolved, state.model);
    measured += adopted.view.chart.measured.length;
  }
  assert.ok(measured > 0, "a state with measured points (their runs come in a runs file)");
});

test("only the state the build computed, with nothing of the user's", () => {
  const built = computeView({ state: DEFAULT_STATE, catalog: full, loaded: null, extraRuns: [] }).s;
  const inp = { state: DEFAULT_STATE, catalog: islandCatalog(DEFAULT_STATE, false), loaded: null, extraRuns: [] };
  assert.ok(adoptStatic(built, inp));
  assert.equal(adoptStatic(built, { ...inp, state: { ...DEFAULT_STATE, typeK: "q4_0" } }), null);
  assert.equal(adoptStatic(built, { ...inp, extraRuns: full.runs.slice(0, 1) }), null);
  assert.equal(adoptStatic(built, { ...inp, reserve: { bytes: 1, weights: 1 } as never }), null);
});

test("a runs file's arrival adds the measured points only: on the adopted view they are the build's", () => {
  for (const state of STATES) {
    const built = computeView({ state, catalog: full, loaded: null, extraRuns: [] }).s;
    const inp = { state, catalog: islandCatalog(state, false), loaded: null, extraRuns: [], reserve: null };
    const runs = islandCatalog(state, true).runs;
    const adopted = adoptStatic(built, inp)!;
    assert.equal(json(withMeasured(adopted, runs).view), json(adopted.view), state.model);
    // the engine's half is the same without the runs: only the measured fields differ
    const base = computeStaticBase(inp).view;
    const live = computeStatic({ ...inp, catalog: islandCatalog(state, true) }).view;
    const bare = { ...live, chart: { ...live.chart, measured: [] }, measuredRuns: [], measuredSkipped: [] };
    assert.equal(json(base), json(bare), state.model);
  }
});

test("the build's half at the context, through the props, is what the island computes on the adopted half", () => {
  const kinds = new Set<string>();
  for (const state of STATES) {
    const built = JSON.parse(json(computeView({ state, catalog: full, loaded: null, extraRuns: [] }))) as ReturnType<
      typeof computeView
    >;
    const inp = { state, catalog: islandCatalog(state, false), loaded: null, extraRuns: [], reserve: null };
    const { view, resolved } = adoptStatic(built.s, inp)!;
    // use-calc-view.ts: computeAtCtx without suggestions, then (in the next task) those it wants
    const c = computeAtCtx(view, resolved, state, { suggestions: false });
    const suggestions = wantsSuggestions(view, c) ? ctxSuggestions(view, resolved, state, c) : (c.suggestions ?? []);
    assert.equal(
      json({ ...built.c, suggestions: built.c.suggestions ?? [] }),
      json({ ...c, suggestions }),
      state.model,
    );
    // adopted, it wants none: its own are the ones shown
    assert.equal(wantsSuggestions(view, built.c), false, state.model);
    kinds.add(c.verdict.kind);
    if (suggestions.length) kinds.add("suggestions");
  }
  assert.ok(kinds.has("no") && kinds.has("suggestions"), [...kinds].join());
});
