/**
 * A small, real GGUF v3 writer for tests: magic, version 3, tensor and KV counts, typed metadata
 * (scalars and arrays), tensor infos with ggml type ids, and an aligned data section. Tensor data
 * is zeros: the file is extended with ftruncate, so big tensors cost no disk (sparse file) while
 * llama.cpp, which mmaps the file and checks every tensor lies inside it, still loads it.
 *
 * Layout follows ggml's gguf.c writer: every tensor offset is the running sum of the previous
 * tensors' sizes each padded to `general.alignment` (default 32); the data section starts at the
 * header end padded to the same alignment, and the file ends padded too.
 */
import { open } from "node:fs/promises";
import { ggmlTensorBytes, ggmlTypeById, ggmlTypeByName } from "../../src/lib/gguf/ggml-types.ts";
import type { GgmlTypeInfo } from "../../src/lib/gguf/ggml-types.ts";

/** GGUF metadata value types (gguf.h `enum gguf_type`). */
export const GGUF_VALUE_TYPE = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufScalarType = Exclude<keyof typeof GGUF_VALUE_TYPE, "array">;
export type GgufScalar = number | bigint | boolean | string;

export type GgufKv =
  { type: GgufScalarType; value: GgufScalar } | { type: "array"; itemType: GgufScalarType; value: GgufScalar[] };

/** Typed metadata constructors: `kv.u32(40)`, `kv.f32(1e-6)`, `kv.arr.i32([8, 0, 8])`. */
export const kv = {
  u8: (v: number): GgufKv => ({ type: "u8", value: v }),
  i8: (v: number): GgufKv => ({ type: "i8", value: v }),
  u16: (v: number): GgufKv => ({ type: "u16", value: v }),
  i16: (v: number): GgufKv => ({ type: "i16", value: v }),
  u32: (v: number): GgufKv => ({ type: "u32", value: v }),
  i32: (v: number): GgufKv => ({ type: "i32", value: v }),
  f32: (v: number): GgufKv => ({ type: "f32", value: v }),
  f64: (v: number): GgufKv => ({ type: "f64", value: v }),
  u64: (v: number | bigint): GgufKv => ({ type: "u64", value: v }),
  i64: (v: number | bigint): GgufKv => ({ type: "i64", value: v }),
  bool: (v: boolean): GgufKv => ({ type: "bool", value: v }),
  str: (v: string): GgufKv => ({ type: "string", value: v }),
  arr: {
    u8: (v: number[]): GgufKv => ({ type: "array", itemType: "u8", value: v }),
    u32: (v: number[]): GgufKv => ({ type: "array", itemType: "u32", value: v }),
    i32: (v: number[]): GgufKv => ({ type: "array", itemType: "i32", value: v }),
    u64: (v: (number | bigint)[]): GgufKv => ({ type: "array", itemType: "u64", value: v }),
    f32: (v: number[]): GgufKv => ({ type: "array", itemType: "f32", value: v }),
    bool: (v: boolean[]): GgufKv => ({ type: "array", itemType: "bool", value: v }),
    str: (v: string[]): GgufKv => ({ type: "array", itemType: "string", value: v }),
  },
};

export interface GgufTensorSpec {
  name: string;
  /** ggml order: ne0 (the contiguous row) first. */
  shape: readonly number[];
  /** ggml type name (`f32`, `F16`, `q8_0`) or id. */
  type: string | number;
}

export interface GgufFileSpec {
  metadata: Record<string, GgufKv>;
  tensors: readonly GgufTensorSpec[];
}

export interface GgufLayout {
  /** Header bytes, already padded to the alignment (the data section starts right after). */
  header: Uint8Array;
  alignment: number;
  /** Absolute file offset of the data section. */
  dataOffset: number;
  /** Per tensor: offset relative to the data section and exact `ggml_nbytes`. */
  tensors: { name: string; type: GgmlTypeInfo; shape: number[]; offset: bigint; bytes: bigint }[];
  /** Σ exact tensor bytes (what llama.cpp calls the model size). */
  tensorBytes: bigint;
  /** Size of the whole file. */
  fileSize: bigint;
}

class ByteSink {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  i8(v: number) {
    this.ensure(1);
    this.view.setInt8(this.length, v);
    this.length += 1;
  }
  u16(v: number) {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  i16(v: number) {
    this.ensure(2);
    this.view.setInt16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number) {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  i32(v: number) {
    this.ensure(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  f32(v: number) {
    this.ensure(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  f64(v: number) {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  u64(v: number | bigint) {
    this.ensure(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  i64(v: number | bigint) {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt(v), true);
    this.length += 8;
  }
  bytes(b: Uint8Array) {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  string(s: string) {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  zeros(n: number) {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function checkInt(key: string, v: GgufScalar, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi)
    throw new Error(`metadata ${key}: ${String(v)} is not an integer in [${lo}, ${hi}]`);
  return v;
}

function writeScalar(out: ByteSink, key: string, type: GgufScalarType, v: GgufScalar): void {
  switch (type) {
    case "u8":
      return out.u8(checkInt(key, v, 0, 0xff));
    case "i8":
      return out.i8(checkInt(key, v, -0x80, 0x7f));
    case "u16":
      return out.u16(checkInt(key, v, 0, 0xffff));
    case "i16":
      return out.i16(checkInt(key, v, -0x8000, 0x7fff));
    case "u32":
      return out.u32(checkInt(key, v, 0, 0xffffffff));
    case "i32":
      return out.i32(checkInt(key, v, -0x80000000, 0x7fffffff));
    case "f32":
    case "f64":
      if (typeof v !== "number") throw new Error(`metadata ${key}: ${String(v)} is not a number`);
      return type === "f32" ? out.f32(v) : out.f64(v);
    case "u64":
    case "i64":
      if (typeof v !== "number" && typeof v !== "bigint")
        throw new Error(`metadata ${key}: ${String(v)} is not an integer`);
      return type === "u64" ? out.u64(v) : out.i64(v);
    case "bool":
      if (typeof v !== "boolean") throw new Error(`metadata ${key}: ${String(v)} is not a boolean`);
      return out.u8(v ? 1 : 0);
    case "string":
      if (typeof v !== "string") throw new Error(`metadata ${key}: ${String(v)} is not a string`);
      return out.string(v);
  }
}

const pad = (x: bigint, n: bigint): bigint => ((x + n - 1n) / n) * n;

function resolveType(t: string | number): GgmlTypeInfo {
  return typeof t === "number" ? ggmlTypeById(t) : ggmlTypeByName(t);
}

/** Encode the header (metadata + tensor infos, padded) and compute the data layout. */
export function layoutGguf(spec: GgufFileSpec): GgufLayout {
  const align = spec.metadata["general.alignment"];
  let alignment = 32;
  if (align !== undefined) {
    if (align.type !== "u32" || typeof align.value !== "number")
      throw new Error("metadata general.alignment must be a u32");
    alignment = align.value;
    if (alignment <= 0 || alignment % 8 !== 0)
      throw new Error(`general.alignment ${alignment} must be a positive multiple of 8`);
  }
  const al = BigInt(alignment);

  const names = new Set<string>();
  let running = 0n;
  const tensors = spec.tensors.map((t) => {
    if (names.has(t.name)) throw new Error(`duplicate tensor name ${t.name}`);
    names.add(t.name);
    if (t.shape.length < 1 || t.shape.length > 4)
      throw new Error(`tensor ${t.name}: ${t.shape.length} dimensions (ggml allows 1–4)`);
    for (const d of t.shape) if (!Number.isInteger(d) || d < 1) throw new Error(`tensor ${t.name}: bad dimension ${d}`);
    const type = resolveType(t.type);
    const bytes = ggmlTensorBytes(type, t.shape);
    const offset = running;
    running = pad(offset + bytes, al);
    return { name: t.name, type, shape: [...t.shape], offset, bytes };
  });

  const out = new ByteSink();
  out.bytes(new Uint8Array([0x47, 0x47, 0x55, 0x46])); // "GGUF"
  out.u32(3);
  out.u64(tensors.length);
  out.u64(Object.keys(spec.metadata).length);
  for (const [key, entry] of Object.entries(spec.metadata)) {
    out.string(key);
    if (entry.type === "array") {
      out.u32(GGUF_VALUE_TYPE.array);
      out.u32(GGUF_VALUE_TYPE[entry.itemType]);
      out.u64(entry.value.length);
      for (const v of entry.value) writeScalar(out, key, entry.itemType, v);
    } else {
      out.u32(GGUF_VALUE_TYPE[entry.type]);
      writeScalar(out, key, entry.type, entry.value);
    }
  }
  for (const t of tensors) {
    out.string(t.name);
    out.u32(t.shape.length);
    for (const d of t.shape) out.u64(d);
    out.u32(t.type.id);
    out.u64(t.offset);
  }
  const dataOffset = Number(pad(BigInt(out.length), al));
  out.zeros(dataOffset - out.length);

  const tensorBytes = tensors.reduce((s, t) => s + t.bytes, 0n);
  return {
    header: out.result(),
    alignment,
    dataOffset,
    tensors,
    tensorBytes,
    fileSize: BigInt(dataOffset) + running,
  };
}

/**
 * Write a GGUF file whose tensor data is all zeros (a sparse tail made with ftruncate).
 * Returns the layout, so tests can compare what a reader finds with what was written.
 */
export async function writeGguf(path: string, spec: GgufFileSpec): Promise<GgufLayout> {
  const layout = layoutGguf(spec);
  const fh = await open(path, "w");
  try {
    await fh.write(layout.header, 0, layout.header.length, 0);
    await fh.truncate(Number(layout.fileSize));
  } finally {
    await fh.close();
  }
  return layout;
}

/** Encode the whole file in memory (header + zero data); for small files and Blob tests. */
export function encodeGguf(spec: GgufFileSpec): { bytes: Uint8Array<ArrayBuffer>; layout: GgufLayout } {
  const layout = layoutGguf(spec);
  if (layout.fileSize > 256n * 1024n * 1024n)
    throw new Error(`encodeGguf: ${layout.fileSize} B is too large to build in memory`);
  const bytes = new Uint8Array(Number(layout.fileSize));
  bytes.set(layout.header, 0);
  return { bytes, layout };
}
