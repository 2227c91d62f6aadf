/** Engine speed: a full breakdown and a max-context solve, per call, on a 64-layer hybrid model. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ArchitectureSchema, type Architecture } from "../../../src/schemas/architecture.ts";
import { RuntimeConfigSchema, type RuntimeConfig } from "../../../src/schemas/runtime-config.ts";
import { computeBreakdown, maxContext } from "../../../src/lib/engine/index.ts";
import type { Measure } from "../measure.ts";
import { REPO_ROOT } from "../../lib/repo-root.ts";

function fixture(name: string): Architecture {
  const raw = JSON.parse(readFileSync(path.join(REPO_ROOT, "tests/fixtures/engine", `${name}.json`), "utf8"));
  return ArchitectureSchema.parse(raw.architecture ?? raw);
}

// Qwen3.5-27B: 64 layers, 16 full-attention + 48 gated-delta-net — the report's target model.
const arch = fixture("qwen3.5-27b");
const config: RuntimeConfig = RuntimeConfigSchema.parse({
  n_ctx: 32768,
  type_k: "q8_0",
  type_v: "q8_0",
  flash_attn: "on",
  backend: "metal",
});

/** Mean µs per call over enough calls to dwarf timer resolution. */
function usPerCall(fn: (i: number) => unknown, calls: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / 1000 / calls;
}

export const engineBreakdown: Measure = {
  name: "engine: full breakdown, 64-layer hybrid (Qwen3.5-27B)",
  quick: true,
  warmup: 1,
  repeats: { full: 15, quick: 5 },
  figures: [{ key: "us", unit: "µs", budget: { value: 20, cmp: "<=", source: "issue 3" } }],
  // Vary the context so no call is a repeat of the last.
  sample: () => ({ us: usPerCall((i) => computeBreakdown(arch, { ...config, n_ctx: 4096 + (i % 64) * 1024 }), 2000) }),
};

// A new budget on every call (monotone counter across samples), so no call repeats the last.
let budgetStep = 0;

export const engineMaxContext: Measure = {
  name: "engine: maxContext for a new budget, 64-layer hybrid, configuration solved before",
  quick: true,
  warmup: 1,
  repeats: { full: 15, quick: 5 },
  figures: [{ key: "us", unit: "µs", budget: { value: 2, cmp: "<=", source: "issue 14" } }],
  sample: () => ({
    us: usPerCall(() => maxContext(arch, config, { bytes: 20e9 + (budgetStep++ % 9000) * 1.1e6, pool: "total" }), 3000),
  }),
};

// A configuration never solved before on every call: n_rs_seq changes the state size only, so
// the weights stay cached (as when a user changes one control) and the curve is new.
let coldConfig = 0;

export const engineMaxContextCold: Measure = {
  name: "engine: maxContext, first solve of a configuration, 64-layer hybrid on a 27 GB budget",
  quick: true,
  warmup: 1,
  repeats: { full: 15, quick: 5 },
  figures: [{ key: "us", unit: "µs", budget: { value: 200, cmp: "<=", source: "issue 3" } }],
  sample: () => ({
    us: usPerCall(() => maxContext(arch, { ...config, n_rs_seq: ++coldConfig }, { bytes: 27e9, pool: "total" }), 200),
  }),
};
