// @ts-check
import { defineConfig } from "astro/config";
import mdx from "@astrojs/mdx";
import preact from "@astrojs/preact";
import { runFilesIntegration } from "./src/integrations/run-files.ts";
import { islandPreloadIntegration } from "./src/integrations/island-preload.ts";
import { noDependencyPreload } from "./src/integrations/no-dep-preload.ts";
import { plotLazyInit } from "./src/integrations/plot-lazy-init.ts";
import { engineCompileHints } from "./src/integrations/compile-hints.ts";

// SITE_BASE lets the same tree publish at a sub-path (GitHub Pages) and lets the e2e suite
// prove that every internal link goes through the base helper.
const base = process.env.SITE_BASE ?? "/";

export default defineConfig({
  site: process.env.SITE_URL ?? "https://context-ceiling.example.org",
  base,
  trailingSlash: "always",
  // Several pages in flight: while one run page waits for its charts from the worker threads
  // (src/charts/chart-pool.ts), the main thread renders the next ones (bench: build time).
  build: { format: "directory", concurrency: 8 },
  prerenderConflictBehavior: "error",
  // runFilesIntegration: /runs/<id>/run.json and raw files are copied, not rendered (bench: build time)
  // Babel (the Preact plugin's JSX transform) only for the island components: left at its default
  // it re-parses and re-prints every .ts module of both bundles, seconds of every build (bench).
  // islandPreloadIntegration: pages with an island preload its modules (bench: /calculator/ time to
  // interactive); the run pages are text only (bench: 0 B of JS) and too many to read at build end.
  integrations: [
    preact({ include: [/\.[jt]sx$/] }),
    mdx(),
    runFilesIntegration(),
    islandPreloadIntegration({ skip: ["runs/"] }),
  ],
  // plotLazyInit: Plot's module-load work done when first needed (bench: /calculator/ time to interactive)
  // noDependencyPreload: no script-inserted module preloads for lazy chunks (same bench)
  // engineCompileHints: the engine's chunks compiled while they stream in (bench: ttiInput)
  vite: { plugins: [plotLazyInit(), noDependencyPreload(), engineCompileHints()] },
  outDir: process.env.SITE_OUT_DIR ?? "dist",
  devToolbar: { enabled: false },
});
