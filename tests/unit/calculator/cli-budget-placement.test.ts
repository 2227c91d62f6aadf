/**
 * `npm run calc -- --hardware X --n-cpu-moe N` (placement flags with a machine, no --devices): the
 * one device is the machine's usable memory, so applying the CLI's own experts-on-CPU suggestion
 * fits, and the verdict and largest context are the calculator's for the same state (the
 * suggestion's patch: a pc= machine of that GPU with --n-cpu-moe N).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { computeView } from "../../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { loadCatalog, REPO } from "./load-catalog.ts";

const catalog = loadCatalog();

function calc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, "scripts/calc.ts"), ...args], { cwd: REPO, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test("gpt-oss-20b at 128K on an RTX 4060 Ti 16 GB: the --n-cpu-moe suggestion applied fits, as on the calculator", () => {
  const ask = ["--model", "gpt-oss-20b", "--ctx", "128k", "--hardware", "nvidia-rtx-4060-ti-16gb", "--kv", "f16"];
  const before = JSON.parse(calc(...ask, "--json"));
  assert.equal(before.verdict.kind, "tight");
  const moe = before.suggestions.find((x: { key: string }) => x.key === "moe");
  const n = /--n-cpu-moe (\d+)$/.exec(moe.command)![1];

  const after = JSON.parse(calc(...ask, "--n-cpu-moe", n, "--json"));
  const gpu = after.devices.find((d: { pool: string }) => d.pool === "device");
  assert.equal(gpu.budget_bytes, Math.floor(before.budget.bytes / 2 ** 20) * 2 ** 20, "the machine's usable memory");
  assert.equal(after.budget, undefined, "no verdict from the breakdown, which ignores --n-cpu-moe");
  assert.equal(after.verdict, undefined);
  const placed = after.placed_suggestions;
  assert.equal(placed.verdict.kind, "fits");

  const state: CalcState = {
    ...DEFAULT_STATE,
    model: "gpt-oss-20b",
    engine: "llama.cpp",
    revision: "current",
    backend: "cuda",
    ftype: before.weights.ftype,
    typeK: "f16",
    typeV: "f16",
    nSeq: 1,
    unified: false,
    flashAttn: "auto",
    ctx: 131072,
    hardware: "nvidia-rtx-4060-ti-16gb",
    budget: "generic-gpu",
    ...moe.patch,
  };
  const view = computeView({ state, catalog, loaded: null, extraRuns: [] });
  assert.equal(placed.verdict.text, view.c.verdict.text);
  assert.equal(after.placed_largest_context.max_context, view.s.pc!.largest!.nCtx);
  assert.equal(after.placed_largest_context.memory_would_allow, view.s.pc!.largest!.beyond?.nCtx ?? null);

  const human = calc(...ask, "--n-cpu-moe", n);
  assert.doesNotMatch(human, /at least 524,288/);
  assert.doesNotMatch(human, /Tight/);
  assert.match(human, /cuda0 holds 15\.50 GiB \(usable\)/);
});
