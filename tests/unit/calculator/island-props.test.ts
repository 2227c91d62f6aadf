/**
 * The calculator island gets its light catalog, first view and its weights as one JSON text (island-json.ts)
 * instead of through Astro's prop serialisation: what it holds after parsing must be what Astro's
 * road (serializeProps on the server, the island loader's revive in the browser) gave it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { serializeProps } from "astro/runtime/server/serialize.js";
import { lightCatalog } from "../../../src/lib/calculator/catalog.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { computeView, weightsSeedFor } from "../../../src/lib/calculator/view.ts";
import { islandJson, parseIslandJson } from "../../../src/views/calculator/island-json.ts";
import { loadCatalog } from "./load-catalog.ts";

type Tagged = [number, unknown?];
/** The browser half of Astro's road: astro-island's revive of [type, value] pairs (objects, arrays, ±Infinity). */
function revive([type, v]: Tagged): unknown {
  if (type === 0) {
    if (typeof v !== "object" || v === null) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x as Tagged)]));
  }
  if (type === 1) return (v as Tagged[]).map(revive);
  if (type === 11) return Number.POSITIVE_INFINITY * (v as number);
  throw new Error(`prop type ${type}: not expected in the calculator's props`);
}

const catalog = loadCatalog();
const light = lightCatalog(catalog);
const STATES: CalcState[] = [
  DEFAULT_STATE,
  { ...DEFAULT_STATE, model: "gpt-oss-20b", view: "residual" },
  { ...DEFAULT_STATE, model: "llama-3.3-70b", typeK: "f16", typeV: "f16", ctx: 131072 },
  { ...DEFAULT_STATE, model: "qwen3-14b", hardware: "nvidia-rtx-4090", backend: "cuda", engine: "llama.cpp" },
];

test("one JSON text gives the island what Astro's serialisation and revive gave it", () => {
  let seeds = 0;
  for (const state of STATES) {
    const inp = { state, catalog, loaded: null, extraRuns: [] };
    const initialView = computeView(inp);
    const data = { light, initialView, initialWeights: weightsSeedFor(inp, initialView.s) };
    if (data.initialWeights) seeds++;
    const viaAstro = revive([
      0,
      JSON.parse(serializeProps(data, { displayName: "CalculatorIsland", astroStaticSlot: true, hydrate: "load" })),
    ]);
    const viaJson = parseIslandJson(islandJson(data));
    assert.deepStrictEqual(viaJson, viaAstro, state.model);
  }
  assert.ok(seeds > 0, "states with the weights of their first answer");
});
