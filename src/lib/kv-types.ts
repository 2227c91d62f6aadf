/**
 * The K/V cache type names and engine revisions as plain constants, with no validator attached:
 * the calculator's initial browser bundle needs them, and importing anything at runtime from
 * src/schemas/ would pull zod along. The zod schemas (src/schemas/kv-type.ts,
 * src/schemas/runtime-config.ts) are built from these lists, so there is one source of truth.
 */
import type { GgmlTypeName } from "../schemas/ggml-type.ts";

/**
 * K/V cache element types accepted by `-ctk` / `-ctv` (docs/memory-model.md#ggml-type-sizes), plus the TurboQuant
 * fork's KV-only types (docs/memory-model.md#turboquant). Names are exactly as llama.cpp prints them in `K (%s)` / `V (%s)`.
 * - upstream llama.cpp: f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 iq4_nl
 * - TurboQuant fork only: turbo2 turbo3 turbo4 (block size and bytes depend on the fork revision)
 */
export const KV_TYPES = [
  "f32",
  "f16",
  "bf16",
  "q8_0",
  "q4_0",
  "q4_1",
  "q5_0",
  "q5_1",
  "iq4_nl",
  "turbo2",
  "turbo3",
  "turbo4",
] as const satisfies readonly GgmlTypeName[];
export type KvTypeName = (typeof KV_TYPES)[number];

/** True for the TurboQuant fork's KV types (rejected by upstream llama.cpp and by Ollama). */
export function isTurboType(t: KvTypeName): boolean {
  return t === "turbo2" || t === "turbo3" || t === "turbo4";
}

/** True for types that upstream llama.cpp only accepts for V with flash attention on (docs/memory-model.md#quantized-v-needs-fa). */
export function isQuantizedKvType(t: KvTypeName): boolean {
  return t !== "f32" && t !== "f16" && t !== "bf16";
}

const OLLAMA_KV_TYPES: readonly KvTypeName[] = ["f16", "q8_0", "q4_0"];

/**
 * K/V types each engine accepts (data/quants/kv-types.json `engines`, checked by
 * tests/unit/catalog/quants.test.ts):
 * - llama.cpp: every upstream type of `-ctk/-ctv` (common/arg.cpp kv_cache_types, de3ff81);
 * - turboquant: the same plus turbo2/3/4;
 * - ollama: OLLAMA_KV_CACHE_TYPE takes f16, q8_0 or q4_0 only, one type for K and V
 *   (ollama docs/faq.md; docs/memory-model.md#ollama).
 */
export function kvTypesAccepted(engine: "llama.cpp" | "turboquant" | "ollama"): readonly KvTypeName[] {
  if (engine === "ollama") return OLLAMA_KV_TYPES;
  if (engine === "turboquant") return KV_TYPES;
  return KV_TYPES.filter((t) => !isTurboType(t));
}

/** Rule-set revisions per engine profile, newest first (documented in src/schemas/runtime-config.ts). */
export const ENGINE_REVISIONS = {
  "llama.cpp": ["current", "2025-11-07", "2025-10-28", "2025-07-16"],
  turboquant: ["2026-05", "2026-03"],
  ollama: ["2026-05"],
} as const;
