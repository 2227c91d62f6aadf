import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError, parseCtxList, parseFill, parseKvList, parseProfileArgs } from "../../../scripts/profile/args.ts";
import { buildPlan, caseName, fillTokens, modelSlug } from "../../../scripts/profile/plan.ts";

const base = ["--model", "m.gguf"];

test("--ctx takes k suffixes (×1024), sorts and refuses duplicates", () => {
  assert.deepEqual(parseCtxList("32k,2k,8192"), [2048, 8192, 32768]);
  assert.throws(() => parseCtxList("2k,2048"), /listed twice/);
  assert.throws(() => parseCtxList("2k,,8k"), /empty entry/);
  assert.throws(() => parseCtxList("lots"), UsageError);
});

test("--kv: K or K/V pairs, lower-case GGML names only", () => {
  assert.deepEqual(parseKvList("f16,q8_0,q8_0/q4_0"), [
    { k: "f16", v: "f16" },
    { k: "q8_0", v: "q8_0" },
    { k: "q8_0", v: "q4_0" },
  ]);
  assert.throws(() => parseKvList("Q8_0"), /write it lower-case: q8_0/);
  assert.throws(() => parseKvList("q9_0"), /unknown cache type "q9_0"/);
  assert.throws(() => parseKvList("f16/f16/f16"), /more than one/);
  assert.throws(() => parseKvList("f16,f16/f16"), /listed twice/);
});

test("turbo types need --server; --gpu and --server-args are runner-specific", () => {
  assert.throws(
    () => parseProfileArgs([...base, "--kv", "q8_0/turbo4"]),
    /q8_0\/turbo4 need the TurboQuant fork: add --server/,
  );
  const o = parseProfileArgs([...base, "--kv", "q8_0/turbo4", "--server", "/bin/true"]);
  assert.deepEqual(o?.kv, [{ k: "q8_0", v: "turbo4" }]);
  assert.throws(() => parseProfileArgs([...base, "--server-args=-ngl 99"]), /--server-args needs --server/);
  assert.throws(
    () => parseProfileArgs([...base, "--server", "/bin/true", "--gpu", "off"]),
    /--gpu applies to the embedded runner/,
  );
});

test("defaults, --help, and options checked one by one", () => {
  const o = parseProfileArgs(base)!;
  assert.deepEqual(o.contexts, [2048, 8192, 32768]);
  assert.deepEqual(o.kv, [{ k: "f16", v: "f16" }]);
  assert.equal(o.fa, "on");
  assert.equal(o.parallel, 1);
  assert.equal(o.ubatch, 512);
  assert.equal(o.gen, 16);
  assert.deepEqual(o.fill, { kind: "default" });
  assert.equal(parseProfileArgs(["--help"]), null);
  assert.throws(() => parseProfileArgs([]), /--model <file.gguf> is required/);
  assert.throws(() => parseProfileArgs([...base, "--fa", "yes"]), /--fa: expected on, off or auto/);
  assert.throws(() => parseProfileArgs([...base, "--parallel", "0"]), /--parallel: expected a positive whole number/);
  assert.throws(
    () => parseProfileArgs([...base, "--ctx", "1000", "--parallel", "3"]),
    /1000 is not divisible by --parallel 3/,
  );
  assert.throws(() => parseProfileArgs([...base, "--bogus"]), UsageError);
  assert.throws(() => parseProfileArgs([...base, "stray"]), UsageError);
});

test("--fill: a count, a k count, or a ratio in (0, 1]", () => {
  assert.deepEqual(parseFill("4k"), { kind: "tokens", tokens: 4096 });
  assert.deepEqual(parseFill("0.5"), { kind: "ratio", ratio: 0.5 });
  assert.deepEqual(parseFill("1"), { kind: "ratio", ratio: 1 });
  assert.throws(() => parseFill("0"), /ratio must be in \(0, 1\]/);
  assert.throws(() => parseFill("-3"), UsageError);
});

test("fill depth: default context − 64; ratio capped so the generated tokens fit; overflow refused", () => {
  assert.equal(fillTokens({ fill: { kind: "default" }, gen: 16 }, 2048), 1984); // the H100 run's 1984
  assert.equal(fillTokens({ fill: { kind: "ratio", ratio: 0.5 }, gen: 16 }, 2048), 1024);
  assert.equal(fillTokens({ fill: { kind: "ratio", ratio: 1 }, gen: 16 }, 2048), 2032);
  assert.equal(fillTokens({ fill: { kind: "tokens", tokens: 2032 }, gen: 16 }, 2048), 2032);
  assert.throws(
    () => fillTokens({ fill: { kind: "tokens", tokens: 2040 }, gen: 16 }, 2048),
    /2040 tokens \+ 16 generated exceed the 2048-token context/,
  );
  assert.throws(() => fillTokens({ fill: { kind: "default" }, gen: 16 }, 64), /leaves nothing to fill/);
});

test("case names follow the measurement layout ingest reads (H100 folder names)", () => {
  const s = {
    n_ctx: 32768,
    n_ctx_seq: 32768,
    type_k: "q8_0",
    type_v: "q4_0",
    flash_attn: "on",
    n_seq: 1,
    n_ubatch: 512,
    n_batch: 2048,
    fill_tokens: 32704,
    gen_tokens: 16,
  } as const;
  // data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda/qwen3-14b-q4km_ctx-32768_k-q8_0_v-q4_0_fa-on
  assert.equal(caseName("qwen3-14b-q4km", s), "qwen3-14b-q4km_ctx-32768_k-q8_0_v-q4_0_fa-on");
  assert.equal(caseName("m", { ...s, n_seq: 4, n_ubatch: 256 }), "m_ctx-32768_k-q8_0_v-q4_0_fa-on_np-4_ub-256");
  assert.equal(modelSlug("/models/Qwen3-14B-Q4_K_M.gguf"), "qwen3-14b-q4_k_m");
  assert.equal(modelSlug("C:\\m\\My Model (v2).GGUF"), "my-model-v2");
});

test("the plan: contexts ascending, KV pairs in the given order, parallel splits the context", () => {
  const o = parseProfileArgs([...base, "--ctx", "8k,2k", "--kv", "q8_0,f16", "--parallel", "2"])!;
  const plan = buildPlan(o);
  assert.deepEqual(
    plan.map((s) => [s.index, s.n_ctx, s.type_k, s.n_ctx_seq, s.fill_tokens]),
    [
      [0, 2048, "q8_0", 1024, 960],
      [1, 2048, "f16", 1024, 960],
      [2, 8192, "q8_0", 4096, 4032],
      [3, 8192, "f16", 4096, 4032],
    ],
  );
  assert.equal(plan[0].name, "m_ctx-2048_k-q8_0_v-q8_0_fa-on_np-2");
  // the embedded runner decodes in batches of n_ubatch; llama-server keeps its own n_batch 2048
  assert.equal(plan[0].n_batch, 512);
  const srv = buildPlan(parseProfileArgs([...base, "--server", "/bin/true", "--ctx", "2k"])!);
  assert.equal(srv[0].n_batch, 2048);
});
