import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import {
  filterEntries,
  findEntry,
  normalizeName,
  presetNames,
  splitQuery,
} from "../../../src/lib/catalog/find-preset.ts";
import { machineDefaults } from "../../../src/lib/catalog/machine.ts";
import { DATA_DIR } from "./fixture.ts";

const { catalog } = loadCatalog(DATA_DIR);
const models = catalog.models.map((m) => ({ id: m.id, name: m.name, names: presetNames(m) }));
const machines = catalog.hardware;

describe("finding a preset by what a person types", () => {
  it("ids, display names and Ollama tags of one model all find it", () => {
    for (const q of ["llama-3.1-70b", "Llama 3.1 70B", "Llama-3.1-70B", "llama3.1:70b", "Llama-3.1-70B-Instruct"])
      assert.equal(findEntry(models, q).match?.id, "llama-3.1-70b", q);
    assert.equal(findEntry(models, "gpt-oss:20b").match?.id, "gpt-oss-20b");
    assert.equal(findEntry(models, "llama3.1:latest").match?.id, "llama-3.1-8b");
  });

  it("an Ollama tag's weight suffix names the weights", () => {
    assert.deepEqual(splitQuery("qwen3:14b-q8_0"), { base: "qwen3:14b", ftype: "Q8_0" });
    const r = findEntry(models, "qwen3:14b-q4_K_M");
    assert.deepEqual([r.match?.id, r.ftype], ["qwen3-14b", "Q4_K_M"]);
  });

  it("a miss suggests the nearest presets, never a confident wrong one", () => {
    const r = findEntry(models, "llama 70b");
    assert.equal(r.match, null);
    assert.ok(r.suggestions.some((s) => s.id === "llama-3.1-70b"));
    assert.ok(r.suggestions.some((s) => s.id === "llama-3.3-70b"));
    assert.deepEqual(findEntry(models, "zzzzzzzzzzzzzzzz").suggestions, []);
  });

  it("every name a preset answers to is its own (no two presets share a normalized name)", () => {
    const owner = new Map<string, string>();
    for (const e of models)
      for (const k of new Set([e.id, e.name, ...e.names].map(normalizeName))) {
        assert.ok(!owner.has(k) || owner.get(k) === e.id, `${k}: ${owner.get(k)} and ${e.id}`);
        owner.set(k, e.id);
      }
  });

  it("machines are found by part of their name when only one contains it", () => {
    assert.equal(findEntry(machines, "rtx 4090", { contains: true }).match?.id, "nvidia-rtx-4090");
    assert.equal(findEntry(machines, "M3 Max 36 GB", { contains: true }).match?.id, "apple-m3-max-36gb");
    const h100 = findEntry(machines, "h100", { contains: true });
    assert.equal(h100.match, null);
    assert.ok(h100.suggestions.length >= 2);
  });

  it("a filter lists the presets whose names contain it", () => {
    const ids = filterEntries(models, "gpt-oss").map((e) => e.id);
    assert.deepEqual(ids.sort(), ["gpt-oss-120b", "gpt-oss-20b"]);
  });
});

describe("what picking a machine sets", () => {
  it("a Mac: the Metal working-set budget and the metal backend; a card: VRAM less the display, cuda", () => {
    assert.deepEqual(machineDefaults({ vendor: "apple", memoryKind: "unified" }), {
      budgetId: "apple-metal-default",
      backend: "metal",
      note: null,
    });
    assert.equal(machineDefaults({ vendor: "nvidia", memoryKind: "discrete" }).budgetId, "generic-gpu");
    assert.match(machineDefaults({ vendor: "amd", memoryKind: "discrete" }).note ?? "", /HIP/);
  });
});
