/**
 * TurboQuant fork on MLA models (DeepSeek V3, Kimi K2), from the fork's source at 69d8e4be
 * (TheTom/llama-cpp-turboquant, branch feature/turboquant-kv-cache, 2026-05-04),
 * src/llama-kv-cache.cpp, constructor `llama_kv_cache::llama_kv_cache`:
 * - lines 122–146 "Auto-asymmetric": K turbo, `type_k == type_v` and n_head(0) / n_head_kv(0) ≥ 6
 *   → K = q8_0. There is no MLA test: an MLA GGUF stores head_count_kv = 1, so the ratio is
 *   n_head (128 on DeepSeek V3, 64 on Kimi K2) and every symmetric turbo pair gets a q8_0 K.
 * - line 265 `has_v = !is_mla`: an MLA cache holds K only (the latent row, 576 wide), whatever V type.
 * - lines 329–340: a turbo K head that is not a multiple of 128 is zero-padded (576 → 640).
 * - lines 374–385: the rotation tensors exist only when the (post auto-asymmetric) K is turbo.
 * The 2026-03 revision predates the auto-asymmetric block (added 2026-04-09, 348fb77cc).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { planMemory, TURBO_ROTATION_BYTES } from "../../../src/lib/engine/index.ts";
import type { KvType } from "../../../src/schemas/kv-type.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { cfg, REPO_ROOT } from "../../helpers/engine.ts";

/** The catalog presets (the engine fixtures have no Kimi K2). */
const preset = (id: string) =>
  ArchitectureSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, "data/models", `${id}.json`), "utf8")).architecture);

const TURBO = ["turbo2", "turbo3", "turbo4"] as const;
const OTHER = ["f16", "q8_0", "q4_0"] as const;
/** Bytes of one K row of the 69d8e4be layouts: turbo 128-value blocks (34/50/68 B), 640 wide after padding. */
const ROW: Record<string, number> = {
  turbo2: 5 * 34,
  turbo3: 5 * 50,
  turbo4: 5 * 68,
  f16: 576 * 2,
  q8_0: 18 * 34,
  q4_0: 18 * 18,
};

for (const model of ["deepseek-v3", "kimi-k2-instruct"]) {
  const a = preset(model);
  for (const k of [...TURBO, ...OTHER]) {
    for (const v of [...TURBO, ...OTHER]) {
      if (!TURBO.includes(k as never) && !TURBO.includes(v as never)) continue;
      test(`TurboQuant 2026-05 ${model} K ${k} / V ${v} at 2048 cells: K-only cache`, () => {
        const m = planMemory(
          a,
          cfg({ n_ctx: 2048, type_k: k as KvType, type_v: v as KvType, engine: { name: "turboquant" } }),
        );
        const c = m.caches[0];
        const effK = TURBO.includes(k as never) && k === v ? "q8_0" : k;
        assert.equal(c.type_k, effK);
        assert.equal(c.v_bytes, 0);
        assert.equal(c.rows[0].k_width, TURBO.includes(effK as never) ? 640 : 576);
        assert.equal(c.k_bytes, 61 * 2048 * ROW[effK]);
        assert.equal(c.extra_bytes, TURBO.includes(effK as never) ? TURBO_ROTATION_BYTES : 0);
      });
    }
  }
}

test("issue 16 case: DeepSeek V3 turbo2/turbo2 at 2K is 72.91 MiB (K q8_0 576 wide, no V)", () => {
  const m = planMemory(
    preset("deepseek-v3"),
    cfg({ n_ctx: 2048, type_k: "turbo2", type_v: "turbo2", engine: { name: "turboquant" } }),
  );
  assert.equal(m.caches[0].bytes, 76_455_936);
  assert.equal((m.caches[0].bytes / 2 ** 20).toFixed(2), "72.91");
  assert.ok(m.notes.some((n) => n.code === "turbo-auto-asymmetric-k"));
});

test("TurboQuant 2026-03 (before the auto-asymmetric block): MLA keeps a turbo K padded to 640", () => {
  const m = planMemory(
    preset("deepseek-v3"),
    cfg({ n_ctx: 2048, type_k: "turbo4", type_v: "turbo4", engine: { name: "turboquant", revision: "2026-03" } }),
  );
  assert.equal(m.caches[0].type_k, "turbo4");
  assert.equal(m.caches[0].rows[0].k_width, 640);
  assert.equal(m.caches[0].v_bytes, 0);
});
