import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "./load-catalog.ts";
import { computeView } from "../../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";

const catalog = loadCatalog();
const view = (patch: Partial<CalcState>) =>
  computeView({ state: { ...DEFAULT_STATE, ...patch }, catalog, loaded: null, extraRuns: [] });
const card = (hw: string, patch: Partial<CalcState>) =>
  view({
    engine: "llama.cpp",
    revision: "current",
    typeK: "f16",
    typeV: "f16",
    backend: "cuda",
    hardware: hw,
    budget: "generic-gpu",
    ...patch,
  });

describe("suggestions when it does not fit", () => {
  it("each suggestion, applied alone, makes the question fit", () => {
    const base = { model: "gpt-oss-20b", ctx: 131072, ftype: "Q4_K_M" };
    const v = card("nvidia-rtx-4080", base);
    assert.equal(v.c.verdict.kind, "no");
    const s = v.c.suggestions ?? [];
    assert.ok(s.length >= 2, JSON.stringify(s.map((x) => x.key)));
    for (const x of s) {
      const after = card("nvidia-rtx-4080", { ...base, ...x.patch });
      assert.notEqual(after.c.verdict.kind, "no", `${x.key}: ${x.title}`);
    }
  });

  it("GPU layers first, with the most layers that fit (one more does not)", () => {
    const base = { model: "llama-3.1-70b", ctx: 32768 };
    const v = card("nvidia-rtx-4090", base);
    const ngl = v.c.suggestions![0];
    assert.equal(ngl.key, "ngl");
    const n = ngl.patch.nGpuLayers!;
    assert.equal(ngl.command, `-ngl ${n}`);
    assert.equal(card("nvidia-rtx-4090", { ...base, nGpuLayers: n + 1 }).c.verdict.kind, "no");
    assert.match(ngl.cost, /speed: unknown/);
  });

  it("a smaller context is the largest context with these settings; none when it fits", () => {
    const v = card("nvidia-rtx-4080", { model: "gpt-oss-20b", ctx: 131072, ftype: "Q4_K_M" });
    const ctx = v.c.suggestions!.find((x) => x.key === "ctx")!;
    assert.equal(ctx.patch.ctx, v.s.maxTable.find((r) => r.selected)!.maxCtx);
    assert.deepEqual(card("nvidia-rtx-4090", { model: "qwen3-14b", ctx: 8192 }).c.suggestions, []);
  });
});

describe("suggestions when it barely fits (tight: under 10 % to spare, as the verdict says)", () => {
  // the largest context that fits leaves next to nothing: tight
  const base = { model: "llama-3.1-8b", ftype: "Q4_K_M" };
  const edge = card("nvidia-rtx-4080", { ...base, ctx: 131072 }).c.suggestions!.find((x) => x.key === "ctx")!.patch
    .ctx!;

  it("each suggestion, applied alone, leaves 10 % to spare", () => {
    const v = card("nvidia-rtx-4080", { ...base, ctx: edge });
    assert.equal(v.c.verdict.kind, "tight");
    const s = v.c.suggestions ?? [];
    assert.deepEqual(
      s.map((x) => x.key),
      ["ngl", "kv", "weights", "ctx"],
    );
    for (const x of s) {
      assert.match(x.title, /^Leaves 10 % to spare/);
      assert.equal(card("nvidia-rtx-4080", { ...base, ctx: edge, ...x.patch }).c.verdict.kind, "fits", x.title);
    }
  });

  it("the context and the GPU layers suggested are the largest that leave 10 % (one step more is tight)", () => {
    const s = card("nvidia-rtx-4080", { ...base, ctx: edge }).c.suggestions!;
    const ctx = s.find((x) => x.key === "ctx")!.patch.ctx!;
    assert.equal(ctx % 256, 0);
    assert.equal(card("nvidia-rtx-4080", { ...base, ctx: ctx + 256 }).c.verdict.kind, "tight");
    const n = s.find((x) => x.key === "ngl")!.patch.nGpuLayers!;
    assert.equal(card("nvidia-rtx-4080", { ...base, ctx: edge, nGpuLayers: n + 1 }).c.verdict.kind, "tight");
  });
});
