/**
 * The calculator island's two large props (the light catalog and the build's first view) as one
 * JSON text: the island parses it once (JSON.parse) instead of Astro's island loader reviving
 * every value of its own serialisation before hydration (CalculatorIsland.tsx; bench: time to
 * interactive). island-props.test.ts: what the island gets is what Astro's road gave it.
 */
import type { LightCatalog } from "../../lib/calculator/catalog.ts";
import type { CalcView } from "../../lib/calculator/view.ts";

export interface IslandData {
  light: LightCatalog;
  initialView: CalcView;
}

export function islandJson(d: IslandData): string {
  return JSON.stringify({ light: d.light, initialView: d.initialView });
}

export function parseIslandJson(json: string): IslandData {
  return JSON.parse(json) as IslandData;
}
