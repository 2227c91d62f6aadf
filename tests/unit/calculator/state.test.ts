import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EngineProfileSchema } from "../../../src/schemas/runtime-config.ts";
import {
  DEFAULT_STATE,
  ENGINE_REVISIONS,
  encodeArch,
  parseContext,
  stateToQuery,
  type CalcState,
  type StateDomain,
} from "../../../src/lib/calculator/state.ts";
import { parseState } from "../../../src/lib/calculator/state-schema.ts";
import { normalizeState } from "../../../src/lib/calculator/normalize.ts";
import type { KvTypeOption } from "../../../src/lib/calculator/catalog.ts";

const domain: StateDomain = {
  models: new Set(["qwen3.5-27b", "qwen3-14b", "gemma-3-27b"]),
  hardware: new Set(["apple-m4-max-36gb", "nvidia-rtx-4090"]),
  budgets: new Map([
    ["seed-32gb-mac-m4-max", 4],
    ["generic-gpu", 2],
  ]),
  ftypes: new Set(["Q4_K_M", "Q8_0", "F16"]),
};

describe("permalink ↔ state", () => {
  test("the default state is the empty query, and the empty query is the default state", () => {
    assert.equal(stateToQuery(DEFAULT_STATE), "");
    const r = parseState("", domain);
    assert.deepEqual(r.state, DEFAULT_STATE);
    assert.deepEqual(r.notices, []);
  });

  test("the default state is the original report's question", () => {
    assert.equal(DEFAULT_STATE.model, "qwen3.5-27b");
    assert.equal(DEFAULT_STATE.ftype, "Q4_K_M");
    assert.equal(DEFAULT_STATE.engine, "turboquant");
    assert.equal(DEFAULT_STATE.backend, "metal");
    assert.equal(DEFAULT_STATE.typeK, "q8_0");
    assert.equal(DEFAULT_STATE.typeV, "turbo4");
    assert.equal(DEFAULT_STATE.ctx, 32768);
    assert.equal(DEFAULT_STATE.flashAttn, "on");
    assert.equal(DEFAULT_STATE.budget, "seed-32gb-mac-m4-max");
  });

  test("every field survives a round trip through the query", () => {
    const s: CalcState = {
      model: "gemma-3-27b",
      ggufUrl: null,
      hf: null,
      hfFile: null,
      hfBase: "https://hf-mirror.example.org",
      olBase: "https://registry.example.org/ollama",
      arch: null,
      engine: "llama.cpp",
      revision: "2025-11-07",
      backend: "cuda",
      ftype: "Q8_0",
      vision: true,
      mmproj: "https://example.org/mmproj-model-f16.gguf",
      images: 3,
      mmprojOffload: false,
      imageSize: "1920x1080",
      imageMaxTokens: 1024,
      draft: "qwen3-14b",
      ngld: 12,
      ctkd: "q8_0",
      ctvd: "q4_0",
      typeK: "q4_0",
      typeV: "q5_1",
      nSeq: 3,
      unified: false,
      flashAttn: "auto",
      nUbatch: 1024,
      swaFull: true,
      nGpuLayers: 17,
      ctx: 70000,
      hardware: "nvidia-rtx-4090",
      budget: "generic-gpu",
      totalBytes: 24_000_000_000,
      items: { "0": 536870912, "1": 1 },
      wiredMiB: 30000,
      view: "residual",
      machine: "g:24576,16384;ram:65536;ts:3,1;moe:all",
    };
    const q = stateToQuery(s);
    const r = parseState(q, domain);
    assert.deepEqual(r.notices, []);
    assert.deepEqual(r.state, s);
    // And the query names only what differs from the default.
    assert.equal(stateToQuery({ ...DEFAULT_STATE, ctx: 65536 }), "c=65536");
  });

  test("a custom architecture round-trips base64url-encoded, including non-ASCII names", () => {
    const arch = JSON.stringify({ a: { arch: "llama", block_count: 2 }, n: "Qwen–α/β" });
    const s: CalcState = { ...DEFAULT_STATE, model: "custom", arch };
    const q = stateToQuery(s);
    assert.match(q, /arch=[A-Za-z0-9_-]+(&|$)/);
    assert.equal(parseState(q, domain).state.arch, arch);
    assert.equal(encodeArch(null), "");
  });
});

describe("permalink → state: what people and strangers type", () => {
  test("contexts read as llama.cpp users write them", () => {
    assert.equal(parseContext("32k"), 32768);
    assert.equal(parseContext("128K"), 131072);
    assert.equal(parseContext("1M"), 1048576);
    assert.equal(parseContext("131072"), 131072);
    assert.equal(parseContext("1.5k"), 1536);
    assert.equal(parseContext("32 k"), 32768);
    assert.equal(parseContext("abc"), null);
    assert.equal(parseContext("1.1k"), null, "not a whole number of tokens");
    assert.equal(parseState("c=64k", domain).state.ctx, 65536);
  });

  test("garbage in every parameter gives the defaults and one notice per bad parameter, never a throw", () => {
    const q =
      "c=abc&np=0&ctk=turbo9&eng=vllm&zzz=1&m=no-such-model&oh=x&kvu=maybe&wl=5&hw=pdp-11&b=nope&w=Q9_K&v=pie&ub=-3";
    const r = parseState(q, domain);
    assert.deepEqual(r.state, DEFAULT_STATE);
    const named = ["c=", "np=", "ctk=", "eng=", "zzz=", "m=", "oh=", "kvu=", "wl=", "hw=", "b=", "w=", "v=", "ub="];
    assert.equal(r.notices.length, named.length, r.notices.join("\n"));
    for (const n of named)
      assert.ok(
        r.notices.some((x) => x.includes(n)),
        `a notice names ${n}`,
      );
    assert.ok(r.notices.find((x) => x.startsWith("Ignored c="))!.includes("32k"), "the notice says what is accepted");
  });

  test("half-valid queries keep the valid parts", () => {
    const r = parseState("c=8k&np=banana&ctk=f16", domain);
    assert.equal(r.state.ctx, 8192);
    assert.equal(r.state.typeK, "f16");
    assert.equal(r.state.nSeq, DEFAULT_STATE.nSeq);
    assert.equal(r.notices.length, 1);
  });

  test("control characters, huge values and repeated parameters do not break parsing", () => {
    const r = parseState("c=%00%FF&c=4096&np=1e9&tot=-1&arch=%%%", domain);
    assert.equal(r.state.ctx, DEFAULT_STATE.ctx);
    assert.ok(r.notices.some((n) => n.includes("more than once")));
    assert.ok(r.notices.length >= 4);
  });

  test("cross-field rules: revision of another engine, model kinds that need a payload, item indices", () => {
    let r = parseState("eng=llama.cpp&rev=2026-03", domain);
    assert.equal(r.state.revision, "current");
    assert.ok(r.notices.some((n) => n.includes("2026-03")));
    r = parseState("eng=llama.cpp", domain);
    assert.equal(r.state.revision, "current");
    assert.deepEqual(r.notices, [], "a missing revision silently takes the engine's newest");
    r = parseState("m=gguf", domain);
    assert.equal(r.state.model, DEFAULT_STATE.model);
    assert.equal(r.notices.length, 1);
    r = parseState("m=custom", domain);
    assert.equal(r.state.model, DEFAULT_STATE.model);
    r = parseState("oh=7:100", domain);
    assert.deepEqual(r.state.items, {});
    assert.ok(r.notices[0].includes("item 7"));
  });

  test("every revision the state offers parses in the engine's profile schema, and others do not", () => {
    for (const [engine, revs] of Object.entries(ENGINE_REVISIONS)) {
      for (const revision of revs)
        assert.ok(EngineProfileSchema.safeParse({ name: engine, revision }).success, `${engine} ${revision}`);
      assert.equal(EngineProfileSchema.safeParse({ name: engine, revision: "1999-01" }).success, false);
    }
  });
});

describe("keeping a state within its engine", () => {
  const kv = (name: string, engines: string[]): KvTypeOption => ({
    name: name as KvTypeOption["name"],
    bitsPerValue: 1,
    engines,
    needsFlashAttention: "never",
    quality: [],
  });
  const types = [
    kv("f16", ["llama.cpp", "turboquant", "ollama"]),
    kv("q8_0", ["llama.cpp", "turboquant", "ollama"]),
    kv("q4_1", ["llama.cpp", "turboquant"]),
    kv("turbo4", ["turboquant"]),
  ];

  test("switching the default to upstream llama.cpp replaces turbo4 and says so", () => {
    const r = normalizeState({ ...DEFAULT_STATE, engine: "llama.cpp" }, types);
    assert.equal(r.state.revision, "current");
    assert.equal(r.state.typeK, "q8_0");
    assert.equal(r.state.typeV, "q8_0");
    assert.equal(r.changes.length, 1);
    assert.match(r.changes[0], /turbo4/);
  });

  test("Ollama gets one type for K and V", () => {
    const r = normalizeState({ ...DEFAULT_STATE, engine: "ollama", typeK: "f16", typeV: "q4_1" }, types);
    assert.equal(r.state.typeK, "f16");
    assert.equal(r.state.typeV, "f16");
    assert.ok(r.changes.some((c) => /one cache type/.test(c)));
  });

  test("flash attention off takes a quantized V back to f16 upstream, not in the fork", () => {
    let r = normalizeState(
      { ...DEFAULT_STATE, engine: "llama.cpp", typeK: "q8_0", typeV: "q8_0", flashAttn: "off" },
      types,
    );
    assert.equal(r.state.typeV, "f16");
    assert.equal(r.state.typeK, "q8_0");
    r = normalizeState({ ...DEFAULT_STATE, flashAttn: "off" }, types);
    assert.equal(r.state.typeV, "turbo4", "the fork turns flash attention on itself");
    assert.deepEqual(r.changes, []);
  });
});
