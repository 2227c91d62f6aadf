/**
 * Live oracle: real llama.cpp (node-llama-cpp's prebuilt CPU binary) loads tiny GGUFs written by
 * the test helpers, and the whole pipeline — writer → header reader → GGUF→architecture mapping →
 * engine — must reproduce the KV / recurrent size lines llama.cpp prints. A handful of cases, a
 * few seconds on two cores; the full matrix is in the recorded fixtures.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ggufToArchitecture } from "../../../src/lib/gguf/map.ts";
import { readGgufHeaderFromPath } from "../../../src/lib/gguf/node.ts";
import { deepseek2Model, gemma3Model, mamba2Model, qwen35Model, qwen3Model } from "../../helpers/gguf-models.ts";
import type { TinyModel } from "../../helpers/gguf-models.ts";
import { writeGguf } from "../../helpers/gguf-writer.ts";
import { LlamaCppHarness } from "../../helpers/llama-cpp.ts";
import type { ContextRequest, ContextResult } from "../../helpers/llama-cpp.ts";
import { assertEngineMatches } from "./engine-compare.ts";

let h: LlamaCppHarness;
let dir: string;

before(async () => {
  h = await LlamaCppHarness.open();
  dir = await mkdtemp(join(tmpdir(), "oracle-live-"));
});
after(async () => {
  await h?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const obs = (r: ContextResult) => ({
  ok: r.ok,
  error: r.error ?? null,
  params: r.params ?? null,
  kv: r.kv,
  iswa: r.iswa,
  rs: r.rs,
  compute_exact: r.computeExact,
  breakdown_cpu_bytes: r.breakdownCpuBytes ?? null,
  lines: r.lines,
});

async function check(tiny: TinyModel, name: string, requests: ContextRequest[]): Promise<void> {
  const path = join(dir, `${name}.gguf`);
  await writeGguf(path, tiny);
  const header = await readGgufHeaderFromPath(path);
  const arch = ggufToArchitecture(header.metadata, { tensors: header.tensors });
  const { model } = await h.loadModel(path);
  try {
    for (const req of requests) {
      const r = await h.runContext(model, req);
      assert.ok(r.ok || req.typeV === "q4_0", `${name} ${JSON.stringify(req)}: ${r.error}`);
      assertEngineMatches(arch, req, obs(r));
      if (req.decode) assert.equal(r.decoded, req.decode, "llama.cpp decoded the tokens");
    }
  } finally {
    await model.dispose();
  }
}

describe("llama.cpp vs engine, live", () => {
  test("qwen3 (the H100 architecture): padding, streams, quantized K/V, FA off", async () => {
    await check(qwen3Model(), "qwen3", [
      { nCtx: 1000, decode: 32 },
      { nCtx: 5000, nSeq: 3, flashAttention: "off" },
      { nCtx: 16384, typeK: "q8_0", typeV: "q4_0", flashAttention: "on", decode: 8 },
      { nCtx: 4096, typeK: "q8_0", typeV: "q4_0", flashAttention: "off" }, // refused by both
    ]);
  });

  test("gemma3 sliding window: SWA cells from window + n_ubatch, swa_full", async () => {
    await check(gemma3Model({ window: 256 }), "gemma3", [
      { nCtx: 8192, nBatch: 256, decode: 16 },
      { nCtx: 8192, nSeq: 2, swaFull: true },
    ]);
  });

  test("deepseek2 MLA: K-only latent cache", async () => {
    await check(deepseek2Model(), "deepseek2", [{ nCtx: 4096, nSeq: 2, decode: 8 }]);
  });

  test("qwen35 hybrid: gated delta net state × sequences plus attention KV", async () => {
    await check(qwen35Model(), "qwen35", [{ nCtx: 4096, nSeq: 8, decode: 8 }]);
  });

  test("mamba2: recurrent state only, cells = sequences", async () => {
    await check(mamba2Model(), "mamba2", [{ nCtx: 4096, nSeq: 16, decode: 8 }]);
  });

  test("lower-case KV type names: node-llama-cpp ignores them, the harness does not", async () => {
    const path = join(dir, "qwen3-types.gguf");
    await writeGguf(path, qwen3Model({ nLayer: 1 }));
    const { model } = await h.loadModel(path);
    try {
      const viaHarness = await h.runContext(model, { nCtx: 512, typeK: "q8_0", typeV: "q8_0", flashAttention: "on" });
      assert.equal(viaHarness.kv[0].typeK, "q8_0");
      assert.equal(viaHarness.kv[0].typeV, "q8_0");
      // the library's own option with a lower-case name falls back to f16 without a word
      const start = h.log.length;
      const ctx = await model.createContext({
        contextSize: 512,
        flashAttention: true,
        experimentalKvCacheKeyType: "q8_0" as "Q8_0",
        ignoreMemorySafetyChecks: true,
        failedCreationRemedy: false,
      });
      await ctx.dispose();
      const line = h.log.slice(start).find((l) => /llama_kv_cache: size =/.test(l.text));
      assert.match(line?.text ?? "", /K \(f16\)/, "node-llama-cpp silently used f16 for 'q8_0'");
    } finally {
      await model.dispose();
    }
  });

  test("a GGUF llama.cpp refuses fails loudly with llama.cpp's reason", async () => {
    const broken = qwen3Model({ nLayer: 2 });
    broken.tensors = broken.tensors.filter((t) => t.name !== "blk.1.attn_q.weight");
    const path = join(dir, "broken.gguf");
    await writeGguf(path, broken);
    await assert.rejects(h.loadModel(path), /blk\.1\.attn_q\.weight/);
  });

  test("the recorded qwen3 fixture still matches this llama.cpp binary", async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const fx = JSON.parse(await readFile(join(here, "../../fixtures/oracle/qwen3.json"), "utf8"));
    const c = fx.cases.find((x: { id: string }) => x.id === "qwen3/ctx1000-seq3-streams");
    const path = join(dir, "qwen3-fixture.gguf");
    await writeGguf(path, qwen3Model());
    const { model } = await h.loadModel(path);
    try {
      const r = await h.runContext(model, c.request);
      assert.deepEqual(r.kv, c.kv, "KV size line differs from the recorded fixture: regenerate it");
      assert.deepEqual(r.params, c.params);
    } finally {
      await model.dispose();
    }
  });
});
