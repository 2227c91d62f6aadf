/**
 * A Vite plugin: the calculator engine's lazy chunks (the dynamic import of
 * src/lib/calculator/client.ts and the chunks only it brings in) start with V8's explicit compile
 * hint `//# allFunctionsCalledOnLoad`, so Chromium compiles their functions while the chunk
 * streams in, off the main thread, instead of one by one on the main thread when first called.
 * The first input after the live chart runs the engine's half at the context for the first time
 * (compute at the context, rows, commands, verdict): most of its cost was that lazy compilation
 * (trace at 4× CPU throttling; bench: the controls measure's ttiInput). Chunks the island's own
 * entry loads are left as they are (they are on the path to the first paint). A comment to other
 * engines.
 */
import type { Plugin } from "vite";

export const HINT = "//# allFunctionsCalledOnLoad\n";
const ENGINE = "/src/lib/calculator/client.ts";

/** What generateBundle reads of a chunk. */
export interface ChunkNode {
  fileName: string;
  isEntry: boolean;
  facadeModuleId: string | null;
  imports: string[];
  dynamicImports: string[];
}

function closure(start: ChunkNode, byName: Map<string, ChunkNode>, seen: Set<string>): Set<string> {
  const todo = [start];
  seen.add(start.fileName);
  while (todo.length) {
    for (const f of todo.pop()!.imports) {
      const c = byName.get(f);
      if (!c || seen.has(f)) continue;
      seen.add(f);
      todo.push(c);
    }
  }
  return seen;
}

/** The chunks to hint: the engine chunk's static closure, less what an entry importing it loads first. */
export function hintedChunks(chunks: readonly ChunkNode[]): string[] {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const engine = chunks.find((c) => c.facadeModuleId?.replace(/\\/g, "/").endsWith(ENGINE));
  if (!engine) return [];
  const first = new Set<string>();
  for (const c of chunks) if (c.isEntry && c.dynamicImports.includes(engine.fileName)) closure(c, byName, first);
  return [...closure(engine, byName, new Set())].filter((f) => !first.has(f));
}

export function engineCompileHints(): Plugin {
  return {
    name: "context-ceiling:engine-compile-hints",
    applyToEnvironment: (env) => env.name === "client",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).flatMap((o) => (o.type === "chunk" ? [o] : []));
      for (const f of hintedChunks(chunks)) {
        const c = bundle[f];
        if (c.type === "chunk" && !c.code.startsWith(HINT)) c.code = HINT + c.code;
      }
    },
  };
}
