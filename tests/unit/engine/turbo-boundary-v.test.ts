/**
 * The TurboQuant fork's automatic Boundary V (docs/memory-model.md#turboquant-boundary-v), from
 * TheTom/llama-cpp-turboquant at 69d8e4be, src/llama-kv-cache.cpp, `llama_kv_cache` constructor,
 * "Layer-adaptive" block: without TURBO_LAYER_ADAPTIVE, `type_v == GGML_TYPE_TURBO2_0 &&
 * hparams.n_layer >= 8` selects mode 7, whose layers il < 2 or il >= n_layer − 2 store V as q8_0;
 * the fork's hparams.n_layer is a plain field holding the GGUF block_count (src/llama-hparams.h),
 * NextN/MTP blocks included.
 * The auto-enable was first committed 2026-03-30 21:46 −05:00 (5364f8a1d, on the
 * feature/turboquant-kv-cache branch as a6ff53846, committed 2026-04-15); mode 7 itself was opt-in
 * (a3e97d869, authored 2026-03-29). The builds of 2026-03-25 … 03-29 behind the engine's `2026-03`
 * revision therefore store every V row as turbo2.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { planMemory } from "../../../src/lib/engine/index.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import type { RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { cfg, fixture, REPO_ROOT } from "../../helpers/engine.ts";

const turbo2V = (revision: "2026-03" | "2026-05"): RuntimeConfigInput => ({
  n_ctx: 2048,
  type_k: "turbo4",
  type_v: "turbo2",
  engine: { name: "turboquant", revision },
});

const boundaryNoted = (m: ReturnType<typeof planMemory>) => m.notes.some((n) => n.code === "turbo-boundary-v");

test("#turboquant-boundary-v 2026-05: turbo2 V is q8_0 on layers 0, 1, n−2, n−1", () => {
  const m = planMemory(fixture("qwen3-14b"), cfg(turbo2V("2026-05")));
  const rows = m.caches[0].rows;
  assert.deepEqual(
    rows.filter((r) => r.type_v === "q8_0").map((r) => r.layer),
    [0, 1, 38, 39],
  );
  assert.equal(boundaryNoted(m), true);
});

test("#turboquant-boundary-v 2026-03: the late-March builds predate the auto-enable, every V row stays turbo2", () => {
  const m = planMemory(fixture("qwen3-14b"), cfg(turbo2V("2026-03")));
  const rows = m.caches[0].rows;
  assert.equal(rows.length, 40);
  assert.ok(rows.every((r) => r.type_v === "turbo2"));
  assert.equal(boundaryNoted(m), false);
  // Same model and cells under 2026-05 differ only by the 4 boundary rows' V bytes.
  const later = planMemory(fixture("qwen3-14b"), cfg(turbo2V("2026-05")));
  assert.ok(later.caches[0].v_bytes > m.caches[0].v_bytes);
});

test("#turboquant-boundary-v the boundary counts the fork's hparams.n_layer, the GGUF block_count with its NextN block", () => {
  // GLM-4.5-Air: 47 blocks, the last a NextN block without KV. The fork marks blocks 0, 1, 45, 46;
  // 46 holds no KV, so three rows store q8_0 V and trunk layer 44 stays turbo2.
  const a = ArchitectureSchema.parse(
    JSON.parse(readFileSync(join(REPO_ROOT, "data/models/glm-4.5-air.json"), "utf8")).architecture,
  );
  assert.equal(a.block_count, 47);
  assert.equal(a.nextn_predict_layers, 1);
  const m = planMemory(a, cfg(turbo2V("2026-05")));
  const rows = m.caches[0].rows;
  assert.equal(rows.length, 46);
  assert.deepEqual(
    rows.filter((r) => r.type_v === "q8_0").map((r) => r.layer),
    [0, 1, 45],
  );
});
