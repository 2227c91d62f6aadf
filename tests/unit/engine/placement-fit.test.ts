/**
 * The fit solver (src/lib/engine/placement/fit.ts) against llama.cpp's own fit (`llama-fit-params`,
 * common/fit.cpp of de3ff81) on 22 emulated machines: RPC servers advertising chosen sizes
 * (tests/fixtures/placement/fit-runs.json, recorded by fit-generate.ts). Both use the same margin
 * (1024 MiB per device) and minimum context (4096).
 *
 * Where they agree: which kind of placement a machine needs (every layer on the devices; experts
 * on the host; fewer layers), and the number of layers of a dense model. Where they differ, by
 * design: llama.cpp's fit picks the context by interpolating between 4096 and the training context
 * (with a safety discount for several devices) and spreads experts by overflowing the last layers
 * of each device (`-ot blk.N…`), while the solver searches the largest context exactly and keeps
 * the experts of the first blocks on the host (`--n-cpu-moe`); once layers or experts must move,
 * llama.cpp keeps its minimum context (4096) while the solver grows the context for the placement
 * it chose; with nothing on the devices llama.cpp still shrinks the context, the solver keeps the
 * training context (no host limit given).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compare, fitRuns } from "../../fixtures/placement/fit-compare.ts";
import { modelOf } from "../../fixtures/placement/models.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { fitMachine, placeModel } from "../../../src/lib/engine/placement/index.ts";
import { buildTensorTable } from "../../../src/lib/engine/weights.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { PlacementSchema } from "../../../src/schemas/placement.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";

const runs = fitRuns();

test("the comparison covers at least 20 machines, each fitted by llama.cpp", () => {
  assert.ok(runs.length >= 20);
  for (const r of runs) assert.equal(r.exit_code, 0, `${r.id}: llama-fit-params failed`);
});

for (const run of runs) {
  test(`${run.id}: same kind of placement as llama-fit-params, context within 15 %`, async () => {
    const c = await compare(run);
    const { arch } = await modelOf(run.model);
    const all = arch.block_count + 1;
    assert.ok(c.llama, `${run.id}: llama.cpp flags unreadable: ${run.flags}`);
    assert.ok(c.ours, `${run.id}: the solver found no placement`);
    const llamaAll = (c.llama.ngl < 0 || c.llama.ngl >= all) && c.llama.ot.length === 0;
    const oursAll = c.ours.n_gpu_layers >= all && c.ours.n_cpu_moe === 0;
    assert.equal(
      oursAll,
      llamaAll,
      `${run.id}: every layer on the devices? llama ${run.flags}, ours ${c.ours.flags.join(" ")}`,
    );
    assert.equal(c.ours.n_cpu_moe > 0, c.llama.ot.length > 0, `${run.id}: experts on the host?`);
    if ((arch.expert_count ?? 0) === 0 && !llamaAll) assert.equal(c.ours.n_gpu_layers, c.llama.ngl, `${run.id}: -ngl`);
    // once layers must move, llama.cpp stays at its minimum context; the solver then still grows it
    if (c.llama.ngl === 0 || c.llama.n_ctx === 4096) assert.ok(c.ours.n_ctx >= c.llama.n_ctx);
    else {
      const rel = Math.abs(c.ours.n_ctx - c.llama.n_ctx) / c.llama.n_ctx;
      assert.ok(rel <= 0.15, `${run.id}: context ${c.ours.n_ctx} vs llama.cpp ${c.llama.n_ctx}`);
    }
  });
}

test("one device, dense model, every layer on it: the same largest context as llama.cpp", async () => {
  let n = 0;
  for (const run of runs.filter((r) => r.devices_gib.length === 1 && r.model.startsWith("qwen3"))) {
    const c = await compare(run);
    if (!c.llama || c.llama.ngl !== -1) continue;
    n++;
    assert.equal(c.ours!.n_ctx, c.llama.n_ctx, run.id);
  }
  assert.ok(n >= 3);
});

test("a dense 70B over two 24 GiB GPUs: deterministic, every device within its budget, one more step does not fit", () => {
  const arch = ModelSchema.parse(
    JSON.parse(readFileSync(join(REPO_ROOT, "data/models/llama-3.1-70b.json"), "utf8")),
  ).architecture;
  const tensors = buildTensorTable(arch, "Q4_K_M");
  const config = RuntimeConfigSchema.parse({ n_ctx: 8192, backend: "cuda", weights_ftype: "Q4_K_M" });
  const base = PlacementSchema.parse({
    devices: [0, 1].map(() => ({ kind: "cuda", name: "24 GiB", memory_bytes: 24 * 2 ** 30 })),
    host_bytes: 128 * 2 ** 30,
  });
  const a = fitMachine(arch, config, base, tensors, { max_ctx: arch.context_length! })!;
  const b = fitMachine(arch, config, base, tensors, { max_ctx: arch.context_length! })!;
  assert.deepEqual([a.n_ctx, a.n_gpu_layers, a.tensor_split], [b.n_ctx, b.n_gpu_layers, b.tensor_split]);
  assert.equal(a.n_gpu_layers, arch.block_count + 1);
  for (const d of a.placement.devices.filter((x) => x.pool === "device"))
    assert.ok(d.bytes <= 23 * 2 ** 30, `${d.name} ${d.bytes}`);
  // every split of the layers at the next context step leaves some device over its budget
  const next = { ...config, n_ctx: a.n_ctx + 256, n_gpu_layers: a.n_gpu_layers };
  for (let k = 0; k <= a.n_gpu_layers; k++) {
    const r = placeModel(arch, next, { ...base, tensor_split: [k, a.n_gpu_layers - k] }, tensors);
    assert.ok(
      r.devices.filter((x) => x.pool === "device").some((d) => d.bytes > 23 * 2 ** 30),
      `-ts ${k}`,
    );
  }
});
