/**
 * The fit solver with a projector and a draft model the user set (engine/placement/fit.ts with
 * `extras`, docs/memory-model.md#fit-extras): every trial places them (placeWithExtras), so the
 * chosen split keeps the margin on every device with them counted, and one more context step
 * does not; without extras nothing changes (placement-fit.test.ts keeps the 22 llama-fit-params
 * machines). The notes say where llama.cpp's own --fit (de3ff81) treats them differently.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { buildTensorTable, normaliseFtype } from "../../../src/lib/engine/index.ts";
import { fitMachine, type FitResult } from "../../../src/lib/engine/placement/index.ts";
import { placeWithExtras, type PlacementExtras } from "../../../src/lib/engine/placement/extras.ts";
import { llamaFitNotes } from "../../../src/lib/engine/placement/fit-notes.ts";
import { presetProjector } from "../../../src/lib/calculator/vision-load.ts";
import { visionUse } from "../../../src/lib/calculator/vision-view.ts";
import { DEFAULT_STATE } from "../../../src/lib/calculator/state.ts";
import { ArchitectureSchema, type Architecture } from "../../../src/schemas/architecture.ts";
import { ProjectorsFileSchema } from "../../../src/schemas/projector.ts";
import { PlacementSchema, type Placement } from "../../../src/schemas/placement.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";

const GiB = 2 ** 30;
const MARGIN = GiB; // llama.cpp's --fit-target default, the solver's default
const archOf = (id: string): Architecture =>
  ArchitectureSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, `data/models/${id}.json`), "utf8")).architecture);
const facts = ProjectorsFileSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, "data/projectors.json"), "utf8")));
const config = RuntimeConfigSchema.parse({ n_ctx: 8192, backend: "cuda", weights_ftype: "Q4_K_M" });

/** The catalog's projector for a preset, as the calculator sizes it (weights exact, encoder compute estimate). */
function projectorOf(id: string, arch: Architecture): NonNullable<PlacementExtras["projector"]> {
  const p = presetProjector(
    id,
    facts.projectors.find((x) => x.model === id)!,
    arch.n_embd!,
  );
  const r = visionUse(p, DEFAULT_STATE).reserve;
  return { weights_bytes: r.weights!, compute_bytes: r.compute!, offload: true };
}

function machine(kind: "cuda" | "rpc", gib: number[]): Placement {
  return PlacementSchema.parse({
    devices: gib.map((g, i) =>
      kind === "rpc"
        ? { kind, name: `rpc${i}`, endpoint: `127.0.0.1:5005${i}`, memory_bytes: g * GiB }
        : { kind, name: `${g} GiB #${i}`, memory_bytes: g * GiB },
    ),
    host_bytes: 128 * GiB,
  });
}

/** The solver's choice placed with the extras, at its context and one step (256) more. */
function placedAt(arch: Architecture, base: Placement, r: FitResult, extras: PlacementExtras, extra = 0) {
  const c = { ...config, n_ctx: r.n_ctx + extra, n_gpu_layers: r.n_gpu_layers };
  const p = { ...base, tensor_split: r.tensor_split, n_cpu_moe: r.n_cpu_moe };
  return placeWithExtras(arch, c, p, buildTensorTable(arch, normaliseFtype("Q4_K_M")), extras);
}

const keepsMargin = (r: ReturnType<typeof placedAt>) =>
  r.devices.filter((d) => d.pool === "device").every((d) => d.bytes <= d.budget_bytes! - MARGIN);

for (const [id, gib, before, after] of [
  ["gemma-3-27b", [24], 76800, 64768],
  ["qwen3.5-27b", [24], 111104, 89344],
  ["gemma-3-12b", [8, 8], 69120, 57344],
] as const) {
  test(`${id} on ${gib.join(" + ")} GiB with its projector: the fit leaves room for it (${before} → ${after})`, () => {
    const arch = archOf(id);
    const tensors = buildTensorTable(arch, normaliseFtype("Q4_K_M"));
    const base = machine("cuda", [...gib]);
    const extras = { projector: projectorOf(id, arch) };
    const alone = fitMachine(arch, config, base, tensors)!;
    const withP = fitMachine(arch, config, base, tensors, { extras })!;
    assert.equal(alone.n_ctx, before);
    assert.equal(withP.n_ctx, after);
    assert.deepEqual(fitMachine(arch, config, base, tensors, { extras: null }), alone);
    // the model-alone answer, run with the projector, eats CUDA0's margin; the new one keeps it
    assert.ok(!keepsMargin(placedAt(arch, base, alone, extras)));
    assert.ok(keepsMargin(placedAt(arch, base, withP, extras)));
    assert.ok(!keepsMargin(placedAt(arch, base, withP, extras, 256)), "one step more would not keep the margin");
    assert.equal(withP.placement.buffers.filter((b) => b.name.startsWith("CUDA0 mmproj")).length, 2);
  });
}

test("a draft model follows each trial's -ts: every device keeps its margin with both models", () => {
  const arch = archOf("qwen3-32b");
  const tensors = buildTensorTable(arch, normaliseFtype("Q4_K_M"));
  const d = archOf("qwen3-0.6b");
  const draft = {
    arch: d,
    config: RuntimeConfigSchema.parse({ backend: "cuda", weights_ftype: "Q8_0", n_gpu_layers: -1, n_outputs_max: 1 }),
    tensors: buildTensorTable(d, normaliseFtype("Q8_0")),
  };
  const base = machine("cuda", [16, 12]);
  const alone = fitMachine(arch, config, base, tensors)!;
  const both = fitMachine(arch, config, base, tensors, { extras: { draft } })!;
  assert.ok(both.n_ctx < alone.n_ctx, `${both.n_ctx} < ${alone.n_ctx}`);
  assert.ok(!keepsMargin(placedAt(arch, base, alone, { draft })));
  const placed = placedAt(arch, base, both, { draft });
  assert.ok(keepsMargin(placed));
  assert.ok(!keepsMargin(placedAt(arch, base, both, { draft }, 256)));
  // the draft's layers are spread by the same -ts (both devices hold some of it)
  for (const dev of ["CUDA0", "CUDA1"])
    assert.ok(
      placed.buffers.some((b) => b.name.startsWith("draft ") && b.device === dev && b.kind === "weights"),
      dev,
    );
  assert.match(both.llama_fit_notes.join(" "), /count the draft model too, measured with the split you gave/);
});

test("llama.cpp's own --fit and the projector: which device llama-server's extra --fit-target lands on", () => {
  const p = { projector: { weights_bytes: 800 * 2 ** 20, compute_bytes: 144 * 2 ** 20, offload: true } };
  const local = llamaFitNotes(machine("cuda", [24, 24]), p);
  assert.match(local[0], /counts the projector \(944 MiB on CUDA0\) as extra --fit-target on that device/);
  assert.match(local[0], /llama-cli and llama-mtmd-cli fit the model before loading the projector \(not counted\)/);
  // RPC servers only: the projector on RPC0 (registry index 1, after the CPU) → the model's device 1
  const rpc = llamaFitNotes(machine("rpc", [8, 8]), p);
  assert.match(
    rpc[0],
    /kept on RPC0\[127\.0\.0\.1:50051\] instead, so its own choice can overfill RPC0\[127\.0\.0\.1:50050\]/,
  );
  assert.match(llamaFitNotes(machine("rpc", [8]), p)[0], /kept on no device of the model/);
  // a local GPU and an RPC server: the projector on CUDA0 (registry 0) → the model's device 0 = the RPC server
  const mixed = PlacementSchema.parse({
    devices: [
      { kind: "cuda", name: "24 GiB", memory_bytes: 24 * GiB },
      { kind: "rpc", name: "rpc", endpoint: "10.0.0.2:50052", memory_bytes: 24 * GiB },
    ],
  });
  assert.match(
    llamaFitNotes(mixed, p)[0],
    /kept on RPC0\[10\.0\.0\.2:50052\] instead, so its own choice can overfill CUDA0/,
  );
  assert.deepEqual(llamaFitNotes(machine("cuda", [24]), { projector: { ...p.projector, offload: false } }), []);
  assert.deepEqual(llamaFitNotes(machine("cuda", [24]), null), []);
});
