import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  carriesExample,
  enginePatch,
  handOff,
  handoffLine,
  machinePatch,
} from "../../../src/lib/calculator/question.ts";
import { DEFAULT_STATE } from "../../../src/lib/calculator/state.ts";

const hardware = [
  { id: "apple-m3-max-36gb", vendor: "apple", unified: true },
  { id: "nvidia-rtx-4090", vendor: "nvidia", unified: false },
];
const budgets = [
  { id: "seed-32gb-mac-m4-max", hardwareId: null, hasTotal: true },
  { id: "seed-36gb-m3-max", hardwareId: "apple-m3-max-36gb", hasTotal: true },
  { id: "apple-metal-default", hardwareId: null, hasTotal: false },
  { id: "generic-gpu", hardwareId: null, hasTotal: false },
];

describe("picking a machine sets the budget and the backend", () => {
  it("a Mac from the example's 32 GB budget: the Metal working-set template, metal", () => {
    const p = machinePatch(hardware, budgets, "seed-32gb-mac-m4-max", "apple-m3-max-36gb");
    assert.deepEqual(p, {
      hardware: "apple-m3-max-36gb",
      wiredMiB: null,
      backend: "metal",
      budget: "apple-metal-default",
      items: {},
      totalBytes: null,
    });
  });
  it("a budget written for that machine stays", () => {
    const p = machinePatch(hardware, budgets, "seed-36gb-m3-max", "apple-m3-max-36gb");
    assert.equal(p.budget, undefined);
  });
  it("a card: VRAM less the display, cuda", () => {
    const p = machinePatch(hardware, budgets, "apple-metal-default", "nvidia-rtx-4090");
    assert.deepEqual([p.budget, p.backend], ["generic-gpu", "cuda"]);
  });
});

describe("the example gives way to the user's question", () => {
  it("the default state is the example", () => assert.ok(carriesExample(DEFAULT_STATE)));

  it("picking a model: upstream llama.cpp and f16 K/V, the budget flagged, an undo back to the example's settings", () => {
    const h = handOff(DEFAULT_STATE, { model: "qwen3-14b" })!;
    assert.equal(h.state.model, "qwen3-14b");
    assert.deepEqual(
      [h.state.engine, h.state.revision, h.state.typeK, h.state.typeV],
      ["llama.cpp", "current", "f16", "f16"],
    );
    assert.deepEqual([h.state.nSeq, h.state.unified], [1, false]);
    assert.match(h.text, /upstream llama\.cpp .*f16 K\/V.*one sequence, as the CLI.*-np 4.*pick your machine/);
    assert.deepEqual(h.undo, {
      engine: "turboquant",
      revision: "2026-05",
      typeK: "q8_0",
      typeV: "turbo4",
      nSeq: 4,
      unified: true,
    });
    assert.equal(carriesExample({ ...h.state, hardware: "x", budget: "apple-metal-default" }), false);
  });

  it("the line follows later picks: the budget hint goes with a machine, the f16 clause with q8_0 K/V", () => {
    const h = handOff(DEFAULT_STATE, { model: "qwen3-14b" })!;
    const picked = { ...h.state, hardware: "apple-m3-max-36gb", budget: "apple-metal-default" };
    const line = handoffLine(h.said, picked)!;
    assert.match(line, /upstream llama\.cpp .*f16 K\/V/);
    assert.doesNotMatch(line, /pick your machine/);
    assert.equal(handoffLine([], picked), null);
    const q8 = handoffLine(h.said, { ...picked, typeK: "q8_0", typeV: "q8_0" })!;
    assert.match(q8, /upstream llama\.cpp/);
    assert.doesNotMatch(q8, /f16 K\/V/);
    assert.equal(handoffLine(h.said, h.state), h.text);
    const slots = handoffLine(h.said, { ...picked, nSeq: 4, unified: true })!;
    assert.doesNotMatch(slots, /one sequence/);
  });

  it("picking a machine also sets one sequence, not unified (the CLI's and /models/' question)", () => {
    const h = handOff(DEFAULT_STATE, { hardware: "nvidia-rtx-4090", budget: "generic-gpu" })!;
    assert.deepEqual([h.state.nSeq, h.state.unified], [1, false]);
    assert.deepEqual(h.said, ["engine", "kv", "seq"]);
    assert.deepEqual(handOff({ ...DEFAULT_STATE, typeV: "q8_0", nSeq: 1, unified: false }, { model: "x" })!.said, [
      "engine",
    ]);
  });

  it("no hand-off once the question is the user's, nor for other inputs", () => {
    const mine = {
      ...DEFAULT_STATE,
      engine: "llama.cpp" as const,
      revision: "current",
      typeK: "f16" as const,
      typeV: "f16" as const,
      budget: "generic-gpu",
    };
    assert.equal(handOff(mine, { model: "qwen3-14b" }), null);
    assert.equal(handOff(DEFAULT_STATE, { ctx: 65536 }), null);
  });

  it("Ollama starts at its default OLLAMA_NUM_PARALLEL = 1", () => {
    assert.deepEqual(enginePatch("ollama"), { engine: "ollama", nSeq: 1 });
    assert.deepEqual(enginePatch("llama.cpp"), { engine: "llama.cpp" });
  });
});
