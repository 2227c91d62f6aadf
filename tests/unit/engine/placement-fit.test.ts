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
