import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { moduleImports, pageJs, pageScripts, resolvePath } from "../../../scripts/bench/page-js.ts";

// A page with: one island (component + renderer), an external module script, a module preload,
// an inline script, a JSON data block (not JS) and a stylesheet (not JS).
const PAGE = `<!doctype html><html><head>
<link rel="stylesheet" href="/base/_astro/site.css">
<link rel="modulepreload" href="/base/_astro/pre.js">
<script type="application/ld+json">{"@type":"WebPage"}</script>
<script>console.log(1)</script>
</head><body>
<astro-island uid="a" component-url="/base/_astro/Widget.js" renderer-url="/base/_astro/client.js" client="load"></astro-island>
<script type="module" src="../_astro/page.js"></script>
</body></html>`;

// Module graph (file → body). Widget imports shared.js statically and chart.js dynamically;
// chart.js imports plot.js statically and shared.js (already initial) statically.
const FILES: Record<string, string> = {
  "/base/_astro/Widget.js": `import{a as b}from"./shared.js";const c=()=>import("./chart.js");export{b,c};`,
  "/base/_astro/client.js": `export default function r(){}`,
  "/base/_astro/page.js": `import"./shared.js";`,
  "/base/_astro/pre.js": `export const p=1;`,
  "/base/_astro/shared.js": `export const a=42;`,
  "/base/_astro/chart.js": `import{x}from"./plot.js";import{a}from"./shared.js";export{x,a};`,
  "/base/_astro/plot.js": `export const x="plot";`,
  "/base/_astro/site.css": `body{}`,
};
const read = (p: string) => (p in FILES ? Buffer.from(FILES[p]) : undefined);
const bytes = (...names: string[]) => names.reduce((a, n) => a + Buffer.byteLength(FILES[`/base/_astro/${n}`]), 0);
const gz = (...names: string[]) =>
  names.reduce((a, n) => a + gzipSync(Buffer.from(FILES[`/base/_astro/${n}`])).length, 0);

test("entries: external module scripts, module preloads and island modules; inline JS but not JSON", () => {
  const s = pageScripts(PAGE);
  assert.deepEqual(
    [...s.entries].sort(),
    ["../_astro/page.js", "/base/_astro/Widget.js", "/base/_astro/client.js", "/base/_astro/pre.js"].sort(),
  );
  assert.deepEqual(s.inline, ["console.log(1)"]);
  assert.equal(s.islands, 1);
});

test("entity-encoded attribute values are decoded once", () => {
  const s = pageScripts('<astro-island component-url="/_astro/a&amp;b.js" renderer-url="/_astro/&amp;quot;.js">');
  assert.deepEqual(s.entries, ["/_astro/a&b.js", "/_astro/&quot;.js"]);
});

test("static and dynamic imports of minified modules are told apart", () => {
  assert.deepEqual(moduleImports(FILES["/base/_astro/Widget.js"]), {
    static: ["./shared.js"],
    dynamic: ["./chart.js"],
  });
  assert.deepEqual(moduleImports("import(`./a.js`);import'./b.js';export*from\"../c.js\""), {
    static: ["./b.js", "../c.js"],
    dynamic: ["./a.js"],
  });
  // bare specifiers and import.meta are not files of the site
  assert.deepEqual(moduleImports(`import"preact";const u=import.meta.url;`), { static: [], dynamic: [] });
});

test("relative paths resolve against the page or module URL", () => {
  assert.equal(resolvePath("../_astro/page.js", "/base/calculator/"), "/base/_astro/page.js");
  assert.equal(resolvePath("./shared.js", "/base/_astro/Widget.js"), "/base/_astro/shared.js");
});

test("initial = entries + static closure, each file once; lazy = the dynamic closure minus initial", () => {
  const r = pageJs(PAGE, "/base/calculator/", read);
  // initial: Widget, client, page, pre, shared (shared is reached twice, counted once)
  assert.deepEqual(
    r.initial.files,
    ["Widget.js", "client.js", "page.js", "pre.js", "shared.js"].map((n) => `/base/_astro/${n}`),
  );
  assert.equal(r.initial.raw, bytes("Widget.js", "client.js", "page.js", "pre.js", "shared.js"));
  assert.equal(r.initial.gzip, gz("Widget.js", "client.js", "page.js", "pre.js", "shared.js"));
  // lazy: chart and what only it reaches (plot); shared is already initial
  assert.deepEqual(r.lazy.files, ["/base/_astro/chart.js", "/base/_astro/plot.js"]);
  assert.equal(r.lazy.raw, bytes("chart.js", "plot.js"));
  assert.equal(r.inline.count, 1);
  assert.equal(r.inline.raw, "console.log(1)".length);
  assert.equal(r.inline.gzip, gzipSync(Buffer.from("console.log(1)")).length);
  assert.deepEqual(r.missing, []);
});

test("a text-only page ships nothing; a referenced file that is not built is reported", () => {
  const none = pageJs("<html><body><p>text</p><svg><script>x</script></svg></body></html>", "/a/", read);
  // an inline <script> is still JS even inside SVG markup: the accounting must see it
  assert.equal(none.inline.count, 1);
  const empty = pageJs("<html><body><p>text</p></body></html>", "/a/", read);
  assert.equal(empty.initial.raw + empty.lazy.raw + empty.inline.raw, 0);
  const broken = pageJs('<script type="module" src="/gone.js"></script>', "/", read);
  assert.deepEqual(broken.missing, ["/gone.js"]);
});
