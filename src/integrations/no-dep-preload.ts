/**
 * A Vite plugin: in the client build a dynamic `import()` loads its chunk and the browser finds
 * that chunk's own imports, instead of Vite's preload helper first adding a script-inserted
 * `<link rel="modulepreload">` to <head> for each of them. On /calculator/ the helper ran inside
 * the island module's evaluation while the page was still being parsed: ten links for the engine,
 * chart writer and machine panel chunks, ≈50 ms of main thread at 4× CPU throttling before the
 * first live answer (trace A/B, module evaluation 111 → 58 ms; bench: time to interactive). The
 * chunks are still requested as soon as the island's module runs (use-engine.ts, Calculator.tsx)
 * and their imports one request later, while the main thread is still busy with the page: the
 * traces show no wait for them. Astro sets the top-level `build.modulePreload` itself, so this sets
 * the client environment's.
 */
import type { Plugin } from "vite";

export function noDependencyPreload(): Plugin {
  return {
    name: "context-ceiling:no-dependency-preload",
    configEnvironment(name) {
      if (name === "client") return { build: { modulePreload: false } };
    },
  };
}
