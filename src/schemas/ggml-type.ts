import { z } from "zod";

/**
 * ggml tensor types by name (as `ggml_type_name` prints them, e.g. `q4_K`, `iq2_xxs`) with their
 * upstream ggml ids (memory-rules.md §5.1), plus the TurboQuant fork's types.
 *
 * Id collision (§5.1): the fork uses 42/43/44 for turbo2/3/4 and 45/46 for tq3_1s/tq4_1s, while
 * upstream uses 41 = q1_0 and 42 = q2_0. Map a GGUF id with `ggmlTypeNameFromId(id, fork)`.
 * Block sizes and bytes live in the engine (src/lib/engine/ggml-types.ts).
 */
export const GGML_TYPE_IDS = {
  f32: 0,
  f16: 1,
  q4_0: 2,
  q4_1: 3,
  q5_0: 6,
  q5_1: 7,
  q8_0: 8,
  q8_1: 9,
  q2_K: 10,
  q3_K: 11,
  q4_K: 12,
  q5_K: 13,
  q6_K: 14,
  q8_K: 15,
  iq2_xxs: 16,
  iq2_xs: 17,
  iq3_xxs: 18,
  iq1_s: 19,
  iq4_nl: 20,
  iq3_s: 21,
  iq2_s: 22,
  iq4_xs: 23,
  i8: 24,
  i16: 25,
  i32: 26,
  i64: 27,
  f64: 28,
  iq1_m: 29,
  bf16: 30,
  tq1_0: 34,
  tq2_0: 35,
  mxfp4: 39,
  nvfp4: 40,
  q1_0: 41,
  q2_0: 42,
} as const;

/** TurboQuant fork type ids (`TheTom/llama-cpp-turboquant`). */
export const TURBOQUANT_TYPE_IDS = {
  turbo2: 42,
  turbo3: 43,
  turbo4: 44,
  tq3_1s: 45,
  tq4_1s: 46,
} as const;

export type UpstreamGgmlTypeName = keyof typeof GGML_TYPE_IDS;
export type ForkGgmlTypeName = keyof typeof TURBOQUANT_TYPE_IDS;

export const GGML_TYPE_NAMES = [
  ...(Object.keys(GGML_TYPE_IDS) as UpstreamGgmlTypeName[]),
  ...(Object.keys(TURBOQUANT_TYPE_IDS) as ForkGgmlTypeName[]),
] as [UpstreamGgmlTypeName | ForkGgmlTypeName, ...(UpstreamGgmlTypeName | ForkGgmlTypeName)[]];

export const GgmlTypeNameSchema = z.enum(GGML_TYPE_NAMES);
export type GgmlTypeName = z.infer<typeof GgmlTypeNameSchema>;

/**
 * Name of a GGUF tensor's ggml type id. `fork = true` reads ids 42–46 as the TurboQuant fork's
 * types. Returns null for an id neither knows.
 */
export function ggmlTypeNameFromId(id: number, fork = false): GgmlTypeName | null {
  if (fork) {
    for (const [name, v] of Object.entries(TURBOQUANT_TYPE_IDS)) if (v === id) return name as GgmlTypeName;
    if (id === 41) return null; // q1_0 does not exist in the fork
  }
  for (const [name, v] of Object.entries(GGML_TYPE_IDS)) if (v === id) return name as GgmlTypeName;
  return null;
}
