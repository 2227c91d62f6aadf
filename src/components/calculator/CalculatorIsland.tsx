/**
 * The calculator as the page mounts it (client:load): the light catalog and the build's first view
 * arrive as one JSON text (src/views/calculator/island-json.ts), parsed once, and the island is
 * the calculator with them.
 */
import { useMemo } from "preact/hooks";
import { parseIslandJson } from "../../views/calculator/island-json.ts";
import { Calculator, type CalculatorProps } from "./Calculator.tsx";

export type IslandProps = Omit<CalculatorProps, "light" | "initialView" | "initialWeights"> & { json: string };

export function CalculatorIsland({ json, ...rest }: IslandProps) {
  const data = useMemo(() => parseIslandJson(json), [json]);
  return <Calculator {...rest} {...data} />;
}

export default CalculatorIsland;
