import type { GgmlTypeName } from "../../schemas/ggml-type.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { EngineProfile } from "../../schemas/runtime-config.ts";
import { EngineError } from "./errors.ts";

/** Block size (values per block) and bytes per block of a ggml type (memory-rules.md §5.1, §10.2). */
export interface TypeTraits {
  readonly blck: number;
  readonly bytes: number;
}

/** Upstream ggml `type_traits[]` (plus the fork's weight types tq3_1s / tq4_1s). */
export const GGML_TYPE_TRAITS: Readonly<Record<GgmlTypeName, TypeTraits>> = {
  f32: { blck: 1, bytes: 4 },
  f16: { blck: 1, bytes: 2 },
  bf16: { blck: 1, bytes: 2 },
  f64: { blck: 1, bytes: 8 },
  i8: { blck: 1, bytes: 1 },
  i16: { blck: 1, bytes: 2 },
  i32: { blck: 1, bytes: 4 },
  i64: { blck: 1, bytes: 8 },
  q4_0: { blck: 32, bytes: 18 },
  q4_1: { blck: 32, bytes: 20 },
  q5_0: { blck: 32, bytes: 22 },
  q5_1: { blck: 32, bytes: 24 },
  q8_0: { blck: 32, bytes: 34 },
  q8_1: { blck: 32, bytes: 36 },
  iq4_nl: { blck: 32, bytes: 18 },
  mxfp4: { blck: 32, bytes: 17 },
  nvfp4: { blck: 64, bytes: 36 },
  q1_0: { blck: 128, bytes: 18 },
  q2_0: { blck: 64, bytes: 18 },
  q2_K: { blck: 256, bytes: 84 },
  q3_K: { blck: 256, bytes: 110 },
  q4_K: { blck: 256, bytes: 144 },
  q5_K: { blck: 256, bytes: 176 },
  q6_K: { blck: 256, bytes: 210 },
  q8_K: { blck: 256, bytes: 292 },
  iq2_xxs: { blck: 256, bytes: 66 },
  iq2_xs: { blck: 256, bytes: 74 },
  iq2_s: { blck: 256, bytes: 82 },
  iq3_xxs: { blck: 256, bytes: 98 },
  iq3_s: { blck: 256, bytes: 110 },
  iq1_s: { blck: 256, bytes: 50 },
  iq1_m: { blck: 256, bytes: 56 },
  iq4_xs: { blck: 256, bytes: 136 },
  tq1_0: { blck: 256, bytes: 54 },
  tq2_0: { blck: 256, bytes: 66 },
  // TurboQuant fork (§10.2, revision 2026-05); KV use goes through kvTypeTraits.
  turbo2: { blck: 128, bytes: 34 },
  turbo3: { blck: 128, bytes: 50 },
  turbo4: { blck: 128, bytes: 68 },
  tq3_1s: { blck: 32, bytes: 16 },
  tq4_1s: { blck: 32, bytes: 20 },
};

/** TurboQuant layouts of the 2026-03 build (§10.3): turbo3 14 B / 32, turbo2 10 B / 32. */
const TURBO_2026_03: Partial<Record<KvType, TypeTraits>> = {
  turbo2: { blck: 32, bytes: 10 },
  turbo3: { blck: 32, bytes: 14 },
  turbo4: { blck: 128, bytes: 68 },
};

/** Traits of a KV cache type under an engine profile (turbo layouts depend on the fork revision). */
export function kvTypeTraits(t: KvType, profile: EngineProfile): TypeTraits {
  if (profile.name === "turboquant" && profile.revision === "2026-03") {
    const old = TURBO_2026_03[t];
    if (old) return old;
  }
  return GGML_TYPE_TRAITS[t];
}

/** `ggml_row_size`: bytes of n values of a type; n must be a multiple of the block size. */
export function rowBytes(tr: TypeTraits, n: number, what: string, typeName: string): number {
  if (n % tr.blck !== 0)
    throw new EngineError(
      "block-size",
      `${what}: row of ${n} values is not a multiple of ${typeName}'s block size ${tr.blck}`,
    );
  return (n / tr.blck) * tr.bytes;
}

/** True for ggml types that are block-quantized (block size > 1). */
export function isQuantizedGgml(t: GgmlTypeName): boolean {
  return GGML_TYPE_TRAITS[t].blck > 1;
}
