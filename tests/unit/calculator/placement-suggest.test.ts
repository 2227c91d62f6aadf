/**
 * Suggestions on a PC are judged by the PC's own verdict: each one, applied, makes the headline
 * verdict (placeModel on every device) say it fits; the experts-on-CPU one comes first for a MoE.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { placedLargest, placedVerdict } from "../../../src/lib/calculator/placement-answer.ts";
import { placedSuggestions } from "../../../src/lib/calculator/placement-suggest.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { computeView } from "../../../src/lib/calculator/view.ts";
import { catalog, model, spec, CUDA_F16 } from "./pc-fixtures.ts";

const stateFor = (id: string, machine: string, patch: Partial<CalcState> = {}): CalcState => ({
  ...DEFAULT_STATE,
  model: id,
  ...CUDA_F16,
  ftype: "Q4_K_M",
  machine,
  ...patch,
});

function suggestionsAt(id: string, machine: string, ctx: number) {
  const s = stateFor(id, machine, { ctx });
  const m = spec(machine);
  const v = placedVerdict(model(id), s, m);
  const list = placedSuggestions({
    model: model(id),
    state: s,
    spec: m,
    verdict: v.kind,
    largest: placedLargest(model(id), s, m),
    quants: catalog,
  });
  return { s, v, list };
}

/** The PC verdict after a suggestion's patch (its machine, when it sets one). */
function after(id: string, s: CalcState, patch: Partial<CalcState>): string {
  const next = { ...s, ...patch };
  return placedVerdict(model(id), next, spec(next.machine)).kind;
}

describe("suggestions on a PC", () => {
  test("70B at 64K on two 24 GiB GPUs: each suggestion, applied, fits by the PC's verdict", () => {
    const { s, v, list } = suggestionsAt("llama-3.1-70b", "g:nvidia-rtx-4090,nvidia-rtx-4090;ram:131072", 65536);
    assert.equal(v.kind, "no");
    assert.deepEqual(
      list.map((x) => x.key),
      ["ngl", "kv", "weights", "ctx"],
    );
    for (const x of list) assert.notEqual(after("llama-3.1-70b", s, x.patch), "no", x.title);
    // one layer more than suggested does not fit
    const ngl = list[0].patch.nGpuLayers!;
    assert.equal(after("llama-3.1-70b", s, { nGpuLayers: ngl + 1 }), "no");
    assert.equal(
      list.find((x) => x.key === "ctx")!.patch.ctx,
      placedLargest(model("llama-3.1-70b"), s, spec(s.machine)).nCtx,
    );
  });

  test("Qwen3-30B-A3B on a 16 GiB GPU PC: --n-cpu-moe first, N fits after one click, N−1 does not", () => {
    const { s, list } = suggestionsAt("qwen3-30b-a3b", "g:16384;ram:65536", 32768);
    assert.equal(list[0].key, "moe");
    assert.match(list[0].patch.machine!, /^g:16384;ram:65536;moe:\d+$/);
    // the smallest N fits (with little to spare: it is the smallest)
    assert.match(after("qwen3-30b-a3b", s, list[0].patch), /^(fits|tight)$/);
    const n = Number(/moe:(\d+)/.exec(list[0].patch.machine!)![1]);
    assert.equal(after("qwen3-30b-a3b", s, { ...list[0].patch, machine: `g:16384;ram:65536;moe:${n - 1}` }), "no");
  });

  test("nothing is suggested when it fits", () => {
    assert.deepEqual(suggestionsAt("qwen3-14b", "g:nvidia-rtx-4090,nvidia-rtx-4090", 8192).list, []);
  });
});

describe("the calculator's view with a PC set", () => {
  test("verdict, largest context, chart and suggestions are the PC's; one device keeps its own", () => {
    const machine = "g:nvidia-rtx-4090,nvidia-rtx-4090;ram:131072";
    const s = stateFor("llama-3.1-70b", machine, { ctx: 65536, hardware: "nvidia-rtx-4090", budget: "generic-gpu" });
    const v = computeView({ state: s, catalog, loaded: null, extraRuns: [] });
    assert.deepEqual(v.s.pc!.largest, placedLargest(model("llama-3.1-70b"), s, spec(machine)));
    assert.equal(v.s.pc!.note, null);
    assert.deepEqual(v.c.verdict, placedVerdict(model("llama-3.1-70b"), s, spec(machine)));
    assert.deepEqual(
      v.s.chart.series.map((x) => x.key),
      ["CUDA0", "CUDA1", "host"],
    );
    assert.deepEqual(v.c.suggestions, suggestionsAt("llama-3.1-70b", machine, 65536).list);
    const one = computeView({ state: { ...s, machine: "" }, catalog, loaded: null, extraRuns: [] });
    assert.equal(one.s.pc, undefined);
    assert.match(one.c.verdict.text, /over the budget/);
    const withDraft = computeView({ state: { ...s, draft: "llama-3.2-1b" }, catalog, loaded: null, extraRuns: [] });
    // the draft is placed on the PC's devices too (engine/placement/extras.ts): no notice, a smaller answer
    assert.equal(withDraft.s.pc!.note, null);
    assert.ok(withDraft.s.pc!.largest!.nCtx! < v.s.pc!.largest!.nCtx!);
  });
});
