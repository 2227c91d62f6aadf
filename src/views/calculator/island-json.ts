/**
 * The calculator island's large props (the light catalog, the build's first view and its weights) as one
 * JSON text: the island parses it once (JSON.parse) instead of Astro's island loader reviving
 * every value of its own serialisation before hydration (CalculatorIsland.tsx; bench: time to
 * interactive). island-props.test.ts: what the island gets is what Astro's road gave it.
 */
import type { LightCatalog } from "../../lib/calculator/catalog.ts";
import type { CalcView, WeightsSeed } from "../../lib/calculator/view.ts";

export interface IslandData {
  light: LightCatalog;
  initialView: CalcView;
  /** The weights of the first state (lib/calculator/view/weights-seed.ts). */
  initialWeights: WeightsSeed | null;
}

export function islandJson(d: IslandData): string {
  return JSON.stringify({ light: d.light, initialView: d.initialView, initialWeights: d.initialWeights });
}

export function parseIslandJson(json: string): IslandData {
  return JSON.parse(json) as IslandData;
}
