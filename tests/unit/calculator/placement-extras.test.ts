/**
 * A projector and a draft model on a PC's devices (engine/placement/extras.ts): the projector on the
 * first local GPU (an RPC device only without one, the host with --no-mmproj-offload), the draft
 * placed like the model on the same devices without a second CUDA context — each device's total,
 * the largest context and the notice checked against placeModel run here.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildTensorTable, normaliseFtype } from "../../../src/lib/engine/index.ts";
import { orderDevices, placeModel } from "../../../src/lib/engine/placement/index.ts";
import { placeWithExtras, projectorDevice } from "../../../src/lib/engine/placement/extras.ts";
import { worstDevice } from "../../../src/lib/engine/placement/context.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { gpuCatalog, machinePlacement, parseMachine } from "../../../src/lib/calculator/placement-machine.ts";
import { placedLargest } from "../../../src/lib/calculator/placement-answer.ts";
import { placementConfig } from "../../../src/lib/calculator/placement-view.ts";
import { pcExtras, pcStatic } from "../../../src/lib/calculator/view/placed.ts";
import { computeView } from "../../../src/lib/calculator/view.ts";
import { resolveDraft, withDraft } from "../../../src/lib/calculator/draft-view.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { loadCatalog } from "./load-catalog.ts";
import { CUDA_F16 } from "./pc-fixtures.ts";

const catalog = loadCatalog();
const gpus = gpuCatalog(catalog.hardware);
const MiB = 2 ** 20;
const archOf = (id: string) => ArchitectureSchema.parse(catalog.models.find((m) => m.id === id)!.architecture);
const spec = (text: string) => {
  const r = parseMachine(text, gpus);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.spec;
};
const state: CalcState = {
  ...DEFAULT_STATE,
  model: "llama-3.1-70b",
  ...CUDA_F16,
  ctx: 8192,
  ftype: "Q4_K_M",
  machine: "g:nvidia-rtx-4090,nvidia-rtx-4090;ram:131072",
};
const twin = spec(state.machine);
const target = { arch: archOf("llama-3.1-70b"), tensors: null };
const table = buildTensorTable(target.arch, normaliseFtype("Q4_K_M"));
const config = { ...placementConfig(target, state, twin), n_ctx: 8192 };
const bytesOn = (r: { devices: { name: string; bytes: number }[] }, name: string) =>
  r.devices.find((d) => d.name === name)!.bytes;

describe("the vision projector on a PC", () => {
  test("the first local GPU takes it (RPC servers register after the built-in backends), else the first RPC device", () => {
    const mp = machinePlacement(spec("g:nvidia-rtx-4090;rpc:10.0.0.2:50052@24576"));
    const mixed = orderDevices(mp);
    assert.equal(mixed[0].buft, "RPC0[10.0.0.2:50052]");
    assert.equal(mixed[projectorDevice(mixed)!].buft, "CUDA0");
    const rpcOnly = orderDevices({ ...mp, devices: mp.devices.filter((d) => d.kind === "rpc") });
    assert.equal(rpcOnly[projectorDevice(rpcOnly)!].buft, "RPC0[10.0.0.2:50052]");
  });

  test("its weights and encoder compute land on CUDA0, or in host memory with --no-mmproj-offload", () => {
    const p = machinePlacement(twin);
    const base = placeModel(target.arch, config, p, table);
    const projector = { weights_bytes: 800 * MiB, compute_bytes: 300 * MiB, offload: true };
    const on = placeWithExtras(target.arch, config, p, table, { projector });
    assert.equal(bytesOn(on, "CUDA0"), bytesOn(base, "CUDA0") + 1100 * MiB);
    assert.equal(bytesOn(on, "CUDA1"), bytesOn(base, "CUDA1"));
    const off = placeWithExtras(target.arch, config, p, table, { projector: { ...projector, offload: false } });
    assert.equal(bytesOn(off, "host"), bytesOn(base, "host") + 1100 * MiB);
    assert.equal(bytesOn(off, "CUDA0"), bytesOn(base, "CUDA0"));
  });

  test("the page counts a loaded projector (no notice) and says so while none is loaded", () => {
    const s = { ...state, vision: true };
    const reserve = { device: 1100 * MiB, host: 0, weights: 800 * MiB, compute: 300 * MiB };
    const resolved = { model: null as never, arch: target.arch, tensors: null, tensorsFtype: null };
    const withP = pcStatic(s, catalog, resolved, reserve)!;
    assert.equal(withP.pc.note, null);
    const without = pcStatic(s, catalog, resolved, null)!;
    assert.match(without.pc.note!, /does not count the vision projector/);
    assert.ok(withP.pc.largest!.nCtx! < without.pc.largest!.nCtx!);
  });
});

describe("the draft model on a PC", () => {
  const s: CalcState = { ...state, draft: "qwen3-0.6b", ngld: -1, ctkd: "f16", ctvd: "f16" };
  const extras = pcExtras(s, catalog, null, twin)!;

  test("placed like the model on the same devices, its own -ngld and K/V types, one CUDA context per GPU", () => {
    const p = machinePlacement(twin);
    const base = placeModel(target.arch, config, p, table);
    const d = extras.draft!;
    const draft = placeModel(d.arch, { ...d.config, n_ctx: 8192 }, p, d.tensors);
    const both = placeWithExtras(target.arch, config, p, table, extras);
    for (const name of ["CUDA0", "CUDA1", "host"]) {
      const overhead = draft.buffers
        .filter((b) => b.kind === "overhead" && b.device === name)
        .reduce((a, b) => a + b.bytes, 0);
      assert.equal(bytesOn(both, name), bytesOn(base, name) + bytesOn(draft, name) - overhead, name);
    }
    assert.ok(bytesOn(draft, "CUDA0") > 0 && bytesOn(draft, "CUDA1") > 0);
  });

  test("the largest context counts the draft: it fits there, the next step puts a device over", () => {
    const m = { ...target, extras };
    const l = placedLargest(m, s, twin);
    assert.ok(l.nCtx !== null && l.nCtx < placedLargest(target, state, twin).nCtx!);
    const p = machinePlacement(twin);
    const fit = placeWithExtras(target.arch, { ...config, n_ctx: l.nCtx! }, p, table, extras);
    assert.equal(worstDevice(p, fit, 0), null);
    const next = placeWithExtras(target.arch, { ...config, n_ctx: l.nCtx! + 256 }, p, table, extras);
    assert.equal(worstDevice(p, next, 0), l.limitedBy);
    const resolved = { model: null as never, arch: target.arch, tensors: null, tensorsFtype: null };
    assert.equal(pcStatic(s, catalog, resolved, null)!.pc.note, null);
  });

  test("the page's draft rows join the breakdown; the PC's verdict and chart (which place it) stay", () => {
    const v = computeView({ state: s, catalog, loaded: null, extraRuns: [] });
    const d = resolveDraft(s, catalog)!;
    const w = withDraft(v, d, s);
    assert.deepEqual(w.c.verdict, v.c.verdict);
    assert.equal(w.s, v.s);
    assert.ok(w.c.components.some((c) => c.key === "draft-kv"));
  });
});
