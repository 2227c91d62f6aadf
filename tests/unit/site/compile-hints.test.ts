/**
 * The engine's lazy chunks carry V8's compile hint (src/integrations/compile-hints.ts): the chunk
 * of lib/calculator/client.ts and the chunks only it brings in, never those the island's entry
 * loads before its first paint; each hinted once, the hint on the first line.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { engineCompileHints, HINT, hintedChunks, type ChunkNode } from "../../../src/integrations/compile-hints.ts";

const chunk = (fileName: string, o: Partial<ChunkNode> = {}): ChunkNode => ({
  fileName,
  isEntry: false,
  facadeModuleId: null,
  imports: [],
  dynamicImports: [],
  ...o,
});

const GRAPH: ChunkNode[] = [
  chunk("island.js", { isEntry: true, imports: ["hooks.js", "shared.js"], dynamicImports: ["client.js", "plot.js"] }),
  chunk("client.js", { facadeModuleId: "/repo/src/lib/calculator/client.ts", imports: ["budget.js", "shared.js"] }),
  chunk("budget.js", { imports: ["ggml.js", "hooks.js"] }),
  chunk("ggml.js"),
  chunk("shared.js", { imports: ["hooks.js"] }),
  chunk("hooks.js"),
  chunk("plot.js", { facadeModuleId: "/repo/src/views/calculator/chart-lazy.ts" }),
  // another page's island that loads the engine's budget chunk itself
  chunk("models.js", { isEntry: true, imports: ["budget.js"] }),
];

test("the engine chunk and what only it loads are hinted; the island's own chunks and Plot's are not", () => {
  assert.deepEqual(hintedChunks(GRAPH).sort(), ["budget.js", "client.js", "ggml.js"]);
  assert.deepEqual(hintedChunks(GRAPH.filter((c) => c.fileName !== "client.js")), []);
});

test("the plugin puts the hint on the first line of each, once", () => {
  const bundle: Record<string, ChunkNode & { type: string; code: string }> = {};
  for (const c of GRAPH) bundle[c.fileName] = { ...c, type: "chunk", code: `import"./x.js";// ${c.fileName}` };
  const plugin = engineCompileHints() as unknown as { generateBundle: (o: unknown, b: typeof bundle) => void };
  plugin.generateBundle({}, bundle);
  plugin.generateBundle({}, bundle);
  for (const [f, c] of Object.entries(bundle)) {
    const hinted = ["budget.js", "client.js", "ggml.js"].includes(f);
    assert.equal(c.code, `${hinted ? HINT : ""}import"./x.js";// ${f}`, f);
  }
  assert.equal(HINT, "//# allFunctionsCalledOnLoad\n");
});
