/**
 * `npm run calc` prints the calculator's suggestions when the question does not fit (or is tight):
 * the CLI's --json and the island's view (computeView) give the same list for the same model,
 * machine, context and K/V types — the same function (suggestionsFor) behind both.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { computeView } from "../../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { machineDefaults } from "../../../src/lib/catalog/machine.ts";
import { readHardware } from "../../../scripts/calc/machine-budget.ts";
import { loadCatalog, REPO } from "./load-catalog.ts";

const catalog = loadCatalog();

function calc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, "scripts/calc.ts"), ...args], { cwd: REPO, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The calculator's state for a catalog model on a catalog machine (its default budget), llama-cli semantics. */
function calcState(model: string, hardware: string, ctx: number, ftype: string, kv: string): CalcState {
  const hw = readHardware(join(REPO, "data")).find((h) => h.id === hardware)!;
  return {
    ...DEFAULT_STATE,
    model,
    engine: "llama.cpp",
    revision: "current",
    backend: "cuda",
    ftype,
    typeK: kv as CalcState["typeK"],
    typeV: kv as CalcState["typeV"],
    nSeq: 1,
    unified: false,
    flashAttn: "auto",
    ctx,
    hardware,
    budget: machineDefaults(hw).budgetId,
  };
}

const pick = (list: { key: string; title: string; command: string; cost: string; patch: unknown }[]) =>
  list.map((x) => ({ key: x.key, title: x.title, command: x.command, cost: x.cost, patch: x.patch }));

describe("CLI and calculator suggest the same changes", () => {
  for (const [model, hardware, ctx, kv, keys] of [
    ["llama-3.1-70b", "nvidia-rtx-4090", 32768, "f16", ["ngl"]],
    ["qwen3-30b-a3b", "nvidia-rtx-4060-ti-16gb", 32768, "f16", ["moe", "ngl", "weights"]],
  ] as const)
    test(`${model} on ${hardware} at ${ctx}`, () => {
      const r = calc("--model", model, "--ctx", String(ctx), "--hardware", hardware, "--kv", kv, "--json");
      assert.equal(r.code, 0, r.err);
      const cli = JSON.parse(r.out);
      assert.equal(cli.verdict.kind, "no");
      const ftype = cli.weights.ftype as string;
      const view = computeView({
        state: calcState(model, hardware, ctx, ftype, kv),
        catalog,
        loaded: null,
        extraRuns: [],
      });
      assert.equal(view.c.verdict.text, cli.verdict.text);
      assert.deepEqual(pick(cli.suggestions), pick(view.c.suggestions ?? []));
      assert.deepEqual(
        cli.suggestions.map((x: { key: string }) => x.key),
        keys,
      );
      const human = calc("--model", model, "--ctx", String(ctx), "--hardware", hardware, "--kv", kv);
      for (const x of cli.suggestions) assert.ok(human.out.includes(`    ${x.command}: ${x.title}.`), human.out);
    });

  test("a question the calculator has no state for says why instead of guessing", () => {
    const r = calc("--model", "llama-3.1-70b", "--ctx", "32k", "--budget", "24GiB", "-b", "512", "--json");
    const out = JSON.parse(r.out);
    assert.deepEqual(out.suggestions, []);
    assert.match(out.suggestions_skipped, /no setting for n_batch/);
  });
});

describe("CLI and calculator give a PC the same largest context", () => {
  test("70B Q4_K_M on two 24 GiB GPUs: --devices answer = the calculator's pc= answer, the same device named", () => {
    const r = calc(
      "--model",
      "llama-3.1-70b",
      "--weights",
      "Q4_K_M",
      "--ctx",
      "8k",
      "--kv",
      "f16",
      "--devices",
      "cuda:24GiB,cuda:24GiB",
      "--json",
    );
    assert.equal(r.code, 0, r.err);
    const cli = JSON.parse(r.out).placed_largest_context;
    const s = { ...calcState("llama-3.1-70b", "nvidia-rtx-4090", 8192, "Q4_K_M", "f16"), machine: "g:24576,24576" };
    const view = computeView({ state: s, catalog, loaded: null, extraRuns: [] });
    assert.ok(cli.max_context > 4096);
    assert.equal(cli.max_context, view.s.pc!.largest!.nCtx);
    assert.equal(cli.limited_by, view.s.pc!.largest!.limitedBy);
  });
});

describe("CLI and calculator give a PC the same suggestions", () => {
  test("70B Q4_K_M at 64K on two 24 GiB GPUs: --devices --json placed_suggestions = the calculator's pc= list", () => {
    const args = ["--model", "llama-3.1-70b", "--weights", "Q4_K_M", "--ctx", "64k", "--kv", "f16"];
    const r = calc(...args, "--devices", "cuda:24GiB,cuda:24GiB", "--json");
    assert.equal(r.code, 0, r.err);
    const cli = JSON.parse(r.out).placed_suggestions;
    const s = { ...calcState("llama-3.1-70b", "nvidia-rtx-4090", 65536, "Q4_K_M", "f16"), machine: "g:24576,24576" };
    const view = computeView({ state: s, catalog, loaded: null, extraRuns: [] });
    assert.equal(cli.verdict.kind, "no");
    assert.equal(cli.verdict.text, view.c.verdict.text);
    assert.ok(cli.suggestions.length > 0);
    assert.deepEqual(pick(cli.suggestions), pick(view.c.suggestions ?? []));
    const human = calc(...args, "--devices", "cuda:24GiB,cuda:24GiB");
    for (const x of cli.suggestions) assert.ok(human.out.includes(`    ${x.command}: ${x.title}.`), human.out);
  });

  test("a device's free memory has no calculator setting: said, not guessed", () => {
    const r = calc("--model", "llama-3.1-70b", "--ctx", "64k", "--devices", "cuda:24GiB/20GiB,cuda:24GiB", "--json");
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out).placed_suggestions;
    assert.deepEqual(out.suggestions, []);
    assert.match(out.suggestions_skipped, /free memory/);
  });
});
