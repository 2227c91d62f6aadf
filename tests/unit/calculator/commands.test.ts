import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  buildCommands,
  shellQuote,
  translateContext,
  type CommandModel,
} from "../../../src/lib/calculator/commands.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";

const qwen: CommandModel = {
  file: "qwen3.5-27b-Q4_K_M.gguf",
  ollamaTag: "qwen3.5:27b",
  hfRepo: "Qwen/Qwen3.5-27B",
  hasSwa: false,
};
const byEngine = (s: CalcState, m: CommandModel = qwen) => {
  const [llama, ollama, vllm] = buildCommands(s, m);
  assert.equal(llama.engine, "llama-server");
  assert.equal(ollama.engine, "ollama");
  assert.equal(vllm.engine, "vllm");
  return { llama, ollama, vllm };
};

describe("commands", () => {
  test("the default state is the report's llama-server command with every allocation knob spelled out", () => {
    const { llama, ollama, vllm } = byEngine(DEFAULT_STATE);
    // Report: llama-server -m qwen3.5-27b-Q4_K_M.gguf -ctk q8_0 -ctv turbo4 -c 32768 -fa 1 (no -np → auto: 4, unified).
    assert.equal(
      llama.text,
      "llama-server -m qwen3.5-27b-Q4_K_M.gguf -c 32768 -np 4 -kvu -ctk q8_0 -ctv turbo4 -fa on -ub 512 -ngl 999 -fit off",
    );
    assert.equal(llama.exact, true);
    assert.ok(llama.notes.some((n) => n.includes("TurboQuant fork")));
    // Ollama cannot express an asymmetric K/V pair nor turbo4.
    assert.equal(ollama.text, null);
    assert.equal(ollama.exact, false);
    assert.ok(ollama.notes.some((n) => n.includes("one cache type for both K and V")));
    assert.ok(ollama.notes.some((n) => n.includes("no turbo4")));
    // vLLM does not run on Metal.
    assert.equal(vllm.text, null);
    assert.ok(vllm.notes.some((n) => n.includes("Metal")));
  });

  test("Ollama: num_ctx is per request, llama-server gets num_ctx × num_parallel", () => {
    const s: CalcState = {
      ...DEFAULT_STATE,
      engine: "ollama",
      revision: "2026-05",
      typeK: "q8_0",
      typeV: "q8_0",
      ctx: 8192,
      nSeq: 2,
      unified: false,
    };
    const { llama, ollama } = byEngine(s);
    assert.match(llama.text!, / -c 16384 -np 2 -no-kvu /);
    assert.match(
      ollama.text!,
      /^OLLAMA_NUM_PARALLEL=2 OLLAMA_CONTEXT_LENGTH=8192 OLLAMA_KV_CACHE_TYPE=q8_0 OLLAMA_FLASH_ATTENTION=1 ollama serve\n/,
    );
    assert.match(ollama.text!, /"options":\{"num_ctx":8192\}/);
    assert.match(ollama.text!, /"model":"qwen3.5:27b"/);
    assert.equal(ollama.exact, true);
  });

  test("llama.cpp -c is translated to Ollama's per-request num_ctx and vLLM's per-request window", () => {
    const s: CalcState = {
      ...DEFAULT_STATE,
      engine: "llama.cpp",
      revision: "current",
      backend: "cuda",
      typeK: "f16",
      typeV: "f16",
      ctx: 32768,
      nSeq: 4,
      unified: false,
    };
    const { llama, ollama, vllm } = byEngine(s);
    assert.equal(llama.title, "llama-server (llama.cpp)");
    assert.match(llama.text!, / -c 32768 -np 4 -no-kvu -ctk f16 -ctv f16 /);
    assert.match(ollama.text!, /OLLAMA_CONTEXT_LENGTH=8192/);
    assert.doesNotMatch(ollama.text!, /OLLAMA_KV_CACHE_TYPE/, "f16 is Ollama's default");
    // 4 streams of 32768 / 4 = 8192 tokens each.
    assert.equal(vllm.text, "vllm serve Qwen/Qwen3.5-27B --max-model-len 8192 --max-num-seqs 4 --kv-cache-dtype auto");
    assert.equal(vllm.exact, false, "vLLM sizes its pool from free memory, never exactly this");
    // Unified: one sequence may use all cells.
    assert.equal(translateContext({ ...s, unified: true }).perRequest, 32768);
  });
});

describe("commands: uneven contexts, old builds, quoting", () => {
  test("a total that np does not divide cannot be hit exactly by Ollama, and it says so", () => {
    const s: CalcState = {
      ...DEFAULT_STATE,
      engine: "llama.cpp",
      typeK: "q8_0",
      typeV: "q8_0",
      ctx: 10000,
      nSeq: 3,
      unified: false,
    };
    const tr = translateContext(s);
    assert.deepEqual(tr, { llamaTotal: 10000, ollamaNumCtx: 3333, perRequest: 3333, ollamaRounded: true });
    const { ollama } = byEngine(s);
    assert.equal(ollama.exact, false);
    assert.ok(ollama.notes.some((n) => n.includes("9999 cells")));
  });

  test("old llama.cpp builds get no -fit; turbo types on upstream are flagged; --swa-full and -ngl are passed", () => {
    let { llama } = byEngine({
      ...DEFAULT_STATE,
      engine: "llama.cpp",
      revision: "2025-07-16",
      typeK: "f16",
      typeV: "f16",
    });
    assert.doesNotMatch(llama.text!, /-fit/);
    ({ llama } = byEngine({ ...DEFAULT_STATE, engine: "llama.cpp", revision: "current" }));
    assert.equal(llama.exact, false);
    assert.ok(llama.notes.some((n) => n.includes("Unsupported cache type")));
    ({ llama } = byEngine({ ...DEFAULT_STATE, swaFull: true, nGpuLayers: 20 }, { ...qwen, hasSwa: true }));
    assert.match(llama.text!, / -ngl 20 --swa-full -fit off$/);
  });

  test("model paths are shell-quoted; URLs go to -mu", () => {
    assert.equal(shellQuote("a b.gguf"), "'a b.gguf'");
    assert.equal(shellQuote("it's.gguf"), `'it'\\''s.gguf'`);
    assert.equal(shellQuote("qwen3.5-27b-Q4_K_M.gguf"), "qwen3.5-27b-Q4_K_M.gguf");
    const { llama } = byEngine(DEFAULT_STATE, { ...qwen, file: "https://huggingface.co/x/y/resolve/main/m.gguf" });
    assert.match(llama.text!, /^llama-server -mu https:\/\/huggingface.co\/x\/y\/resolve\/main\/m.gguf /);
    const { ollama } = byEngine(
      { ...DEFAULT_STATE, engine: "ollama", typeK: "f16", typeV: "f16" },
      { ...qwen, ollamaTag: null },
    );
    assert.match(ollama.text!, /"model":"<model>"/);
    assert.ok(ollama.notes.some((n) => n.includes("No Ollama tag")));
  });
});
