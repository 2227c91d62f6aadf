import { UPSTREAM_GGML_TYPES } from "../../schemas/ggml-type.ts";

/**
 * ggml tensor element types as they appear in GGUF tensor infos: the upstream rows of the
 * project's one type table (src/schemas/ggml-type.ts, llama.cpp de3ff81). The GGUF reader knows
 * upstream ids only; ids 42–46 of the TurboQuant fork collide (docs/memory-model.md#ggml-type-sizes) and a tensor
 * of an unknown id is an error.
 */
export interface GgmlTypeInfo {
  /** ggml enum value, as stored in a GGUF tensor info. */
  id: number;
  /** Name as llama.cpp prints it (`ggml_type_name`). */
  name: string;
  /** Values per block. */
  blck: number;
  /** Bytes per block. */
  typeSize: number;
}

const TABLE: readonly GgmlTypeInfo[] = UPSTREAM_GGML_TYPES.map((t) => ({
  id: t.id,
  name: t.name,
  blck: t.blck,
  typeSize: t.bytes,
}));

const BY_ID = new Map<number, GgmlTypeInfo>(TABLE.map((t) => [t.id, t]));
const BY_NAME = new Map<string, GgmlTypeInfo>(TABLE.map((t) => [t.name.toLowerCase(), t]));

export const GGML_TYPES: readonly GgmlTypeInfo[] = TABLE;

/** Type info by ggml id; throws naming the id when it is not an upstream type. */
export function ggmlTypeById(id: number): GgmlTypeInfo {
  const t = BY_ID.get(id);
  if (!t) throw new Error(`unknown ggml tensor type id ${id} (not an upstream llama.cpp type)`);
  return t;
}

/** Type info by name, case-insensitive (`Q8_0`, `q8_0`, `q4_K`). */
export function ggmlTypeByName(name: string): GgmlTypeInfo {
  const t = BY_NAME.get(name.toLowerCase());
  if (!t) throw new Error(`unknown ggml type "${name}"`);
  return t;
}

/**
 * Bytes of a contiguous tensor: `ne0 / blck × type_size × ne1 × ne2 × …` (`ggml_nbytes`).
 * ne0 must be a multiple of the block size, as ggml requires for row storage.
 */
export function ggmlTensorBytes(type: GgmlTypeInfo, shape: readonly (number | bigint)[]): bigint {
  if (shape.length === 0) return BigInt(type.typeSize);
  const ne0 = BigInt(shape[0]);
  const blck = BigInt(type.blck);
  if (ne0 % blck !== 0n)
    throw new Error(`tensor row of ${ne0} values is not a multiple of the ${type.name} block size ${type.blck}`);
  let bytes = (ne0 / blck) * BigInt(type.typeSize);
  for (let i = 1; i < shape.length; i++) bytes *= BigInt(shape[i]);
  return bytes;
}
