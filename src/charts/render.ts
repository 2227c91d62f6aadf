/**
 * Renders Plot options to markup at build time (static SVG or figure HTML), through the virtual
 * DOM. Charts are pure `(data, options) => PlotOptions` builders; this is the only bridge to SSR.
 */
import * as Plot from "@observablehq/plot";
import { VDocument, type VElement } from "./virtual-dom.ts";

export function renderPlotToString(options: Plot.PlotOptions): string {
  const document = new VDocument() as unknown as Document;
  const node = Plot.plot({ ...options, document }) as unknown as VElement;
  return node.serialize();
}
