import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { computeBreakdown } from "../../../src/lib/engine/breakdown.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { computeView, configFor, type CalcView } from "../../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../../../src/lib/calculator/state.ts";
import { resolveDraft, withDraft } from "../../../src/lib/calculator/draft-view.ts";
import { loadCatalog } from "./load-catalog.ts";
import { resolveModel } from "../../../src/lib/calculator/view/model.ts";
import { maxContextWithDraft } from "../../../src/lib/engine/solve-draft.ts";
import { trainedCap } from "../../../src/lib/catalog/largest-context.ts";

const catalog = loadCatalog();
const BASE: Partial<CalcState> = {
  model: "qwen3-32b",
  ftype: "Q4_K_M",
  engine: "llama.cpp",
  revision: "current",
  backend: "cuda",
  typeK: "q8_0",
  typeV: "q8_0",
  nSeq: 1,
  hardware: "nvidia-rtx-4090",
  budget: "generic-gpu",
  ctx: 16384,
  draft: "qwen3-0.6b",
  ctkd: "q8_0",
  ctvd: "f16",
};
function both(patch: Partial<CalcState> = {}): { base: CalcView; v: CalcView; state: CalcState } {
  const state = { ...DEFAULT_STATE, ...BASE, ...patch };
  const base = computeView({ state, catalog, loaded: null, extraRuns: [] });
  const d = resolveDraft(state, catalog);
  assert.ok(d && !("error" in d));
  return { base, v: withDraft(base, d, state), state };
}
/** The draft straight from the engine: the target's config with the draft's -ngld/-ctkd/-ctvd and default ftype. */
function engineDraft(state: CalcState, ctx = state.ctx) {
  const m = catalog.models.find((x) => x.id === state.draft)!;
  const cfg = {
    ...configFor(state, state.ctkd, state.ctvd, ctx, false),
    n_gpu_layers: state.ngld,
    weights_ftype: m.defaultFtype,
    // a draft context is reserved for n_parallel outputs (docs/memory-model.md#draft-outputs)
    n_outputs_max: state.nSeq,
  };
  return computeBreakdown(ArchitectureSchema.parse(m.architecture), cfg);
}
const comp = (v: CalcView, key: string) => v.c.components.find((c) => c.key === key)!;

describe("draft model in the calculator view", () => {
  test("draft weights and KV equal the engine's for the draft context; totals and verdict include them", () => {
    const { base, v, state } = both();
    const e = engineDraft(state);
    assert.equal(
      comp(v, "draft-weights").bytes,
      e.weights.per_device.reduce((s, x) => s + x.bytes, 0),
    );
    assert.equal(
      comp(v, "draft-kv").bytes,
      [...e.kv.per_device, ...e.recurrent.per_device].reduce((s, x) => s + x.bytes, 0),
    );
    assert.equal(e.effective.type_k, "q8_0");
    assert.equal(e.effective.type_v, "f16");
    const od = e.overhead.device_bytes;
    const add = e.total.bytes - e.overhead.bytes;
    // The rows add up to what the draft adds (its runtime overhead is the process's, counted once).
    assert.equal(comp(v, "draft-weights").bytes + comp(v, "draft-kv").bytes + comp(v, "draft-compute").bytes, add);
    assert.equal(v.c.device, base.c.device + e.total.device_bytes - od);
    assert.equal(v.c.total, base.c.total + add);
    assert.equal(v.c.verdict.headroomBytes, base.c.verdict.headroomBytes! - (e.total.device_bytes - od));
    // Chart lines carry the draft at each context drawn; the largest context is withheld, said.
    const sel = (x: CalcView) => x.s.chart.series.find((s) => s.selected)!;
    const p0 = sel(base).points[0];
    const e0 = engineDraft(state, p0.ctx);
    assert.equal(sel(v).points[0].bytes, p0.bytes + e0.total.device_bytes - e0.overhead.device_bytes);
    assert.match(v.s.maxTable.find((r) => r.selected)!.error!, /not computed with a draft model/);
    assert.match(sel(v).maxNote!, /not computed with a draft model/);
  });

  test("-ngld 0 keeps the draft's weights and KV in host memory; commands carry -md -ngld -ctkd -ctvd", () => {
    const { v } = both({ ngld: 0 });
    assert.equal(comp(v, "draft-weights").device, 0);
    const server = v.c.commands.find((c) => c.engine === "llama-server")!;
    assert.match(server.text!, / -md qwen3-0\.6b-\S+\.gguf -ngld 0 -ctkd q8_0 -ctvd f16$/);
    assert.equal(
      both()
        .v.c.commands.find((c) => c.engine === "llama-server")!
        .text!.includes("-ngld 999"),
      true,
    );
  });

  test("Ollama has no draft option: said, nothing added", () => {
    const state = { ...DEFAULT_STATE, ...BASE, engine: "ollama" as const, revision: "2026-05", typeV: "q8_0" as const };
    const d = resolveDraft(state, catalog)!;
    assert.ok("error" in d);
    const base = computeView({ state, catalog, loaded: null, extraRuns: [] });
    const v = withDraft(base, d, state);
    assert.equal(v.c.total, base.c.total);
    assert.ok(v.c.notes.some((n) => /Ollama has no draft/.test(n.message)));
  });

  test("the permalink carries the draft and its options", () => {
    assert.equal(
      stateToQuery({ ...DEFAULT_STATE, draft: "qwen3-0.6b", ngld: 4, ctkd: "q8_0", ctvd: "q4_0" }),
      "md=qwen3-0.6b&ngld=4&ctkd=q8_0&ctvd=q4_0",
    );
  });
});

describe("largest context with the draft model (the K/V picked)", () => {
  test("the selected line's largest context is where target + draft fit, exact on the grid; other lines say why not", () => {
    const state = { ...DEFAULT_STATE, ...BASE };
    const base = computeView({ state, catalog, loaded: null, extraRuns: [] });
    const d = resolveDraft(state, catalog);
    assert.ok(d && !("error" in d));
    const target = resolveModel(state, catalog, null);
    const v = withDraft(base, d, state, target);
    const row = v.s.maxTable.find((r) => r.selected)!;
    const before = base.s.maxTable.find((r) => r.selected)!;
    assert.ok(row.maxCtx !== null && before.maxCtx !== null);
    assert.ok(row.maxCtx <= before.maxCtx, `${row.maxCtx} ≤ ${before.maxCtx} without the draft`);
    const cfg = configFor(state, state.typeK, state.typeV, row.maxCtx, false);
    const eb = base.s.budget.engine!;
    const r = maxContextWithDraft(
      target.arch,
      { ...cfg, n_ctx: 0 },
      eb,
      { arch: d.arch, config: d.config },
      {
        limit: trainedCap(target.arch.context_length!, cfg),
      },
    );
    assert.equal(row.maxCtx, r!.n_ctx);
    assert.match(v.s.chart.series.find((s) => s.selected)!.maxNote!, /with the draft model beside it/);
    const other = v.s.maxTable.find((x) => !x.selected)!;
    assert.match(other.error!, /not computed with a draft model for this line/);
  });
});
