/**
 * Module preloads for island pages (src/integrations/island-preload.ts): the island's modules and
 * their static imports, each once, before </head>; dynamic imports and pages without an island
 * untouched. The built /calculator/ is checked by the bench (JS bytes per page: the preloads are
 * the initial JS it already counted).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  islandModules,
  loadIslandComponents,
  preloadList,
  staticImports,
  withPreloads,
} from "../../../src/integrations/island-preload.ts";

const files: Record<string, string> = {
  "/base/_astro/Island.a1.js":
    'import{h as e}from"./preact.b2.js";import"./side.c3.js";const l=()=>import("./lazy.d4.js");',
  "/base/_astro/preact.b2.js": 'export*from"./shared.e5.js";',
  "/base/_astro/side.c3.js": 'import{x}from"./shared.e5.js";',
  "/base/_astro/shared.e5.js": "export const x=1;",
  "/base/_astro/client.f6.js": 'import{h}from"./preact.b2.js";',
  "/base/_astro/lazy.d4.js": 'import{x}from"./shared.e5.js";',
};
const read = (u: string) => files[u];
const page = (body: string) => `<html><head><title>t</title></head><body>${body}</body></html>`;
const island =
  '<astro-island uid="1" component-url="/base/_astro/Island.a1.js" renderer-url="/base/_astro/client.f6.js" client="load" props="{}"></astro-island>';
const onlyIsland = island.replace('client="load"', 'client="only"').replace("Island.a1", "side.c3");

test("static imports of a built module: import … from, bare import, export … from; not import()", () => {
  assert.deepEqual(staticImports(files["/base/_astro/Island.a1.js"]), ["./preact.b2.js", "./side.c3.js"]);
  assert.deepEqual(staticImports(files["/base/_astro/preact.b2.js"]), ["./shared.e5.js"]);
  assert.deepEqual(staticImports('import x from "react";'), []);
});

test("the island's component and renderer, then their static closure, each once; lazy chunks left out", () => {
  assert.deepEqual(islandModules(page(island + island)), ["/base/_astro/Island.a1.js", "/base/_astro/client.f6.js"]);
  assert.deepEqual(preloadList(islandModules(page(island)), read), [
    "/base/_astro/Island.a1.js",
    "/base/_astro/client.f6.js",
    "/base/_astro/preact.b2.js",
    "/base/_astro/side.c3.js",
    "/base/_astro/shared.e5.js",
  ]);
});

test("links go before </head>; a page without an island is returned as it is", () => {
  const out = withPreloads(page(island), read);
  const head = out.slice(0, out.indexOf("</head>"));
  assert.equal(head.match(/<link rel="modulepreload" href="[^"]+">/g)?.length, 5);
  assert.equal(
    head.match(/<script type="module" async>[^<]*<\/script>/g)?.join(""),
    '<script type="module" async>import("/base/_astro/Island.a1.js").catch(()=>{})</script>',
  );
  assert.ok(!out.includes("lazy.d4.js"));
  assert.ok(out.endsWith(`${island}</body></html>`));
  assert.deepEqual(loadIslandComponents(page(island + onlyIsland)), ["/base/_astro/Island.a1.js"]);
  assert.ok(!withPreloads(page(onlyIsland), read).includes("<script"), "a client:only island is not started early");
  const plain = page("<p>text</p>");
  assert.equal(withPreloads(plain, read), plain);
});
