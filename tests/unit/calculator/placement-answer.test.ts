/**
 * A PC's headline answer comes from its devices: the largest context for the placement as set, the
 * device that limits it (named), the verdict and the chart's per-device lines — each checked against
 * placeModel run here; and the experts-on-CPU suggestion is the smallest --n-cpu-moe that fits.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildTensorTable, normaliseFtype } from "../../../src/lib/engine/index.ts";
import { fitMachine, placeModel } from "../../../src/lib/engine/placement/index.ts";
import { worstDevice } from "../../../src/lib/engine/placement/context.ts";
import { machinePlacement, type MachineSpec } from "../../../src/lib/calculator/placement-machine.ts";
import {
  describePlaced,
  placedChart,
  placedLargest,
  placedVerdict,
} from "../../../src/lib/calculator/placement-answer.ts";
import { placementConfig } from "../../../src/lib/calculator/placement-view.ts";
import { cpuMoeSuggestion, oneGpuMachine, smallestCpuMoe } from "../../../src/lib/calculator/suggest-moe.ts";
import { suggest } from "../../../src/lib/calculator/suggest.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { model, spec, CUDA_F16 } from "./pc-fixtures.ts";

const GiB = 2 ** 30;
const stateFor = (id: string, patch: Partial<CalcState> = {}): CalcState => ({
  ...DEFAULT_STATE,
  model: id,
  ...CUDA_F16,
  ctx: 8192,
  ftype: "Q4_K_M",
  machine: "pc",
  ...patch,
});

/** placeModel at n_ctx for the state and machine, computed here (the test's own engine call). */
function placeAt(id: string, s: CalcState, m: MachineSpec, nCtx: number, nCpuMoe?: number) {
  const mm = model(id);
  const table = buildTensorTable(mm.arch, normaliseFtype(s.ftype));
  const p = { ...machinePlacement(m), ...(nCpuMoe !== undefined ? { n_cpu_moe: nCpuMoe } : {}) };
  return { p, r: placeModel(mm.arch, { ...placementConfig(mm, s), n_ctx: nCtx }, p, table) };
}

describe("a PC's largest context and verdict come from its devices", () => {
  const twin = spec("g:nvidia-rtx-4090,nvidia-rtx-4090;ram:131072");
  const s70 = stateFor("llama-3.1-70b");

  test("70B Q4_K_M on two 24 GiB GPUs: the answer fits on every device, one step more puts the named device over", () => {
    const l = placedLargest(model("llama-3.1-70b"), s70, twin);
    assert.ok(l.nCtx !== null && l.nCtx > 4096 && l.nCtx < 131072, String(l.nCtx));
    const fit = placeAt("llama-3.1-70b", s70, twin, l.nCtx!);
    assert.equal(worstDevice(fit.p, fit.r, 0), null);
    const next = placeAt("llama-3.1-70b", s70, twin, l.nCtx! + 256);
    assert.equal(worstDevice(next.p, next.r, 0), l.limitedBy);
    assert.match(l.limitedBy, /^CUDA[01]$/);
    assert.equal(l.bytesAtMax, fit.r.devices.find((d) => d.name === l.limitedBy)!.bytes);
    // two cards of one model are told apart by number
    assert.match(l.limitedWords, /^CUDA[01] \(NVIDIA GeForce RTX 4090 #[12]\)$/);
    assert.match(
      describePlaced(l),
      /^largest context [\d,]+ \(.*\) \(limited by CUDA[01] \(NVIDIA GeForce RTX 4090 #[12]\)\)$/,
    );
  });

  test("an uneven -ts makes the other card bind, named as such", () => {
    const m = spec("g:nvidia-rtx-4090,nvidia-rtx-4090;ts:1,3");
    const l = placedLargest(model("llama-3.1-70b"), s70, m);
    assert.equal(l.limitedBy, "CUDA1");
    assert.equal(l.limitedWords, "CUDA1 (NVIDIA GeForce RTX 4090 #2)");
  });

  test("a small model reaches its trained context; memory past it is reported apart", () => {
    const s = stateFor("qwen3-14b");
    const l = placedLargest(model("qwen3-14b"), s, twin);
    assert.equal(l.limitedBy, "trained-context");
    assert.equal(l.nCtx, model("qwen3-14b").arch.context_length);
    assert.ok(l.beyond && l.beyond.nCtx > l.nCtx!);
    assert.equal(l.limitedWords, "the model's trained context");
  });

  test("the verdict names the binding device and follows its headroom", () => {
    const l = placedLargest(model("llama-3.1-70b"), s70, twin);
    const at = placedVerdict(model("llama-3.1-70b"), { ...s70, ctx: l.nCtx! }, twin);
    assert.ok(at.kind === "fits" || at.kind === "tight", at.text);
    const over = placedVerdict(model("llama-3.1-70b"), { ...s70, ctx: l.nCtx! + 256 }, twin);
    assert.equal(over.kind, "no");
    assert.match(
      over.text,
      new RegExp(`^Does not fit: ${l.limitedBy} \\(NVIDIA GeForce RTX 4090 #\\d\\) is .* over of its 24\\.00 GiB\\.$`),
    );
    const { r } = placeAt("llama-3.1-70b", { ...s70, ctx: l.nCtx! + 256 }, twin, l.nCtx! + 256);
    const dev = r.devices.find((d) => d.name === l.limitedBy)!;
    assert.equal(over.headroomBytes, dev.budget_bytes! - dev.bytes);
  });

  test("the chart draws one line per device from placeModel and each device's memory, the binding one marked", () => {
    const l = placedLargest(model("llama-3.1-70b"), s70, twin);
    const c = placedChart(model("llama-3.1-70b"), s70, twin, l);
    assert.deepEqual(
      c.series.map((x) => x.key),
      ["CUDA0", "CUDA1", "host"],
    );
    for (const x of c.series.slice(0, 2)) {
      const pt = x.points[3];
      const { r } = placeAt("llama-3.1-70b", s70, twin, pt.ctx);
      assert.equal(pt.bytes, r.devices.find((d) => d.name === x.key)!.bytes);
    }
    const bind = c.series.find((x) => x.selected)!;
    assert.equal(bind.key, l.limitedBy);
    assert.equal(bind.maxCtx, l.nCtx);
    assert.equal(c.budgetBytes, 24 * GiB);
    assert.match(c.budgetLabel, new RegExp(`CUDA0 .*CUDA1 .*24\\.00 GiB — ${l.limitedBy} binds`));
    assert.deepEqual(
      c.limits!.map((x) => [x.bytes, x.binding]),
      [[128 * GiB, false]],
    );
  });
});

describe("experts on the CPU: the smallest --n-cpu-moe that fits", () => {
  const id = "qwen3-30b-a3b";
  const s = stateFor(id, { ctx: 32768 });

  for (const [what, m] of [
    ["one 16 GiB GPU (+ system RAM)", oneGpuMachine(16 * GiB)],
    ["two 8 GiB GPUs", spec("g:8192,8192;ram:65536")],
  ] as const)
    test(`${what}: N fits with every layer on the GPU, N−1 does not`, () => {
      const c = smallestCpuMoe(model(id), s, m);
      assert.ok(c, "a suggestion");
      const fits = placeAt(id, s, c.machine, 32768);
      assert.equal(fits.p.n_cpu_moe, c.n);
      assert.equal(worstDevice(fits.p, fits.r, 0), null);
      const less = placeAt(id, s, { ...c.machine, moe: c.n - 1 === 0 ? "none" : c.n - 1 }, 32768);
      assert.notEqual(worstDevice(less.p, less.r, 0), null);
      assert.equal(c.hostBytes, fits.r.devices.find((d) => d.name === "host")!.bytes);
      const sug = cpuMoeSuggestion(c, model(id).arch.block_count, false);
      assert.equal(sug.key, "moe");
      assert.match(sug.command, new RegExp(`^-ngl 999 --n-cpu-moe ${c.n}`));
      assert.match(sug.cost, /speed: unknown/);
      assert.equal(
        sug.patch.machine,
        `g:${m.gpus.map((g) => g.mib).join(",")}${m.ramMiB ? `;ram:${m.ramMiB}` : ""}${c.machine.tensorSplit.length ? `;ts:${c.machine.tensorSplit.join(",")}` : ""};moe:${c.n}`,
      );
    });

  test("tight: N leaves 10 % of the GPU free, N−1 does not", () => {
    const m = oneGpuMachine(16 * GiB);
    const c = smallestCpuMoe(model(id), s, m, true)!;
    const room = (n: number) => {
      const { r } = placeAt(id, s, { ...c.machine, moe: n }, 32768);
      return 16 * GiB - r.devices.find((d) => d.name === "CUDA0")!.bytes;
    };
    assert.ok(room(c.n) >= 0.1 * 16 * GiB);
    assert.ok(room(c.n - 1) < 0.1 * 16 * GiB);
  });
});

describe("experts on the CPU: the same N as the solver, and where none is offered", () => {
  const id = "qwen3-30b-a3b";
  const s = stateFor(id, { ctx: 32768 });

  test("on one GPU, N is the fit solver's own choice at this context (fitMachine, no margin)", () => {
    for (const ctx of [8192, 32768, 131072]) {
      const st = { ...s, ctx };
      const m = oneGpuMachine(16 * GiB);
      const mm = model(id);
      const fit = fitMachine(
        mm.arch,
        placementConfig(mm, { ...st, nGpuLayers: -1 }, m),
        machinePlacement(m),
        buildTensorTable(mm.arch, normaliseFtype("Q4_K_M")),
        { margin_bytes: 0, min_ctx: ctx, max_ctx: ctx },
      );
      assert.equal(
        smallestCpuMoe(mm, st, m)?.n ?? 0,
        fit && fit.n_gpu_layers === mm.arch.block_count + 1 ? fit.n_cpu_moe : 0,
        String(ctx),
      );
    }
  });

  test("no suggestion for a dense model, or when it already fits", () => {
    assert.equal(smallestCpuMoe(model("llama-3.1-70b"), stateFor("llama-3.1-70b"), oneGpuMachine(24 * GiB)), null);
    assert.equal(smallestCpuMoe(model(id), s, oneGpuMachine(80 * GiB)), null);
  });

  test("suggest() lists it first", () => {
    const c = smallestCpuMoe(model(id), s, oneGpuMachine(16 * GiB))!;
    const list = suggest({
      state: s,
      maxLayersFit: 20,
      nLayers: 49,
      largestCtx: null,
      exactWeights: false,
      ftypes: [],
      kvTypes: [],
      fits: () => false,
      cpuMoe: cpuMoeSuggestion(c, 48, false),
    });
    assert.deepEqual(
      list.map((x) => x.key),
      ["moe", "ngl"],
    );
  });
});
