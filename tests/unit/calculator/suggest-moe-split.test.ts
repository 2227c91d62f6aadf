/**
 * The experts-on-CPU suggestion on a PC with an uneven -ts: the fit solver's rebalanced split is
 * tried too and kept when it lets a smaller --n-cpu-moe fit — proven here with placeModel: the
 * user's -ts needs more, the suggested machine fits after one click, one block fewer does not.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildTensorTable, normaliseFtype } from "../../../src/lib/engine/index.ts";
import { placeModel } from "../../../src/lib/engine/placement/index.ts";
import { worstDevice } from "../../../src/lib/engine/placement/context.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import {
  encodeMachine,
  gpuCatalog,
  machinePlacement,
  parseMachine,
} from "../../../src/lib/calculator/placement-machine.ts";
import { placedVerdict } from "../../../src/lib/calculator/placement-answer.ts";
import { placementConfig } from "../../../src/lib/calculator/placement-view.ts";
import { smallestCpuMoe } from "../../../src/lib/calculator/suggest-moe.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { loadCatalog } from "./load-catalog.ts";
import { CUDA_F16 } from "./pc-fixtures.ts";

const catalog = loadCatalog();
const arch = ArchitectureSchema.parse(catalog.models.find((m) => m.id === "qwen3-30b-a3b")!.architecture);
const m = { arch, tensors: null };
const table = buildTensorTable(arch, normaliseFtype("Q4_K_M"));
const machine = "g:12288,8192;ts:1,1";
const parsed = parseMachine(machine, gpuCatalog(catalog.hardware));
assert.ok(parsed.ok);
const spec = parsed.spec;
const state: CalcState = {
  ...DEFAULT_STATE,
  model: "qwen3-30b-a3b",
  ...CUDA_F16,
  ctx: 32768,
  ftype: "Q4_K_M",
  machine,
  nGpuLayers: -1,
};
const config = placementConfig(m, state, spec);

/** Does --n-cpu-moe n with this -ts fit at the state's context (every device within its memory)? */
function fitsWith(n: number, ts: number[]): boolean {
  const p = { ...machinePlacement(spec), n_cpu_moe: n, tensor_split: ts };
  return worstDevice(p, placeModel(arch, config, p, table), 0) === null;
}

describe("--n-cpu-moe on a PC whose -ts is uneven for its cards", () => {
  test("Qwen3-30B-A3B at 32K on 12 + 8 GiB with -ts 1,1: the rebalanced -ts needs fewer expert blocks on the CPU", () => {
    const c = smallestCpuMoe(m, state, spec)!;
    assert.ok(c, "a suggestion");
    let asSet = 0;
    while (asSet <= arch.block_count && !fitsWith(asSet, [1, 1])) asSet++;
    assert.ok(c.n < asSet, `${c.n} < ${asSet}`);
    assert.equal(c.machine.moe, c.n);
    assert.equal(
      c.machine.tensorSplit.reduce((a, b) => a + b, 0),
      arch.block_count + 1,
    );
    assert.ok(fitsWith(c.n, c.machine.tensorSplit));
    assert.ok(!fitsWith(c.n - 1, c.machine.tensorSplit));
    const applied = { ...state, machine: encodeMachine(c.machine) };
    assert.equal(placedVerdict(m, applied, c.machine).kind === "no", false);
  });
});
