/**
 * The import box's input (src/lib/calculator/hub-ref.ts): Hugging Face ids and Ollama tags told
 * apart, the exact CLI command for an Ollama tag, failures that keep the configuration, and the
 * m=hf permalink (re-imported on load).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fetchedNote, importFailure, ollamaCliCommand, parseModelRef } from "../../../src/lib/calculator/hub-ref.ts";
import { DEFAULT_STATE, stateToQuery } from "../../../src/lib/calculator/state.ts";
import { parseState } from "../../../src/lib/calculator/state-schema.ts";
import { normalizeState } from "../../../src/lib/calculator/normalize.ts";

test("Hugging Face ids: owner/name, hf: prefix, @revision, a model page URL", () => {
  assert.deepEqual(parseModelRef("Qwen/Qwen3-30B-A3B"), { kind: "hf", id: "Qwen/Qwen3-30B-A3B" });
  assert.deepEqual(parseModelRef(" hf:bartowski/Qwen_Qwen3-8B-GGUF "), {
    kind: "hf",
    id: "bartowski/Qwen_Qwen3-8B-GGUF",
  });
  assert.deepEqual(parseModelRef("Qwen/Qwen3-8B@v1.0"), { kind: "hf", id: "Qwen/Qwen3-8B@v1.0" });
  assert.deepEqual(parseModelRef("https://huggingface.co/Qwen/Qwen3-8B"), { kind: "hf", id: "Qwen/Qwen3-8B" });
  assert.equal(parseModelRef("Qwen/../etc").kind, "invalid");
  assert.equal(parseModelRef("a/b/c").kind, "invalid");
});

test("Ollama tags: ollama: prefix or name:tag; a bare name asks which one is meant", () => {
  assert.deepEqual(parseModelRef("ollama:qwen3.5:27b"), { kind: "ollama", tag: "qwen3.5:27b" });
  assert.deepEqual(parseModelRef("qwen3.5:27b"), { kind: "ollama", tag: "qwen3.5:27b" });
  assert.deepEqual(parseModelRef("ollama:library/gemma3"), { kind: "ollama", tag: "library/gemma3:latest" });
  assert.match((parseModelRef("qwen3") as { message: string }).message, /owner\/name .* name:tag/);
  assert.equal(parseModelRef("").kind, "invalid");
});

test("an Ollama tag gets the exact npm run calc command for the current question", () => {
  const state = {
    ...DEFAULT_STATE,
    engine: "ollama" as const,
    ctx: 8192,
    typeK: "q8_0" as const,
    typeV: "q8_0" as const,
    nSeq: 2,
    unified: false,
    backend: "cuda" as const,
  };
  assert.equal(
    ollamaCliCommand("qwen3.5:27b", state, 24_000_000_000),
    "npm run calc -- --model ollama:qwen3.5:27b --engine ollama --ctx 8192 --ctk q8_0 --ctv q8_0 --parallel 2 --backend cuda --budget 24000000000",
  );
  const mirror = { ...state, olBase: "https://registry.example.org/ollama" };
  assert.match(
    ollamaCliCommand("qwen3.5:27b", mirror, null),
    / --ollama-registry https:\/\/registry\.example\.org\/ollama$/,
  );
});

test("failures keep the configuration except a header over the limits; the bytes fetched are said", () => {
  assert.deepEqual(importFailure("hf:a/b", new Error("repo a/b@main is gated or private: …")).keepConfig, true);
  assert.match(
    importFailure("hf:a/b", new TypeError("Failed to fetch")).notice,
    /network error .* Your settings are unchanged/,
  );
  const hostile = importFailure("hf:a/b", new Error("block_count: 4294967295 is above the limit of 4096"));
  assert.equal(hostile.keepConfig, false);
  assert.equal(
    fetchedNote(1234, 2, "file list, config.json"),
    "Fetched 1,234 B (1.23 KB) in 2 requests (file list, config.json); nothing else was downloaded.",
  );
});

const domain = {
  models: new Set(["qwen3.5-27b", "llama-3.1-8b"]),
  hardware: new Set<string>(),
  budgets: new Map([["seed-32gb-mac-m4-max", 3]]),
  ftypes: new Set(["Q4_K_M", "Q8_0"]),
};

test("permalink m=hf&hf=<id>&file=… round-trips; m=hf without hf= falls back with a notice; mirrors are validated", () => {
  const s = {
    ...DEFAULT_STATE,
    model: "hf",
    hf: "bartowski/Qwen_Qwen3-8B-GGUF",
    hfFile: "Qwen_Qwen3-8B-Q4_K_M.gguf",
    hfBase: "https://hf-mirror.com",
  };
  const q = stateToQuery(s);
  assert.match(q, /m=hf&hf=bartowski%2FQwen_Qwen3-8B-GGUF&file=Qwen_Qwen3-8B-Q4_K_M\.gguf&hfb=https/);
  assert.deepEqual(parseState(q, domain), { state: s, notices: [] });
  const bare = parseState("m=hf", domain);
  assert.equal(bare.state.model, DEFAULT_STATE.model);
  assert.match(bare.notices[0], /m=hf needs an hf=owner\/name parameter/);
  const bad = parseState("m=hf&hf=a/b&file=../../x.gguf&hfb=http://insecure.example", domain);
  assert.equal(bad.state.hfFile, null);
  assert.equal(bad.state.hfBase, null);
  assert.equal(bad.notices.length, 2);
  // leaving the imported model clears its id (the mirror setting stays)
  const n = normalizeState({ ...s, model: "llama-3.1-8b" }, []);
  assert.equal(n.state.hf, null);
  assert.equal(n.state.hfFile, null);
  assert.equal(n.state.hfBase, "https://hf-mirror.com");
});
