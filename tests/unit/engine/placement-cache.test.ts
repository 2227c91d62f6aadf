/**
 * placeModel caches the context-independent tensor placement per tensor table and placement: a
 * cached answer equals a fresh one (a copied table has no cache entry) at every context, and a
 * change of placement (-ngl, --n-cpu-moe, -ts) is never answered from another's entry.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildTensorTable, normaliseFtype } from "../../../src/lib/engine/index.ts";
import { placeModel } from "../../../src/lib/engine/placement/index.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { gpuCatalog, machinePlacement, parseMachine } from "../../../src/lib/calculator/placement-machine.ts";
import { placementConfig } from "../../../src/lib/calculator/placement-view.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { loadCatalog } from "../calculator/load-catalog.ts";

const catalog = loadCatalog();
const arch = ArchitectureSchema.parse(catalog.models.find((m) => m.id === "qwen3-30b-a3b")!.architecture);
const table = buildTensorTable(arch, normaliseFtype("Q4_K_M"));
const parsed = parseMachine("g:12288,8192", gpuCatalog(catalog.hardware));
assert.ok(parsed.ok);
const p = machinePlacement(parsed.spec);
const state = { ...DEFAULT_STATE, model: "qwen3-30b-a3b", ftype: "Q4_K_M", machine: "x" } as CalcState;
const config = placementConfig({ arch, tensors: null }, state, parsed.spec);

describe("placeModel's tensor placement cache", () => {
  test("cached = fresh at every context and for every placement change", () => {
    const variants = [
      { p, ngl: -1 },
      { p: { ...p, n_cpu_moe: 7 }, ngl: -1 },
      { p: { ...p, tensor_split: [3, 1] }, ngl: -1 },
      { p, ngl: 20 },
    ];
    const seen = new Set<string>();
    for (const v of variants)
      for (const ctx of [4096, 32768, 4096]) {
        const c = { ...config, n_ctx: ctx, n_gpu_layers: v.ngl };
        const cached = placeModel(arch, c, v.p, table);
        assert.deepEqual(cached, placeModel(arch, c, v.p, [...table]));
        seen.add(JSON.stringify(cached.devices.map((d) => d.bytes)));
      }
    // the variants place different bytes: a shared entry would have made some equal
    assert.equal(seen.size, 8);
  });
});
