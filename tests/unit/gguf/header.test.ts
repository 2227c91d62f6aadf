/**
 * GGUF header reading: a file written by the test writer round-trips through the reader
 * (metadata, value types, tensor infos, exact tensor bytes), from a path, a Blob and an HTTP URL
 * with range requests; @huggingface/gguf reads the same files as an independent check; large
 * headers cost at most the header plus one read chunk; bad input is refused with a reason.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { mkdtemp, open, readFile, rm, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gguf } from "@huggingface/gguf";
import {
  GgufReadError,
  READ_CHUNK,
  readGgufHeaderFromBlob,
  readGgufHeaderFromUrl,
} from "../../../src/lib/gguf/header.ts";
import { readGgufHeaderFromPath } from "../../../src/lib/gguf/node.ts";
import { ggmlTensorBytes, ggmlTypeById, ggmlTypeByName } from "../../../src/lib/gguf/ggml-types.ts";
import { encodeGguf, kv, layoutGguf, writeGguf } from "../../helpers/gguf-writer.ts";
import type { GgufFileSpec } from "../../helpers/gguf-writer.ts";
import { qwen3Model, tinyVocab } from "../../helpers/gguf-models.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "gguf-header-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every metadata value type, arrays of each kind, and tensors of several ggml types. */
const SPEC: GgufFileSpec = {
  metadata: {
    "general.architecture": kv.str("qwen3"),
    "general.name": kv.str("round trip ✓ ünïcode"),
    "general.alignment": kv.u32(64),
    "t.u8": kv.u8(255),
    "t.i8": kv.i8(-128),
    "t.u16": kv.u16(65535),
    "t.i16": kv.i16(-32768),
    "t.u32": kv.u32(4294967295),
    "t.i32": kv.i32(-2147483648),
    "t.f32": kv.f32(0.1),
    "t.f64": kv.f64(0.1),
    "t.bool": kv.bool(true),
    "t.u64.small": kv.u64(123456789012),
    "t.u64.big": kv.u64(18446744073709551615n),
    "t.i64": kv.i64(-9007199254740991),
    "t.arr.str": kv.arr.str(["", "a", "▁hello", "🦙"]),
    "t.arr.i32": kv.arr.i32([8, 0, -1, 8]),
    "t.arr.u32": kv.arr.u32([1, 2, 3]),
    "t.arr.f32": kv.arr.f32([1.5, -2.25]),
    "t.arr.bool": kv.arr.bool([true, false, true]),
    "t.arr.u64": kv.arr.u64([1, 2n ** 60n]),
    "t.arr.empty": kv.arr.u32([]),
  },
  tensors: [
    { name: "a.f32", shape: [7], type: "f32" },
    { name: "b.f16", shape: [64, 3], type: "f16" },
    { name: "c.q8_0", shape: [64, 3], type: "q8_0" },
    { name: "d.q4_K", shape: [256, 2], type: "Q4_K" },
    { name: "e.q6_K", shape: [512, 3, 2], type: 14 },
    { name: "f.iq4_xs", shape: [256, 5], type: "iq4_xs" },
    { name: "g.bf16", shape: [3, 5, 7, 2], type: "bf16" },
    { name: "h.mxfp4", shape: [32, 4], type: "mxfp4" },
  ],
};

/** Bytes by hand: ne0 / block × bytes per block × the other dims. */
const EXPECTED_BYTES: Record<string, number> = {
  "a.f32": 7 * 4,
  "b.f16": 64 * 3 * 2,
  "c.q8_0": (64 / 32) * 34 * 3,
  "d.q4_K": (256 / 256) * 144 * 2,
  "e.q6_K": (512 / 256) * 210 * 3 * 2,
  "f.iq4_xs": 136 * 5,
  "g.bf16": 3 * 5 * 7 * 2 * 2,
  "h.mxfp4": 17 * 4,
};

function checkHeader(h: Awaited<ReturnType<typeof readGgufHeaderFromPath>>): void {
  const m = h.metadata;
  assert.equal(h.version, 3);
  assert.equal(m["general.name"], "round trip ✓ ünïcode");
  assert.equal(m["t.u8"], 255);
  assert.equal(m["t.i8"], -128);
  assert.equal(m["t.u16"], 65535);
  assert.equal(m["t.i16"], -32768);
  assert.equal(m["t.u32"], 4294967295);
  assert.equal(m["t.i32"], -2147483648);
  assert.equal(m["t.f32"], Math.fround(0.1));
  assert.equal(m["t.f64"], 0.1);
  assert.equal(m["t.bool"], true);
  assert.equal(m["t.u64.small"], 123456789012);
  assert.equal(m["t.u64.big"], 18446744073709551615n);
  assert.equal(m["t.i64"], -9007199254740991);
  assert.deepEqual(m["t.arr.str"], ["", "a", "▁hello", "🦙"]);
  assert.deepEqual(m["t.arr.i32"], [8, 0, -1, 8]);
  assert.deepEqual(m["t.arr.u32"], [1, 2, 3]);
  assert.deepEqual(m["t.arr.f32"], [1.5, -2.25]);
  assert.deepEqual(m["t.arr.bool"], [true, false, true]);
  assert.deepEqual(m["t.arr.u64"], [1, 2n ** 60n]);
  assert.deepEqual(m["t.arr.empty"], []);
  assert.deepEqual(h.types["t.arr.i32"], { type: "array", itemType: "i32" });
  assert.deepEqual(h.types["t.f64"], { type: "f64" });
  assert.equal(h.alignment, 64);
  assert.equal(h.dataOffset % 64, 0);
  assert.deepEqual(
    h.tensors.map((t) => [t.name, t.type, t.shape, t.bytes]),
    SPEC.tensors.map((t) => [
      t.name,
      ggmlTypeByName(String(typeof t.type === "number" ? ggmlTypeById(t.type).name : t.type)).name,
      t.shape,
      EXPECTED_BYTES[t.name],
    ]),
  );
  // offsets: running sum of sizes padded to the 64-byte alignment
  let off = 0;
  for (const t of h.tensors) {
    assert.equal(t.offset, off, `offset of ${t.name}`);
    off += Math.ceil(EXPECTED_BYTES[t.name] / 64) * 64;
  }
  const sum = Object.values(EXPECTED_BYTES).reduce((a, b) => a + b, 0);
  assert.equal(h.tensorBytes, sum);
  assert.equal(h.nParams, 7 + 192 + 192 + 512 + 3072 + 1280 + 210 + 128);
}

describe("GGUF header round trip: path, Blob and the reference parser", () => {
  test("ggml type sizes (#ggml-type-sizes) and row divisibility", () => {
    assert.equal(ggmlTensorBytes(ggmlTypeByName("q8_0"), [4096, 10]), 4352n * 10n);
    assert.equal(ggmlTensorBytes(ggmlTypeByName("q4_0"), [128]), 72n);
    assert.equal(ggmlTensorBytes(ggmlTypeByName("q5_K"), [5120, 2]), 3520n * 2n);
    assert.equal(ggmlTensorBytes(ggmlTypeByName("iq2_xxs"), [256]), 66n);
    assert.throws(() => ggmlTensorBytes(ggmlTypeByName("q8_0"), [80]), /multiple of the q8_0 block size 32/);
    assert.throws(() => ggmlTypeById(4), /unknown ggml tensor type id 4/);
  });

  test("path: metadata, value types, tensor infos and exact bytes", async () => {
    const path = join(dir, "rt.gguf");
    const layout = await writeGguf(path, SPEC);
    const h = await readGgufHeaderFromPath(path);
    checkHeader(h);
    assert.equal(h.dataOffset, layout.dataOffset);
    assert.equal(h.fileSize, Number(layout.fileSize));
    assert.equal((await stat(path)).size, Number(layout.fileSize));
    assert.equal(h.source, path);
  });

  test("@huggingface/gguf reads the writer's file the same way", async () => {
    const path = join(dir, "rt-hf.gguf");
    await writeGguf(path, SPEC);
    const ours = await readGgufHeaderFromPath(path);
    const hf = await gguf(path, { allowLocalFile: true });
    assert.equal(Number(hf.tensorDataOffset), ours.dataOffset);
    assert.deepEqual(
      hf.tensorInfos.map((t) => [t.name, t.shape.map(Number), Number(t.dtype), Number(t.offset)]),
      ours.tensors.map((t) => [t.name, t.shape, t.typeId, t.offset]),
    );
    const hm = hf.metadata as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(ours.metadata)) {
      const theirs = hm[k];
      const norm = (x: unknown): unknown =>
        typeof x === "bigint" && x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= -BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(x)
          : Array.isArray(x)
            ? x.map(norm)
            : x;
      assert.deepEqual(norm(theirs), v, `key ${k}`);
    }
  });

  test("Blob: the in-memory file reads back identically", async () => {
    const { bytes, layout } = encodeGguf(SPEC);
    const h = await readGgufHeaderFromBlob(new Blob([bytes]), "memory.gguf");
    checkHeader(h);
    assert.equal(h.dataOffset, layout.dataOffset);
    assert.equal(h.fileSize, bytes.length);
    assert.equal(h.source, "memory.gguf");
  });
});

describe("GGUF header round trip over HTTP range requests", () => {
  let server: Server;
  let base: string;
  let file: Buffer;
  let ranges: string[];
  before(async () => {
    const path = join(dir, "http.gguf");
    await writeGguf(path, SPEC);
    file = await readFile(path);
    ranges = [];
    server = createServer((req, res) => {
      const range = req.headers.range;
      if (req.url === "/norange.gguf" || !range) {
        res.writeHead(200, { "Content-Length": file.length });
        res.end(file);
        return;
      }
      ranges.push(range);
      const m = /^bytes=(\d+)-(\d+)$/.exec(range)!;
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), file.length - 1);
      res.writeHead(206, {
        "Content-Range": `bytes ${start}-${end}/${file.length}`,
        "Content-Length": end - start + 1,
      });
      res.end(file.subarray(start, end + 1));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test("reads the header with Range requests only", async () => {
    const h = await readGgufHeaderFromUrl(`${base}/model.gguf`);
    checkHeader(h);
    assert.equal(h.fileSize, file.length);
    assert.ok(ranges.length >= 1 && ranges.every((r) => r.startsWith("bytes=")));
  });

  test("refuses a server that ignores Range instead of downloading the file", async () => {
    await assert.rejects(readGgufHeaderFromUrl(`${base}/norange.gguf`), /ignored the Range request/);
  });

  test("an HTTP error names the status", async () => {
    const failing: typeof fetch = async () => new Response("nope", { status: 404, statusText: "Not Found" });
    await assert.rejects(readGgufHeaderFromUrl(`${base}/x.gguf`, { fetch: failing }), /HTTP 404/);
  });
});

describe("GGUF header: a sparse 10 GB file", () => {
  test("a 10 GB sparse file with a 100k-token vocabulary: header plus at most one chunk read", async () => {
    const tiny = qwen3Model({ nVocab: 100_000, nEmbd: 5120, nLayer: 8, nHead: 40, nHeadKv: 8, nFf: 17408 });
    // pad the weights up to ~10 GB with one big tensor (zeros, never written: a sparse file)
    tiny.tensors = [...tiny.tensors, { name: "pad.weight", shape: [5120, 5120, 320], type: "f16" }];
    const path = join(dir, "big.gguf");
    const layout = await writeGguf(path, tiny);
    assert.ok(layout.fileSize > 10_000_000_000n, `file is ${layout.fileSize} B`);
    const h = await readGgufHeaderFromPath(path);
    assert.equal(h.fileSize, Number(layout.fileSize));
    assert.ok(h.dataOffset > READ_CHUNK / 2, `header of ${h.dataOffset} B spans more than one chunk`);
    assert.ok(
      h.bytesRead <= h.dataOffset + READ_CHUNK,
      `read ${h.bytesRead} B for a ${h.dataOffset} B header (chunk ${READ_CHUNK})`,
    );
    assert.equal((h.metadata["tokenizer.ggml.tokens"] as string[]).length, 100_000);
    assert.equal(h.tensorBytes, Number(layout.tensorBytes));
  });
});

describe("GGUF header: bad input is refused with a reason", () => {
  test("not a GGUF file", async () => {
    const path = join(dir, "notgguf.bin");
    const fh = await open(path, "w");
    await fh.write(Buffer.from("PK\u0003\u0004 this is a zip file, not a model......."));
    await fh.close();
    await assert.rejects(readGgufHeaderFromPath(path), (e: Error) => {
      assert.ok(e instanceof GgufReadError);
      assert.match(e.message, /notgguf\.bin: not a GGUF file/);
      return true;
    });
  });

  test("missing file", async () => {
    await assert.rejects(readGgufHeaderFromPath(join(dir, "nope.gguf")), /nope\.gguf: cannot open \(ENOENT\)/);
  });

  test("header cut short", async () => {
    const { bytes } = encodeGguf({ metadata: tinyVocab(300), tensors: [] });
    const cut = bytes.slice(0, 2000);
    await assert.rejects(readGgufHeaderFromBlob(new Blob([cut]), "cut.gguf"), /cut\.gguf: header truncated/);
  });

  test("unsupported version", async () => {
    const { bytes } = encodeGguf({ metadata: {}, tensors: [] });
    const b = bytes.slice();
    new DataView(b.buffer).setUint32(4, 7, true);
    await assert.rejects(readGgufHeaderFromBlob(new Blob([b]), "v7.gguf"), /unsupported GGUF version 7/);
  });

  test("a tensor type upstream llama.cpp does not know", async () => {
    const spec: GgufFileSpec = { metadata: {}, tensors: [{ name: "weird.weight", shape: [32, 2], type: "q8_0" }] };
    const { bytes } = encodeGguf(spec);
    const b = bytes.slice();
    const name = new TextEncoder().encode("weird.weight");
    const at = Buffer.from(b).indexOf(Buffer.from(name)) + name.length + 4 + 2 * 8;
    new DataView(b.buffer).setUint32(at, 45, true); // TurboQuant fork's tq3_1s
    await assert.rejects(
      readGgufHeaderFromBlob(new Blob([b]), "fork.gguf"),
      /fork\.gguf: tensor weird\.weight has ggml type id 45, unknown to upstream llama\.cpp/,
    );
  });
});

describe("GGUF header: malformed strings and specs", () => {
  test("string arrays with malformed UTF-8 decode string by string (no shifted pieces)", async () => {
    const { bytes } = encodeGguf({
      metadata: { "t.tokens": kv.arr.str(["ab", "\u20ac", "Xd", "ef"]) },
      tensors: [],
    });
    const b = bytes.slice();
    // "€" is E2 82 AC: cut it to E2 82 and turn the next string's "X" into the stray AC
    const euro = Buffer.from(b).indexOf(Buffer.from([0xe2, 0x82, 0xac]));
    b[euro + 2] = 0x20; // "€" becomes E2 82 20 — malformed
    const x = Buffer.from(b).indexOf(Buffer.from("Xd"));
    b[x] = 0xac;
    const h = await readGgufHeaderFromBlob(new Blob([b]), "bad-utf8.gguf");
    assert.deepEqual(h.metadata["t.tokens"], ["ab", "\ufffd ", "\ufffdd", "ef"]);
  });

  test("the writer refuses malformed specs", () => {
    assert.throws(
      () => layoutGguf({ metadata: { x: kv.u8(256) }, tensors: [] }),
      /metadata x: 256 is not an integer in \[0, 255\]/,
    );
    assert.throws(
      () => layoutGguf({ metadata: {}, tensors: [{ name: "a", shape: [80], type: "q8_0" }] }),
      /block size 32/,
    );
    assert.throws(
      () =>
        layoutGguf({
          metadata: {},
          tensors: [
            { name: "a", shape: [1], type: "f32" },
            { name: "a", shape: [1], type: "f32" },
          ],
        }),
      /duplicate tensor name a/,
    );
  });
});
