/**
 * llama.cpp log parser over whole logs: the 23 H100 logs against the measurement's README table,
 * streamed against in-memory parsing, repeated families and sessions, the destructor check.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  createLlamaCppParser,
  mainContexts,
  parseLlamaCppLog,
  parseLlamaCppStream,
} from "../../../scripts/ingest/parsers/llama-cpp.ts";
import { H100 } from "./helpers.ts";

const MiB = 1048576;

test("all 23 H100 logs (+ smoke): KV, compute, model, output and breakdown as the README's table states", () => {
  // README "Results" table: n_ctx, K/V, FA, KV (log), compute CUDA0, compute CUDA_Host, unaccounted
  const table: [number, string, string, number, number, number, number][] = [
    [2048, "f16", "on", 320.0, 306.75, 22.01, 614],
    [2048, "q8_0", "on", 170.0, 306.75, 22.09, 614],
    [2048, "q4_0", "on", 90.0, 306.75, 22.09, 614],
    [2048, "q8_0/q4_0", "on", 130.0, 306.75, 22.09, 614],
    [2048, "f16", "off", 320.0, 306.75, 28.01, 770],
    [8192, "f16", "on", 1280.0, 306.75, 28.01, 614],
    [8192, "q8_0", "on", 680.0, 306.75, 28.09, 614],
    [8192, "q4_0", "on", 360.0, 306.75, 28.09, 614],
    [8192, "q8_0/q4_0", "on", 520.0, 306.75, 28.09, 614],
    [8192, "f16", "off", 1280.0, 700.01, 40.01, 1001],
    [32768, "f16", "on", 5120.0, 306.75, 52.01, 614],
    [32768, "q8_0", "on", 2720.0, 306.75, 52.09, 614],
    [32768, "q4_0", "on", 1440.0, 306.75, 52.09, 614],
    [32768, "q8_0/q4_0", "on", 2080.0, 306.75, 52.09, 614],
    [32768, "f16", "off", 5120.0, 2668.01, 88.01, 1961],
    [65536, "f16", "on", 10240.0, 306.75, 84.01, 614],
    [65536, "q8_0", "on", 5440.0, 360.09, 84.09, 614],
    [65536, "q4_0", "on", 2880.0, 360.09, 84.09, 614],
    [65536, "q8_0/q4_0", "on", 4160.0, 360.09, 84.09, 614],
    [131072, "f16", "on", 20480.0, 306.75, 148.01, 614],
    [131072, "q8_0", "on", 10880.0, 680.09, 148.09, 614],
    [131072, "q4_0", "on", 5760.0, 680.09, 148.09, 614],
    [131072, "q8_0/q4_0", "on", 8320.0, 680.09, 148.09, 614],
  ];
  const dirs = readdirSync(H100).filter((d) => d.startsWith("qwen3-14b-q4km_"));
  assert.equal(dirs.length, 23);
  for (const [ctx, kv, fa, kvMiB, c0, ch, unacc] of table) {
    const [k, v] = kv.includes("/") ? kv.split("/") : [kv, kv];
    const dir = `qwen3-14b-q4km_ctx-${ctx}_k-${k}_v-${v}_fa-${fa}`;
    const f = parseLlamaCppLog(readFileSync(join(H100, dir, "llama.log"), "utf8"));
    assert.equal(f.warnings.length, 0, dir);
    const cs = mainContexts(f);
    assert.equal(cs.length, 1, dir);
    const c = cs[0];
    assert.equal(c.params.n_ctx.value, String(ctx), dir);
    assert.equal(c.params.flash_attn.value, fa === "on" ? "enabled" : "disabled", dir);
    const s = c.caches[0].size!;
    assert.equal(s.mib, kvMiB, dir);
    assert.equal(s.bytes, kvMiB * MiB, dir);
    assert.deepEqual([s.k.type, s.v!.type, s.cells], [k, v, ctx], dir);
    assert.deepEqual(
      c.compute.map((b) => [b.device, b.mib]),
      [
        ["CUDA0", c0],
        ["CUDA_Host", ch],
      ],
      dir,
    );
    assert.deepEqual(
      f.models[0].buffers.map((b) => [b.device, b.mib]),
      [
        ["CPU_Mapped", 417.3],
        ["CUDA0", 8161.75],
      ],
      dir,
    );
    assert.deepEqual(
      c.output.map((b) => [b.device, b.mib]),
      [["CUDA_Host", 0.58]],
      dir,
    );
    assert.equal(c.breakdown!.rows[0].unaccountedMiB, unacc, dir);
    assert.equal(f.build!.commit, "de3ff81");
    assert.equal(f.devices[0].description, "NVIDIA H100 80GB HBM3");
    assert.equal(f.models[0].gguf["general.file_type"].value, "15");
    if (k !== "f16") assert.deepEqual(f.attnRot, { k: 1, v: 1 }, dir);
  }
  const smoke = parseLlamaCppLog(
    readFileSync(join(H100, "smoke_qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log"), "utf8"),
  );
  assert.equal(mainContexts(smoke)[0].caches[0].size!.mib, 320);
});

test("streamed parse equals the in-memory parse, across arbitrary chunk boundaries", async () => {
  const text = readFileSync(join(H100, "qwen3-14b-q4km_ctx-32768_k-f16_v-f16_fa-off", "llama.log"), "utf8");
  const whole = parseLlamaCppLog(text);
  const buf = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 7) chunks.push(buf.subarray(i, i + 7));
  const streamed = await parseLlamaCppStream(Readable.from(chunks));
  assert.equal(streamed.bytes, buf.length);
  const { bytes: _b, ...rest } = streamed;
  assert.deepEqual(rest, whole);
});

test("line parser keeps the last set when the same family repeats (two contexts)", () => {
  const p = createLlamaCppParser();
  const lines = [
    "llama_context: constructing llama_context",
    "llama_context: n_ctx = 2048",
    "llama_kv_cache: size =  256.00 MiB (  2048 cells,  32 layers,  1/1 seqs), K (f16):  128.00 MiB, V (f16):  128.00 MiB",
    "llama_context: constructing llama_context",
    "llama_context: n_ctx = 4096",
    "llama_kv_cache: size =  512.00 MiB (  4096 cells,  32 layers,  1/1 seqs), K (f16):  256.00 MiB, V (f16):  256.00 MiB",
  ];
  lines.forEach((l, i) => p.push(l, i + 1));
  const f = p.finish();
  assert.deepEqual(
    mainContexts(f).map((c) => c.caches[0].size!.cells),
    [2048, 4096],
  );
});

test("the compute-buffer destructor check (WARN when it does not match) is recognised, not a compute line", () => {
  const f = parseLlamaCppLog(
    [
      "sched_reserve:        CPU compute buffer size =     2.64 MiB",
      "0.01.308.338 D ~llama_context:        CPU compute buffer size is   2.6387 MiB, matches expectation of   2.6387 MiB",
      "~llama_context:      CUDA0 compute buffer size of 306.7500 MiB, does not match expectation of 310.0000 MiB",
    ].join("\n"),
  );
  assert.equal(f.warnings.length, 0);
  assert.deepEqual(
    f.contexts[0].compute.map((b) => b.mib),
    [2.64],
  );
  assert.equal(f.kvNotes.length, 1);
  assert.equal(f.kvNotes[0].line, 3);
});

test("a log that repeats the same session is folded (memory grows with distinct facts only)", () => {
  const one = readFileSync(join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log"), "utf8");
  const other = readFileSync(join(H100, "qwen3-14b-q4km_ctx-8192_k-f16_v-f16_fa-on", "llama.log"), "utf8");
  const f = parseLlamaCppLog(one + one + one + other);
  assert.equal(f.models.length, 1);
  assert.equal(f.models[0].repeats, 3);
  assert.deepEqual(
    mainContexts(f).map((c) => [c.params.n_ctx.value, c.repeats]),
    [
      ["2048", 2],
      ["8192", 0],
    ],
  );
});
