/**
 * Fit solver speed (issue 15): fitMachine for Llama 3.1 70B at Q4_K_M (its catalog preset, the
 * builder's tensor table) on two 24 GiB GPUs and 128 GiB of RAM, from scratch (-ts, -ngl and the
 * largest context), as the calculator's "Fit it for me" asks it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { PlacementSchema } from "../../../src/schemas/placement.ts";
import { fitMachine } from "../../../src/lib/engine/placement/index.ts";
import { buildTensorTable } from "../../../src/lib/engine/weights.ts";
import type { Measure } from "../measure.ts";
import { REPO_ROOT } from "../../lib/repo-root.ts";

const GiB = 2 ** 30;
const arch = ModelSchema.parse(
  JSON.parse(readFileSync(path.join(REPO_ROOT, "data/models/llama-3.1-70b.json"), "utf8")),
).architecture;
const tensors = buildTensorTable(arch, "Q4_K_M");
const config = RuntimeConfigSchema.parse({ n_ctx: 8192, backend: "cuda", weights_ftype: "Q4_K_M" });
const machine = (gpuGib: number) =>
  PlacementSchema.parse({
    devices: [0, 1].map(() => ({ kind: "cuda", name: "RTX 24 GiB", memory_bytes: gpuGib * GiB })),
    host_bytes: 128 * GiB,
  });

// A slightly different card on every call (1 MiB steps), so no call repeats the last one's work.
let step = 0;

export const fitSolve: Measure = {
  name: "engine: fitMachine, Llama 3.1 70B Q4_K_M on 2 × 24 GiB",
  quick: true,
  warmup: 1,
  repeats: { full: 9, quick: 3 },
  figures: [{ key: "ms", unit: "ms", budget: { value: 50, cmp: "<=", source: "issue 15" } }],
  sample: () => {
    const start = process.hrtime.bigint();
    const r = fitMachine(arch, config, machine(24 + (step++ % 64) / 1024), tensors, { max_ctx: arch.context_length! });
    if (!r) throw new Error("the 70B found no placement on 2 × 24 GiB");
    return { ms: Number(process.hrtime.bigint() - start) / 1e6 };
  },
};
