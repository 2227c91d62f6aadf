/**
 * The "every model on this machine" table: the largest context of every catalog preset × the
 * usual K/V configurations, re-solved when the machine's budget changes. One table must be
 * ready within a 60 Hz frame; the curves of the configurations are warm from the previous machine.
 */
import path from "node:path";
import { loadCatalog } from "../../catalog/validate.ts";
import { EngineError, maxContext } from "../../../src/lib/engine/index.ts";
import type { Architecture } from "../../../src/schemas/architecture.ts";
import { RuntimeConfigSchema, type RuntimeConfig } from "../../../src/schemas/runtime-config.ts";
import type { Measure } from "../measure.ts";
import { REPO_ROOT } from "../../lib/repo-root.ts";

const KV: [string, string][] = [
  ["f16", "f16"],
  ["q8_0", "q8_0"],
  ["q4_0", "q4_0"],
  ["q8_0", "q4_0"],
  ["bf16", "bf16"],
  ["q5_1", "q5_1"],
];
const WEIGHTS = ["Q4_K_M", "Q8_0"];

interface Row {
  arch: Architecture;
  config: RuntimeConfig;
}

let rows: Row[] = [];
let machine = 0;

function solveAll(bytes: number): number {
  let found = 0;
  for (const r of rows) {
    try {
      if (maxContext(r.arch, r.config, { bytes, pool: "total" })) found++;
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
    }
  }
  return found;
}

export const modelsTableSolve: Measure = {
  name: "engine: every preset × K/V × weights re-solved for a new machine (the all-models table)",
  quick: true,
  warmup: 1,
  repeats: { full: 15, quick: 5 },
  figures: [
    { key: "ms", unit: "ms", budget: { value: 16, cmp: "<=", source: "issue 14" } },
    { key: "us_per_solve", unit: "µs", budget: { value: 2, cmp: "<=", source: "issue 14" } },
    { key: "solves", unit: "solves" },
  ],
  setup: () => {
    const { catalog } = loadCatalog(path.join(REPO_ROOT, "data"));
    rows = catalog.models.flatMap((m) =>
      WEIGHTS.flatMap((w) =>
        KV.map(([k, v]) => ({
          arch: m.architecture,
          config: RuntimeConfigSchema.parse({ type_k: k, type_v: v, weights_ftype: w, backend: "metal" }),
        })),
      ),
    );
    solveAll(24 * 2 ** 30); // the machine before: curves remembered from here on
  },
  sample: () => {
    // Machines of 16 … 512 GiB in 1 GiB steps, a new one every sample.
    const bytes = (16 + (machine++ % 497)) * 2 ** 30;
    const start = process.hrtime.bigint();
    solveAll(bytes);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { ms, us_per_solve: (ms * 1000) / rows.length, solves: rows.length };
  },
};
