/**
 * ggml tensor element types as they appear in GGUF tensor infos (`ggml/include/ggml.h`
 * `enum ggml_type`, block sizes and bytes from `ggml/src/ggml.c` `type_traits[]`, upstream
 * llama.cpp de3ff81). Ids 4, 5 and 31–33, 36–38 were removed upstream and are unknown here.
 *
 * Ids 42–46 collide with the TurboQuant fork (memory-rules.md §5.1): upstream 42 is `q2_0`,
 * in the fork it is `turbo2`. This table is upstream's; a tensor of an unknown id is an error.
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

const TABLE: readonly GgmlTypeInfo[] = [
  { id: 0, name: "f32", blck: 1, typeSize: 4 },
  { id: 1, name: "f16", blck: 1, typeSize: 2 },
  { id: 2, name: "q4_0", blck: 32, typeSize: 18 },
  { id: 3, name: "q4_1", blck: 32, typeSize: 20 },
  { id: 6, name: "q5_0", blck: 32, typeSize: 22 },
  { id: 7, name: "q5_1", blck: 32, typeSize: 24 },
  { id: 8, name: "q8_0", blck: 32, typeSize: 34 },
  { id: 9, name: "q8_1", blck: 32, typeSize: 36 },
  { id: 10, name: "q2_K", blck: 256, typeSize: 84 },
  { id: 11, name: "q3_K", blck: 256, typeSize: 110 },
  { id: 12, name: "q4_K", blck: 256, typeSize: 144 },
  { id: 13, name: "q5_K", blck: 256, typeSize: 176 },
  { id: 14, name: "q6_K", blck: 256, typeSize: 210 },
  { id: 15, name: "q8_K", blck: 256, typeSize: 292 },
  { id: 16, name: "iq2_xxs", blck: 256, typeSize: 66 },
  { id: 17, name: "iq2_xs", blck: 256, typeSize: 74 },
  { id: 18, name: "iq3_xxs", blck: 256, typeSize: 98 },
  { id: 19, name: "iq1_s", blck: 256, typeSize: 50 },
  { id: 20, name: "iq4_nl", blck: 32, typeSize: 18 },
  { id: 21, name: "iq3_s", blck: 256, typeSize: 110 },
  { id: 22, name: "iq2_s", blck: 256, typeSize: 82 },
  { id: 23, name: "iq4_xs", blck: 256, typeSize: 136 },
  { id: 24, name: "i8", blck: 1, typeSize: 1 },
  { id: 25, name: "i16", blck: 1, typeSize: 2 },
  { id: 26, name: "i32", blck: 1, typeSize: 4 },
  { id: 27, name: "i64", blck: 1, typeSize: 8 },
  { id: 28, name: "f64", blck: 1, typeSize: 8 },
  { id: 29, name: "iq1_m", blck: 256, typeSize: 56 },
  { id: 30, name: "bf16", blck: 1, typeSize: 2 },
  { id: 34, name: "tq1_0", blck: 256, typeSize: 54 },
  { id: 35, name: "tq2_0", blck: 256, typeSize: 66 },
  { id: 39, name: "mxfp4", blck: 32, typeSize: 17 },
  { id: 40, name: "nvfp4", blck: 64, typeSize: 36 },
  { id: 41, name: "q1_0", blck: 128, typeSize: 18 },
  { id: 42, name: "q2_0", blck: 64, typeSize: 18 },
];

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
