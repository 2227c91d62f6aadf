/**
 * The experts-on-CPU suggestion (suggest-moe.ts) with a projector and a draft the state has: N is
 * found with them placed beside the model (docs/memory-model.md#fit-extras), on a PC and on one
 * GPU; applied, the PC's verdict (which places them too) fits, and N − 1 does not. On one GPU the
 * machine the suggestion sets is the GPU's usable memory before the projector's reservation (the
 * PC then places the projector on it, so it is not counted twice). "Fit it for me" (fitPatch) places
 * the loaded projector too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { computeStatic, computeView } from "../../../src/lib/calculator/view.ts";
import { fitPatch } from "../../../src/lib/calculator/placement-view.ts";
import type { Reserve } from "../../../src/lib/calculator/vision-view.ts";
import { CUDA_F16, catalog } from "./pc-fixtures.ts";

const MiB = 2 ** 20;
/** A projector the user loaded (a 944 MiB mmproj: 818 MiB F16 weights + 126 MiB encoder estimate), offloaded. */
const reserve: Reserve = { device: 944 * MiB, host: 0, weights: 818 * MiB, compute: 126 * MiB };

const base: CalcState = {
  ...DEFAULT_STATE,
  model: "qwen3-30b-a3b",
  ...CUDA_F16,
  unified: false,
  ftype: "Q4_K_M",
  ctx: 32768,
  hardware: "nvidia-rtx-4060-ti-16gb",
  budget: "generic-gpu",
};

const view = (s: CalcState, r: Reserve | null = null) =>
  computeView({ state: s, catalog, loaded: null, extraRuns: [], reserve: r });
const moeOf = (s: CalcState, r: Reserve | null = null) => view(s, r).c.suggestions!.find((x) => x.key === "moe");
const nOf = (machine: string) => Number(/moe:(\d+)/.exec(machine)![1]);

test("one GPU with a loaded projector: N counts it; applied, the PC fits and N − 1 does not", () => {
  const alone = moeOf(base)!;
  const withP = moeOf(base, reserve)!;
  assert.ok(withP, "offered with the projector on");
  const n = nOf(withP.patch.machine!);
  assert.ok(n > nOf(alone.patch.machine!), `${n} > ${nOf(alone.patch.machine!)}`);
  // the PC of the patch is the whole usable GPU: the projector is placed on it, not taken off it too
  assert.equal(/^g:(\d+)/.exec(withP.patch.machine!)![1], /^g:(\d+)/.exec(alone.patch.machine!)![1]);
  const applied = view({ ...base, ...withP.patch }, reserve);
  assert.equal(applied.s.pc!.note, null, "the PC counts the projector");
  assert.match(applied.c.verdict.kind, /^(fits|tight)$/);
  const fewer = withP.patch.machine!.replace(/moe:\d+/, `moe:${n - 1}`);
  assert.equal(view({ ...base, ...withP.patch, machine: fewer }, reserve).c.verdict.kind, "no");
});

test("one GPU with a draft model: N leaves room for the draft the PC then places", () => {
  const s = { ...base, draft: "qwen3-0.6b", ngld: -1, ctkd: "f16", ctvd: "f16" } as CalcState;
  const withD = moeOf(s)!;
  const n = nOf(withD.patch.machine!);
  assert.ok(n > nOf(moeOf(base)!.patch.machine!));
  assert.match(view({ ...s, ...withD.patch }).c.verdict.kind, /^(fits|tight)$/);
  const fewer = withD.patch.machine!.replace(/moe:\d+/, `moe:${n - 1}`);
  assert.equal(view({ ...s, ...withD.patch, machine: fewer }).c.verdict.kind, "no");
});

test("a PC with a projector: N is found with it placed; applied it fits, N − 1 does not", () => {
  const pc = { ...base, machine: "g:16384;ram:65536" };
  const alone = moeOf(pc)!;
  const withP = moeOf(pc, reserve)!;
  const n = nOf(withP.patch.machine!);
  assert.ok(n > nOf(alone.patch.machine!), `${n} > ${nOf(alone.patch.machine!)}`);
  assert.match(view({ ...pc, ...withP.patch }, reserve).c.verdict.kind, /^(fits|tight)$/);
  const fewer = withP.patch.machine!.replace(/moe:\d+/, `moe:${n - 1}`);
  assert.equal(view({ ...pc, ...withP.patch, machine: fewer }, reserve).c.verdict.kind, "no");
});

test("'Fit it for me' on a PC with a loaded projector: the solver's context leaves room for it; applied, the PC fits", () => {
  const s = { ...base, model: "gemma-3-27b", machine: "g:24576;ram:65536", ctx: 8192 };
  const r: Reserve = { device: 944 * MiB, host: 0, weights: 818 * MiB, compute: 126 * MiB };
  const { resolved, view: sv } = computeStatic({ state: s, catalog, loaded: null, extraRuns: [], reserve: r });
  const alone = computeStatic({ state: s, catalog, loaded: null, extraRuns: [] });
  const fitWith = fitPatch(resolved!, s, sv.pc!.spec);
  const fitAlone = fitPatch(alone.resolved!, s, alone.view.pc!.spec);
  assert.ok(fitWith.ok && fitAlone.ok);
  assert.ok(fitWith.patch.ctx! < fitAlone.patch.ctx!, `${fitWith.patch.ctx} < ${fitAlone.patch.ctx}`);
  assert.match(fitWith.notes.join(" "), /llama-server's --fit counts the projector/);
  assert.deepEqual(fitAlone.notes, []);
  assert.match(view({ ...s, ...fitWith.patch }, r).c.verdict.kind, /^(fits|tight)$/);
  // the model-alone answer, with the projector loaded, leaves under the solver's 1 GiB on the GPU
  const over = view({ ...s, ...fitAlone.patch }, r).c.verdict;
  assert.ok(over.headroomBytes! < 1024 * MiB, `${over.headroomBytes}`);
});
