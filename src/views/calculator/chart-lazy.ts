/**
 * The live chart as the island loads it: Observable Plot's `plot` and the chart builder in one
 * dynamic-import target. Importing the one function (not the whole module namespace, which a
 * dynamic `import("@observablehq/plot")` materialises) lets the bundler leave out the marks,
 * transforms and d3 modules the calculator's chart never uses; and the build's static import of
 * the builder (for the first-paint SVG) does not pin it into the island chunk.
 */
export { plot } from "@observablehq/plot";
export { memoryVsContext } from "../../charts/memory-vs-context.ts";
