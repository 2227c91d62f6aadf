/**
 * The chart builder as the island loads it: a dynamic-import target of its own, so the build's
 * static import of the builder (for the first-paint SVG) does not pin it into the island chunk.
 */
export { memoryVsContext } from "../../charts/memory-vs-context.ts";
