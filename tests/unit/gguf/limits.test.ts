/**
 * Every size that drives work is bounded (src/schemas/limits.ts): the architecture schema refuses
 * a field above its limit naming field and limit (property test over every bounded field), the
 * GGUF reader refuses header counts and lengths above theirs before allocating anything, and the
 * CLI turns both into one line and exit 1 — never a heap exhaustion or a stack trace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { LIMITS } from "../../../src/schemas/limits.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { ggufToArchitecture, readGgufHeaderFrom, type RangeSource } from "../../../src/lib/gguf/index.ts";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { kv, writeGguf } from "../../helpers/gguf-writer.ts";
import { qwen3Model } from "../../helpers/gguf-models.ts";
import { rng } from "../../helpers/rng.ts";

const BASE = { arch: "qwen3", block_count: 40, n_embd: 5120, n_head: 40, n_head_kv: 8, vocab_size: 151936 };

/** [field path, limit] of every bounded scalar of the architecture. */
const FIELDS: Array<[string, number]> = [
  ["block_count", LIMITS.layers],
  ["nextn_predict_layers", LIMITS.layers],
  ["context_length", LIMITS.cells],
  ["n_embd", LIMITS.width],
  ["n_head", LIMITS.heads],
  ["n_head_kv", LIMITS.heads],
  ["key_length", LIMITS.width],
  ["value_length", LIMITS.width],
  ["key_length_swa", LIMITS.width],
  ["value_length_swa", LIMITS.width],
  ["sliding_window", LIMITS.cells],
  ["sliding_window_pattern", LIMITS.layers],
  ["full_attention_interval", LIMITS.layers],
  ["n_layer_kv_from_start", LIMITS.layers],
  ["shared_kv_layers", LIMITS.layers],
  ["feed_forward_length", LIMITS.ffn],
  ["expert_count", LIMITS.experts],
  ["expert_used_count", LIMITS.experts],
  ["expert_feed_forward_length", LIMITS.ffn],
  ["expert_shared_count", LIMITS.experts],
  ["expert_shared_feed_forward_length", LIMITS.ffn],
  ["leading_dense_block_count", LIMITS.layers],
  ["vocab_size", LIMITS.vocab],
  ["mla.kv_lora_rank", LIMITS.width],
  ["mla.rope_dim", LIMITS.width],
  ["recurrent.d_inner", LIMITS.width],
  ["recurrent.d_state", LIMITS.width],
  ["recurrent.n_head", LIMITS.heads],
  ["indexer.key_length", LIMITS.width],
];

function withField(path: string, value: unknown): Record<string, unknown> {
  const doc: Record<string, unknown> = structuredClone(BASE);
  const [a, b] = path.split(".");
  if (b === undefined) doc[a] = value;
  else if (a === "mla")
    doc.mla = { kv_lora_rank: 512, rope_dim: 64, key_length_mla: 192, value_length_mla: 128, [b]: value };
  else if (a === "recurrent") doc.recurrent = { family: "mamba2", [b]: value };
  else doc.indexer = { key_length: 128, [b]: value };
  return doc;
}

test("property: every bounded field accepts its limit and refuses anything above, naming field and limit", () => {
  const r = rng(3);
  for (const [field, limit] of FIELDS) {
    const ok = ArchitectureSchema.safeParse(withField(field, limit));
    assert.ok(ok.success, `${field} = ${limit}: ${ok.success ? "" : ok.error.message}`);
    for (let i = 0; i < 40; i++) {
      const over = limit + 1 + Math.floor(r() ** 4 * (Number.MAX_SAFE_INTEGER - limit - 1));
      const res = ArchitectureSchema.safeParse(withField(field, over));
      assert.equal(res.success, false, `${field} = ${over} accepted`);
      const issue = res.error!.issues.find((x) => x.path.join(".") === field);
      assert.ok(issue, `${field}: an issue at the field (${JSON.stringify(res.error!.issues)})`);
      assert.match(issue.message, new RegExp(`${over} is above the limit of ${limit}`), field);
    }
  }
});

test("property: per-layer arrays are bounded by the layer limit, their entries by the field's limit", () => {
  const r = rng(5);
  for (const field of ["n_head", "n_head_kv", "feed_forward_length", "recurrent_layers"]) {
    const item = field === "recurrent_layers" ? true : 1;
    const n = LIMITS.layers + 1 + Math.floor(r() * 10_000);
    const res = ArchitectureSchema.safeParse({ ...BASE, [field]: new Array(n).fill(item) });
    assert.equal(res.success, false, field);
    assert.match(res.error!.issues[0].message, new RegExp(`${n} entries is above the limit of ${LIMITS.layers}`));
  }
  const res = ArchitectureSchema.safeParse({ ...BASE, n_head_kv: [8, 8, LIMITS.heads + 1] });
  assert.match(
    res.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join(),
    /n_head_kv.*2.*above the limit of 65536/,
  );
});

test("the runtime context is bounded at 2^31 cells", () => {
  assert.ok(RuntimeConfigSchema.safeParse({ n_ctx: LIMITS.cells }).success);
  const res = RuntimeConfigSchema.safeParse({ n_ctx: LIMITS.cells + 1 });
  assert.match(res.error!.issues[0].message, /2147483649 is above the limit of 2147483648 \(tokens\)/);
});

/** A raw GGUF header: magic, version 3, counts, then `body`. */
function rawGguf(nTensors: bigint, nKv: bigint, body: Buffer = Buffer.alloc(0)): Uint8Array {
  const head = Buffer.alloc(24);
  head.write("GGUF", 0, "latin1");
  head.writeUInt32LE(3, 4);
  head.writeBigUInt64LE(nTensors, 8);
  head.writeBigUInt64LE(nKv, 16);
  return new Uint8Array(Buffer.concat([head, body]));
}
const str = (s: string) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(Buffer.byteLength(s)));
  return Buffer.concat([b, Buffer.from(s)]);
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};

/** A range source over bytes that records every read. */
function source(bytes: Uint8Array): RangeSource & { reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    size: bytes.length,
    reads,
    async read(start, end) {
      reads.push([start, end]);
      return bytes.subarray(start, Math.min(end, bytes.length));
    },
  };
}

test("GGUF header counts above their limits are refused before anything is allocated", async () => {
  const cases: Array<[Uint8Array, RegExp]> = [
    [rawGguf(2n ** 32n - 1n, 0n), /tensor count: 4294967295 is above the limit of 1048576/],
    [rawGguf(0n, 10n ** 7n), /metadata key\/value count: 10000000 is above the limit of 65536/],
    // a key whose string claims 2^40 bytes
    [rawGguf(0n, 1n, u64(2n ** 40n)), /string length: 1099511627776 is above the limit of 16777216/],
    // an array of 2^30 u32 elements
    [
      rawGguf(0n, 1n, Buffer.concat([str("a"), u32(9), u32(4), u64(2n ** 30n)])),
      /array length: 1073741824 is above the limit of 16777216/,
    ],
    // a string array of 2^24 entries in a 60-byte file: truncated, not 200 MB of bookkeeping
    [rawGguf(0n, 1n, Buffer.concat([str("a"), u32(9), u32(8), u64(2n ** 24n)])), /header truncated/],
    // 10^6 tensors declared, none present
    [rawGguf(1_000_000n, 0n), /header truncated/],
  ];
  for (const [bytes, why] of cases) {
    const before = process.memoryUsage().arrayBuffers;
    await assert.rejects(readGgufHeaderFrom(source(bytes), "evil.gguf"), (e: Error) => {
      assert.match(e.message, /^evil\.gguf: /);
      assert.match(e.message, why);
      return true;
    });
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, "no large allocation");
  }
});

test("a 20 MB header of 200 000 tensor infos is read once: reads never overlap, total ≤ header + one chunk", async () => {
  const n = 200_000;
  const name = (i: number) => `blk.${i}.a_long_tensor_name_to_make_the_header_bigger.weight`;
  const size = 24 + Array.from({ length: n }, (_, i) => 8 + name(i).length + 4 + 8 + 4 + 8).reduce((a, b) => a + b, 0);
  const bytes = Buffer.alloc(size);
  bytes.set(rawGguf(BigInt(n), 0n), 0);
  let p = 24;
  for (let i = 0; i < n; i++) {
    p = bytes.writeBigUInt64LE(BigInt(name(i).length), p);
    p += bytes.write(name(i), p, "latin1");
    p = bytes.writeUInt32LE(1, p);
    p = bytes.writeBigUInt64LE(32n, p);
    p = bytes.writeUInt32LE(0, p);
    p = bytes.writeBigUInt64LE(BigInt(i * 128), p);
  }
  const src = source(new Uint8Array(bytes));
  const h = await readGgufHeaderFrom(src, "many.gguf");
  assert.equal(h.tensors.length, n);
  assert.equal(h.tensors[n - 1].name, name(n - 1));
  for (let i = 1; i < src.reads.length; i++) assert.equal(src.reads[i][0], src.reads[i - 1][1], "each byte read once");
  assert.ok(h.bytesRead <= bytes.length + 2 * 2 ** 20);
});

test("a GGUF declaring 2^32−1 layers maps to an error naming the key and the limit", async () => {
  const m = qwen3Model();
  const dir = mkdtempSync(join(tmpdir(), "cc-limits-"));
  try {
    const path = join(dir, "huge.gguf");
    await writeGguf(path, { ...m, metadata: { ...m.metadata, "qwen3.block_count": kv.u32(2 ** 32 - 1) } });
    const { readGgufHeaderFromPath } = await import("../../../src/lib/gguf/node.ts");
    const h = await readGgufHeaderFromPath(path);
    assert.throws(
      () => ggufToArchitecture(h.metadata),
      /qwen3\.block_count: 4294967295 is above the limit of 4096 \(layers\)/,
    );
    // the CLI: one line, exit 1, no stack trace, fast (no per-layer work happened)
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "scripts/calc.ts"), "--model", path], { encoding: "utf8" });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /block_count: 4294967295 is above the limit of 4096/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    // an architecture JSON with 10^8 layers
    const json = join(dir, "huge.json");
    writeFileSync(json, JSON.stringify({ ...BASE, block_count: 1e8 }));
    const j = spawnSync(process.execPath, [join(REPO_ROOT, "scripts/calc.ts"), "--model", json], { encoding: "utf8" });
    assert.equal(j.status, 1, j.stderr);
    assert.match(j.stderr, /huge\.json: block_count: 100000000 is above the limit of 4096 \(layers\)/);
    assert.doesNotMatch(j.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
