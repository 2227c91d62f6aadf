/**
 * The one definition of a preset's default weights (src/lib/catalog/weights.ts), shared by the
 * calculator page and `npm run calc`: each rule on a made-up variant list, then the real presets.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { defaultWeightVariant, FALLBACK_WEIGHTS_FTYPE } from "../../../src/lib/catalog/weights.ts";
import { reduceModel } from "../../../src/lib/calculator/catalog.ts";
import { withModelDefaults } from "../../../src/lib/calculator/model-change.ts";
import { DEFAULT_STATE } from "../../../src/lib/calculator/state.ts";
import { ModelSchema, type WeightVariant } from "../../../src/schemas/model.ts";
import { DATA_DIR } from "./fixture.ts";

const { catalog } = loadCatalog(DATA_DIR);
const preset = (id: string) => {
  const m = catalog.models.find((x) => x.id === id);
  assert.ok(m, id);
  return m;
};

function variant(id: string, patch: Partial<WeightVariant>): WeightVariant {
  return {
    id,
    ollamaTag: null,
    aliases: [],
    publisher: "someone",
    ftype: null,
    ftypeStated: null,
    bytes: 1e9,
    bytesKind: "displayed",
    statedAs: null,
    includesVision: null,
    listingStatus: "unverified",
    source: "test",
    notes: null,
    ...patch,
  };
}

const userTag = variant("user", { ollamaTag: "someone/model:Q5_K_M", ftype: "Q5_K_M" });
const library = variant("library", { ollamaTag: "model:14b", ftype: "Q4_K_M" });
const exact = variant("exact", { ftype: "Q6_K", bytesKind: "exact" });
const unknown = variant("unknown", { ollamaTag: "model:27b", ftype: null });

describe("defaultWeightVariant", () => {
  it("a variant the preset marks default wins", () => {
    const marked = variant("marked", { ftype: "Q8_0", default: true });
    const d = defaultWeightVariant({ weights: [library, exact, marked] });
    assert.equal(d.ftype, "Q8_0");
    assert.equal(d.variant?.id, "marked");
  });

  it("else the Ollama library's tag, not a user namespace's", () => {
    const d = defaultWeightVariant({ weights: [userTag, exact, library] });
    assert.equal(d.ftype, "Q4_K_M");
    assert.equal(d.variant?.id, "library");
    assert.match(d.basis, /model:14b/);
  });

  it("else the exactly measured published file", () => {
    assert.equal(defaultWeightVariant({ weights: [userTag, exact] }).variant?.id, "exact");
  });

  it("variants without a known ftype are passed over; nothing usable → the fallback, said", () => {
    const d = defaultWeightVariant({ weights: [unknown, userTag] });
    assert.equal(d.ftype, FALLBACK_WEIGHTS_FTYPE);
    assert.equal(d.variant, null);
    assert.match(d.basis, /no listed file with a known ftype/);
    assert.equal(defaultWeightVariant({ weights: [] }).ftype, "Q4_K_M");
  });

  it("real presets: qwen3-14b → qwen3:14b Q4_K_M, gpt-oss-20b → MXFP4_MOE, gemma-3-27b → fallback", () => {
    assert.equal(defaultWeightVariant(preset("qwen3-14b")).variant?.ollamaTag, "qwen3:14b");
    assert.equal(defaultWeightVariant(preset("gpt-oss-20b")).ftype, "MXFP4_MOE");
    const g = defaultWeightVariant(preset("gemma-3-27b"));
    assert.equal(g.ftype, "Q4_K_M");
    assert.equal(g.variant, null, "gemma3:27b's listing does not say its ftype");
  });

  it("the schema allows one default variant, naming its ftype", () => {
    const m = structuredClone(preset("qwen3-14b")) as Record<string, unknown> & { weights: WeightVariant[] };
    m.weights = [variant("a", { ftype: "Q8_0", default: true }), variant("b", { ftype: "F16", default: true })];
    assert.match(JSON.stringify(ModelSchema.safeParse(m).error?.issues), /at most one weight variant/);
    m.weights = [variant("a", { default: true })];
    assert.match(JSON.stringify(ModelSchema.safeParse(m).error?.issues), /must name its ftype/);
    m.weights = [variant("a", { ftype: "Q8_0", default: true })];
    assert.equal(ModelSchema.safeParse(m).success, true);
  });
});

describe("the calculator page picks the same default", () => {
  const models = catalog.models.map((m) => reduceModel(m));

  it("every model option carries its preset's default ftype", () => {
    for (const m of catalog.models)
      assert.equal(models.find((x) => x.id === m.id)?.defaultFtype, defaultWeightVariant(m).ftype, m.id);
  });

  it("the default state's ftype is the default model's default", () => {
    assert.equal(DEFAULT_STATE.ftype, defaultWeightVariant(preset(DEFAULT_STATE.model)).ftype);
  });

  it("choosing another preset brings its default weights; an explicit ftype or a GGUF keeps its own", () => {
    assert.deepEqual(withModelDefaults({ model: "gpt-oss-20b" }, DEFAULT_STATE, models), {
      model: "gpt-oss-20b",
      ftype: "MXFP4_MOE",
    });
    assert.deepEqual(withModelDefaults({ model: "gpt-oss-20b", ftype: "F16" }, DEFAULT_STATE, models), {
      model: "gpt-oss-20b",
      ftype: "F16",
    });
    assert.deepEqual(withModelDefaults({ model: "gguf" }, DEFAULT_STATE, models), { model: "gguf" });
    const onGptOss = { ...DEFAULT_STATE, model: "gpt-oss-20b", ftype: "Q8_0" };
    assert.deepEqual(withModelDefaults({ model: "gpt-oss-20b" }, onGptOss, models), { model: "gpt-oss-20b" });
    assert.deepEqual(withModelDefaults({ ctx: 4096 }, onGptOss, models), { ctx: 4096 });
  });
});
