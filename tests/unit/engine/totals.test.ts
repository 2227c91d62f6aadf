/**
 * The totals-only engine path (src/lib/engine/totals.ts) and the closed-form solve built on it:
 * - its totals equal the full breakdown's, to the byte, for every catalog preset × configurations
 *   covering SWA, MLA, recurrent and hybrid models, parallel sequences, partial offload, no KV
 *   offload, older cell rules, TurboQuant and Ollama, at contexts across the range;
 * - maxContext over the /models/ table's configurations (every preset × the usual K/V types ×
 *   two weight files) answers as the binary-search oracle for a sweep of machines.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { computeBreakdown, contextStep, EngineError, maxContext } from "../../../src/lib/engine/index.ts";
import { totalsModel } from "../../../src/lib/engine/totals.ts";
import type { RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { cfg } from "../../helpers/engine.ts";
import { maxContextBySearch } from "../../helpers/max-context-oracle.ts";
import { DATA_DIR } from "../catalog/fixture.ts";

const CONFIGS: RuntimeConfigInput[] = [
  {},
  { type_k: "q8_0", type_v: "q4_0" },
  { type_k: "q4_0", type_v: "q4_0", backend: "metal" },
  { flash_attn: "off", backend: "cpu" },
  { n_seq: 4 },
  { n_seq: 4, kv_unified: true, type_k: "q8_0", type_v: "q8_0" },
  { swa_full: true, backend: "cpu" },
  { n_gpu_layers: 10 },
  { no_kv_offload: true },
  { engine: { name: "llama.cpp", revision: "2025-10-28" }, n_seq: 3 },
  { engine: { name: "llama.cpp", revision: "2025-07-16" }, flash_attn: "off", n_seq: 2 },
  { engine: { name: "turboquant", revision: "2026-05" }, type_k: "turbo3", type_v: "turbo3" },
  { engine: { name: "turboquant", revision: "2026-03" }, type_k: "q8_0", type_v: "turbo2", n_seq: 2 },
  { engine: { name: "ollama", revision: "2026-05" }, type_k: "q8_0", type_v: "q8_0", n_seq: 2 },
  { weights_ftype: "MXFP4_MOE", vision_weights: true, backend: "metal" },
  { n_rs_seq: 2, n_seq: 2, backend: "cuda", n_gpu_layers: 0 },
];

test("the totals-only path gives the breakdown's totals to the byte", () => {
  const { catalog } = loadCatalog(DATA_DIR);
  let compared = 0;
  for (const model of catalog.models)
    for (const input of CONFIGS) {
      const c = cfg({ weights_ftype: "Q4_K_M", ...input });
      const step = contextStep(c);
      let at;
      try {
        at = totalsModel(model.architecture, c, {}, step).at;
      } catch (e) {
        if (e instanceof EngineError) continue;
        throw e;
      }
      const top = model.architecture.context_length ?? 1 << 20;
      for (const k of [1, 2, 3, 17, 100, Math.floor(top / step / 3), Math.floor(top / step)]) {
        if (k < 1 || k * step > top) continue;
        const want = computeBreakdown(model.architecture, { ...c, n_ctx: k * step }).total;
        const got = at(k * step);
        const label = `${model.id} ${JSON.stringify(input)} n_ctx ${k * step}`;
        assert.deepEqual([got.device, got.host, got.total], [want.device_bytes, want.host_bytes, want.bytes], label);
        compared++;
      }
    }
  assert.ok(compared > 5000, `compared ${compared}`);
});

test("the /models/ table's solves equal the oracle for a sweep of machines", () => {
  const { catalog } = loadCatalog(DATA_DIR);
  const kv = ["f16", "q8_0", "q4_0", "q5_1"] as const;
  let compared = 0;
  let bound = 0;
  for (const model of catalog.models)
    for (const [i, t] of kv.entries()) {
      const c = cfg({ type_k: t, type_v: t, weights_ftype: i % 2 ? "Q8_0" : "Q4_K_M", backend: "metal" });
      // Machines spread over the row's own range (smallest context … trained context), a little
      // past both ends, offset per row so that budgets land everywhere on the grid.
      const a = model.architecture;
      let lo: number;
      let hi: number;
      try {
        lo = computeBreakdown(a, { ...c, n_ctx: contextStep(c) }).total.bytes;
        hi = computeBreakdown(a, { ...c, n_ctx: a.context_length ?? 1 << 20 }).total.bytes;
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        assert.throws(() => maxContext(a, c, { bytes: 2 ** 40 }), EngineError);
        continue;
      }
      for (let f = -0.1 + ((model.id.length + i) % 7) / 100; f < 1.15; f += 0.11) {
        const budget = { bytes: Math.round(lo + (hi - lo) * f), pool: "total" as const };
        let want;
        try {
          want = maxContextBySearch(model.architecture, c, budget);
        } catch (e) {
          if (!(e instanceof EngineError)) throw e;
          assert.throws(() => maxContext(model.architecture, c, budget), EngineError);
          continue;
        }
        const got = maxContext(model.architecture, c, budget);
        assert.deepEqual(
          got && [got.n_ctx, got.limited_by],
          want && [want.n_ctx, want.limited_by],
          `${model.id} ${t} ${budget.bytes} B`,
        );
        compared++;
        if (want?.limited_by === "budget") bound++;
      }
    }
  assert.ok(compared > 2500 && bound > compared / 2, `compared ${compared}, budget-bound ${bound}`);
});
