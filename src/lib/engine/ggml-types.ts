import { GGML_TYPE_BY_NAME } from "../../schemas/ggml-type.ts";
import type { GgmlTypeName } from "../../schemas/ggml-type.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import type { EngineProfile } from "../../schemas/runtime-config.ts";
import { EngineError } from "./errors.ts";

/** Block size (values per block) and bytes per block of a ggml type (docs/memory-model.md#ggml-type-sizes, #turboquant-layouts). */
export interface TypeTraits {
  readonly blck: number;
  readonly bytes: number;
}

/**
 * `type_traits[]` by name: a view of the project's one type table (src/schemas/ggml-type.ts),
 * upstream types plus the TurboQuant fork's (current layouts; KV use goes through kvTypeTraits).
 */
export const GGML_TYPE_TRAITS: Readonly<Record<GgmlTypeName, TypeTraits>> = Object.fromEntries(
  [...GGML_TYPE_BY_NAME].map(([name, t]) => [name, { blck: t.blck, bytes: t.bytes }]),
) as Record<GgmlTypeName, TypeTraits>;

/** TurboQuant layouts of the 2026-03 build (docs/memory-model.md#turboquant-layouts): turbo3 14 B / 32, turbo2 10 B / 32. */
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
