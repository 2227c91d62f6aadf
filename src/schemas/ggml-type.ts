/**
 * THE ggml type table of the project: names (as `ggml_type_name` prints them, e.g. `q4_K`,
 * `iq2_xxs`), GGUF ids, values per block and bytes per block. The engine's traits
 * (src/lib/engine/ggml-types.ts) and the GGUF reader's id table (src/lib/gguf/ggml-types.ts) are
 * views of it; tests/unit/catalog/quants.test.ts checks it against data/quants/kv-types.json.
 *
 * Upstream rows: `ggml/include/ggml.h` `enum ggml_type` and `ggml/src/ggml.c` `type_traits[]` of
 * llama.cpp de3ff81 (docs/memory-model.md#ggml-type-sizes). Ids 4, 5, 31–33 and 36–38 were removed upstream.
 *
 * Fork rows (TheTom/llama-cpp-turboquant, docs/memory-model.md#turboquant-layouts, fork commit 69d8e4be): their ids 42–46
 * collide with upstream (42 = q2_0 upstream, turbo2 in the fork, docs/memory-model.md#ggml-type-sizes), so a GGUF id is mapped
 * with `ggmlTypeNameFromId(id, fork)`. turbo2/turbo3 had other layouts in March 2026 (docs/memory-model.md#turboquant-layouts);
 * those live with the engine's profile rules, this table holds the current layout.
 */
export interface GgmlTypeRow {
  readonly name: string;
  /** ggml enum value as stored in a GGUF tensor info (the fork's own id for fork rows). */
  readonly id: number;
  /** Values per block. */
  readonly blck: number;
  /** Bytes per block (`type_size`). */
  readonly bytes: number;
}

export const UPSTREAM_GGML_TYPES = [
  { name: "f32", id: 0, blck: 1, bytes: 4 },
  { name: "f16", id: 1, blck: 1, bytes: 2 },
  { name: "q4_0", id: 2, blck: 32, bytes: 18 },
  { name: "q4_1", id: 3, blck: 32, bytes: 20 },
  { name: "q5_0", id: 6, blck: 32, bytes: 22 },
  { name: "q5_1", id: 7, blck: 32, bytes: 24 },
  { name: "q8_0", id: 8, blck: 32, bytes: 34 },
  { name: "q8_1", id: 9, blck: 32, bytes: 36 },
  { name: "q2_K", id: 10, blck: 256, bytes: 84 },
  { name: "q3_K", id: 11, blck: 256, bytes: 110 },
  { name: "q4_K", id: 12, blck: 256, bytes: 144 },
  { name: "q5_K", id: 13, blck: 256, bytes: 176 },
  { name: "q6_K", id: 14, blck: 256, bytes: 210 },
  { name: "q8_K", id: 15, blck: 256, bytes: 292 },
  { name: "iq2_xxs", id: 16, blck: 256, bytes: 66 },
  { name: "iq2_xs", id: 17, blck: 256, bytes: 74 },
  { name: "iq3_xxs", id: 18, blck: 256, bytes: 98 },
  { name: "iq1_s", id: 19, blck: 256, bytes: 50 },
  { name: "iq4_nl", id: 20, blck: 32, bytes: 18 },
  { name: "iq3_s", id: 21, blck: 256, bytes: 110 },
  { name: "iq2_s", id: 22, blck: 256, bytes: 82 },
  { name: "iq4_xs", id: 23, blck: 256, bytes: 136 },
  { name: "i8", id: 24, blck: 1, bytes: 1 },
  { name: "i16", id: 25, blck: 1, bytes: 2 },
  { name: "i32", id: 26, blck: 1, bytes: 4 },
  { name: "i64", id: 27, blck: 1, bytes: 8 },
  { name: "f64", id: 28, blck: 1, bytes: 8 },
  { name: "iq1_m", id: 29, blck: 256, bytes: 56 },
  { name: "bf16", id: 30, blck: 1, bytes: 2 },
  { name: "tq1_0", id: 34, blck: 256, bytes: 54 },
  { name: "tq2_0", id: 35, blck: 256, bytes: 66 },
  { name: "mxfp4", id: 39, blck: 32, bytes: 17 },
  { name: "nvfp4", id: 40, blck: 64, bytes: 36 },
  { name: "q1_0", id: 41, blck: 128, bytes: 18 },
  { name: "q2_0", id: 42, blck: 64, bytes: 18 },
] as const satisfies readonly GgmlTypeRow[];

/** TurboQuant fork types with the fork's ids and current (69d8e4be) layouts. */
export const TURBOQUANT_GGML_TYPES = [
  { name: "turbo2", id: 42, blck: 128, bytes: 34 },
  { name: "turbo3", id: 43, blck: 128, bytes: 50 },
  { name: "turbo4", id: 44, blck: 128, bytes: 68 },
  { name: "tq3_1s", id: 45, blck: 32, bytes: 16 },
  { name: "tq4_1s", id: 46, blck: 32, bytes: 20 },
] as const satisfies readonly GgmlTypeRow[];

export type UpstreamGgmlTypeName = (typeof UPSTREAM_GGML_TYPES)[number]["name"];
export type ForkGgmlTypeName = (typeof TURBOQUANT_GGML_TYPES)[number]["name"];

/** Upstream ids by name (derived from the table). */
export const GGML_TYPE_IDS = Object.fromEntries(UPSTREAM_GGML_TYPES.map((t) => [t.name, t.id])) as Readonly<
  Record<UpstreamGgmlTypeName, number>
>;
/** TurboQuant fork ids by name (derived from the table). */
export const TURBOQUANT_TYPE_IDS = Object.fromEntries(TURBOQUANT_GGML_TYPES.map((t) => [t.name, t.id])) as Readonly<
  Record<ForkGgmlTypeName, number>
>;

export const GGML_TYPE_NAMES = [
  ...UPSTREAM_GGML_TYPES.map((t) => t.name),
  ...TURBOQUANT_GGML_TYPES.map((t) => t.name),
] as [UpstreamGgmlTypeName | ForkGgmlTypeName, ...(UpstreamGgmlTypeName | ForkGgmlTypeName)[]];

// No zod here: the engine reads this table in the browser, where zod is loaded only to validate
// input (the enum schema is in tensor-table.ts).
export type GgmlTypeName = (typeof GGML_TYPE_NAMES)[number];

/** Every row (upstream, then fork), by name: block size and bytes of each type. */
export const GGML_TYPE_BY_NAME: ReadonlyMap<GgmlTypeName, GgmlTypeRow> = new Map(
  [...UPSTREAM_GGML_TYPES, ...TURBOQUANT_GGML_TYPES].map((t) => [t.name, t]),
);

/**
 * Name of a GGUF tensor's ggml type id. `fork = true` reads ids 42–46 as the TurboQuant fork's
 * types. Returns null for an id neither knows.
 */
export function ggmlTypeNameFromId(id: number, fork = false): GgmlTypeName | null {
  if (fork) {
    const f = TURBOQUANT_GGML_TYPES.find((t) => t.id === id);
    if (f) return f.name;
    if (id === 41) return null; // q1_0 does not exist in the fork
  }
  return UPSTREAM_GGML_TYPES.find((t) => t.id === id)?.name ?? null;
}
