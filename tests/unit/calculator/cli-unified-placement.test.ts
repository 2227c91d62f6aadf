/**
 * `npm run calc -- --hardware <Apple Silicon> <placement flag>` with no --devices: the placement is
 * on the machine's Metal GPU (its limit the GPU working set) with host and GPU sharing the budget
 * (Placement.unified, docs/memory-model.md#placement-unified). With a flag that moves nothing the
 * answer is the calculator's one-device view for the same state, to the token and the byte; with
 * --n-cpu-moe the experts leave the working set and the largest context is where one of the two
 * limits (working set, whole budget) is passed at the next step.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { computeView } from "../../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { placeModel } from "../../../src/lib/engine/placement/index.ts";
import { devicesOver } from "../../../src/lib/engine/placement/context.ts";
import { buildTensorTable, normaliseFtype } from "../../../src/lib/engine/index.ts";
import { PlacementSchema } from "../../../src/schemas/placement.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { archOf } from "./pc-fixtures.ts";
import { loadCatalog, REPO } from "./load-catalog.ts";

const catalog = loadCatalog();
const GiB = 2 ** 30;

function calc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, "scripts/calc.ts"), ...args], { cwd: REPO, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const ask = ["--model", "qwen3-30b-a3b", "--weights", "Q4_K_M", "--ctx", "32k", "--hardware", "apple-m3-max-36gb"];

test("Apple M3 Max 36 GB + a placement flag: placed on MTL0, the same answer as the calculator's one device", () => {
  const j = JSON.parse(calc(...ask, "--load-mode", "mmap", "--json"));
  const mtl = j.devices.find((d: { name: string }) => d.name === "MTL0");
  assert.ok(mtl && mtl.bytes > 0, "the model is on the Metal GPU");
  assert.equal(mtl.budget_bytes, 24 * GiB, "its limit is the GPU working set");
  const state: CalcState = {
    ...DEFAULT_STATE,
    model: "qwen3-30b-a3b",
    engine: "llama.cpp",
    revision: "current",
    backend: "metal",
    ftype: "Q4_K_M",
    typeK: "f16",
    typeV: "f16",
    nSeq: 1,
    unified: false,
    flashAttn: "auto",
    ctx: 32768,
    hardware: "apple-m3-max-36gb",
    budget: "apple-metal-default",
  };
  const v = computeView({ state, catalog, loaded: null, extraRuns: [] });
  const row = v.s.maxTable.find((r) => r.selected)!;
  assert.equal(j.placed_largest_context.max_context, row.maxCtx);
  assert.equal(j.placed_largest_context.memory_would_allow, row.beyond?.nCtx ?? null);
  assert.equal(j.placed_suggestions.verdict.text, v.c.verdict.text);
  assert.match(j.placed_suggestions.suggestions_skipped, /no unified memory/);
  assert.match(
    calc(...ask, "--load-mode", "mmap"),
    /metal0 holds 24\.00 GiB \(usable\); host and GPU share 36\.00 GiB/,
  );
});

test("--n-cpu-moe on the Mac: experts leave the working set; each limit holds at the answer, one is passed at the next step", () => {
  const j = JSON.parse(calc(...ask, "--n-cpu-moe", "10", "--json"));
  const mmap = JSON.parse(calc(...ask, "--load-mode", "mmap", "--json"));
  const beyond = j.placed_largest_context.memory_would_allow;
  assert.ok(beyond > mmap.placed_largest_context.memory_would_allow, `${beyond}`);
  const arch = archOf("qwen3-30b-a3b");
  const table = buildTensorTable(arch, normaliseFtype("Q4_K_M"));
  const p = PlacementSchema.parse({
    devices: [{ kind: "metal", name: "metal0", memory_bytes: 24 * GiB }],
    host_bytes: 36 * GiB,
    unified: true,
    n_cpu_moe: 10,
  });
  const at = (n: number) =>
    devicesOver(p, placeModel(arch, RuntimeConfigSchema.parse({ n_ctx: n, backend: "metal" }), p, table), 0);
  assert.ok(at(beyond).every((d) => d.over <= 0));
  assert.ok(at(beyond + 256).some((d) => d.over > 0));
  // the host row is host and GPU together against the 36 GiB they share
  const r = placeModel(arch, RuntimeConfigSchema.parse({ n_ctx: beyond, backend: "metal" }), p, table);
  const all = r.devices.reduce((a, d) => a + d.bytes, 0);
  assert.equal(at(beyond).find((d) => d.name === "host")!.over, all - 36 * GiB);
});

test("a shared-pool budget off Metal with placement flags is refused, saying what to give instead", () => {
  const r = spawnSync(
    process.execPath,
    [join(REPO, "scripts/calc.ts"), "--model", "qwen3-30b-a3b", "--weights", "Q4_K_M", "--budget", "32GiB"].concat([
      "--pool",
      "total",
      "--n-cpu-moe",
      "10",
    ]),
    { cwd: REPO, encoding: "utf8" },
  );
  assert.equal(r.status, 2);
  assert.match(r.stderr, /total-pool budget on cuda have no device to place on: .*Give --devices cuda:<size>/);
  assert.equal(r.stdout, "");
});
