/** The GGUF header as read, before any mapping (docs/memory-model.md#weights-tensor-table). */

/** GGUF value types (`enum gguf_type`). */
export const GGUF_TYPE_NAMES = [
  "u8",
  "i8",
  "u16",
  "i16",
  "u32",
  "i32",
  "f32",
  "bool",
  "string",
  "array",
  "u64",
  "i64",
  "f64",
] as const;
export type GgufTypeName = (typeof GGUF_TYPE_NAMES)[number];

/** u64/i64 become numbers when they fit in 2^53, bigint otherwise. */
export type GgufValue = number | bigint | string | boolean | GgufValue[];

export interface GgufKvType {
  type: GgufTypeName;
  /** Element type of an array. */
  itemType?: GgufTypeName;
}

export interface GgufRawTensorInfo {
  name: string;
  shape: number[];
  typeId: number;
  offset: number;
}

export interface GgufRawHeader {
  version: number;
  metadata: Record<string, GgufValue>;
  types: Record<string, GgufKvType>;
  tensorInfos: GgufRawTensorInfo[];
  /** Offset where tensor infos end (before padding). */
  headerEnd: number;
}

/** Reads byte ranges [start, end) of the file; may return fewer bytes only at end of file. */
export interface RangeSource {
  /** Total size when known (a Blob, a Content-Range). */
  size: number | null;
  read(start: number, end: number): Promise<Uint8Array>;
}

export class GgufParseError extends Error {}
