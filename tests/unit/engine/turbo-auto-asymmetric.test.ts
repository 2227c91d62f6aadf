/**
 * The TurboQuant fork's auto-asymmetric K (docs/memory-model.md#turboquant-auto-asymmetric), from
 * TheTom/llama-cpp-turboquant at 69d8e4be, src/llama-kv-cache.cpp, constructor
 * `llama_kv_cache::llama_kv_cache`, lines 122–146:
 *   n_head = hparams.n_head(0); n_head_kv = hparams.n_head_kv(0);
 *   gqa_ratio = n_head_kv > 0 ? n_head / n_head_kv : 1;  ratio ≥ 6 and type_k == type_v → K = q8_0
 * src/llama-model.cpp (load_hparams) fills n_head_kv_arr from the GGUF: a scalar for every layer,
 * an array entry by entry, n_head when absent; nothing rewrites it per architecture.
 * The block was authored 2026-04-09 (348fb77cc) and reached feature/turboquant-kv-cache as
 * 157f27f71 (committed 2026-05-01): the builds of 2026-03-25 … 03-29 behind `2026-03` lack it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { planMemory } from "../../../src/lib/engine/index.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import type { RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { cfg, REPO_ROOT } from "../../helpers/engine.ts";

const preset = (id: string) =>
  ArchitectureSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, "data/models", `${id}.json`), "utf8")).architecture);

const turbo3 = (revision: "2026-03" | "2026-05"): RuntimeConfigInput => ({
  n_ctx: 4096,
  type_k: "turbo3",
  type_v: "turbo3",
  engine: { name: "turboquant", revision },
});

const upgraded = (m: ReturnType<typeof planMemory>) => m.notes.some((n) => n.code === "turbo-auto-asymmetric-k");

test("#turboquant-auto-asymmetric the ratio is layer 0's: Nemotron-H (n_head_kv[0] = 0 → 1) keeps turbo K, Qwen3.5-27B (scalar 24 / 4 = 6) gets q8_0", () => {
  // Nemotron-H 56B: head_count_kv is per layer, 0 on the Mamba layer 0, 8 on its 10 attention
  // layers (64 / 8 = 8 there): the fork computes ratio 1 and keeps turbo3.
  const nemo = planMemory(preset("nemotron-h-56b-base-8k"), cfg(turbo3("2026-05")));
  assert.equal(nemo.types.type_k, "turbo3");
  assert.equal(upgraded(nemo), false);
  const full = nemo.caches.find((c) => c.kind === "full")!;
  // 10 attention layers × 8 KV heads × 128 = 1024 wide: 8 turbo3 blocks of 50 B per row
  assert.equal(full.k_bytes, 10 * 8 * 50 * full.cells);
  // Granite-4.0-H-Small (0 on layer 0, 32 / 8 = 4 elsewhere) keeps turbo3 either way.
  assert.equal(planMemory(preset("granite-4.0-h-small"), cfg(turbo3("2026-05"))).types.type_k, "turbo3");
  // Qwen3.5-27B: layer 0 is recurrent, but head_count_kv is a scalar (4), so n_head_kv(0) = 4.
  const q = planMemory(preset("qwen3.5-27b"), cfg(turbo3("2026-05")));
  assert.equal(q.types.type_k, "q8_0");
  assert.equal(upgraded(q), true);
});

test("#turboquant-auto-asymmetric revision 2026-03 predates the block: gpt-oss-20b (64 / 8 = 8) keeps turbo3 K there, q8_0 under 2026-05", () => {
  const a = preset("gpt-oss-20b");
  const march = planMemory(a, cfg(turbo3("2026-03")));
  assert.equal(march.types.type_k, "turbo3");
  assert.equal(upgraded(march), false);
  for (const c of march.caches) assert.equal(c.type_k, "turbo3");
  const may = planMemory(a, cfg(turbo3("2026-05")));
  assert.equal(may.types.type_k, "q8_0");
  assert.equal(upgraded(may), true);
  // Qwen3.5-27B, the memory-analysis report's model: turbo3 K in March, q8_0 K since April.
  assert.equal(planMemory(preset("qwen3.5-27b"), cfg(turbo3("2026-03"))).types.type_k, "turbo3");
});
