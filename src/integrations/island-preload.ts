/**
 * Module preloads for the pages that carry an island. Astro's island loader imports the island's
 * component only once the island's children are parsed (for the calculator: the whole page), and
 * the browser finds that module's static imports only once it has arrived: two round trips after
 * the HTML, on the critical path of the first live answer (bench: /calculator/ time to
 * interactive). At build end each such page gets `<link rel="modulepreload">` in its <head> for
 * the island's component and renderer modules and everything they import statically, so they are
 * fetched (and compiled) while the page is parsed. Dynamic imports (the lazy chunks) stay lazy: the
 * list is exactly the page's initial JS as the bench counts it.
 *
 * A `client:load` island's component module is also imported by a one-line async module script
 * in <head>, so it runs as soon as it has arrived (its module-level code starts the island's lazy
 * chunks: the calculator's engine and chart) rather than when the island starts at the end of the
 * parse; the island later imports the same, already evaluated, module and hydrates as before.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AstroIntegration } from "astro";

/** The island module URLs of a page (component and renderer), entity-decoded. */
export function islandModules(html: string): string[] {
  const out: string[] = [];
  for (const tag of html.match(/<astro-island\b[^>]*>/g) ?? []) {
    for (const name of ["component-url", "renderer-url"]) {
      const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
      if (m && m[1]) out.push(m[1].replace(/&amp;/g, "&"));
    }
  }
  return [...new Set(out)];
}

/** The component modules of the page's `client:load` islands (the ones hydrated at once). */
export function loadIslandComponents(html: string): string[] {
  const out: string[] = [];
  for (const tag of html.match(/<astro-island\b[^>]*>/g) ?? []) {
    if (!/\sclient="load"/.test(tag)) continue;
    const m = /\scomponent-url="([^"]*)"/.exec(tag);
    if (m && m[1]) out.push(m[1].replace(/&amp;/g, "&"));
  }
  return [...new Set(out)];
}

/** Relative specifiers a built module imports statically (`import…from"./x.js"`, `import"./x.js"`, `export…from`). */
export function staticImports(js: string): string[] {
  const out = new Set<string>();
  const re = /(?:^|[^\w$.])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?(["'])(\.{1,2}\/[^"'\n]+)\1/g;
  for (const m of js.matchAll(re)) out.add(m[2]);
  return [...out];
}

/**
 * `entries` (URL paths) and their static imports, in discovery order (entries first); `read`
 * gives a module's text by URL path, undefined when it is not a file of the build.
 */
export function preloadList(entries: string[], read: (urlPath: string) => string | undefined): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const f = queue.shift()!;
    if (seen.has(f)) continue;
    const js = read(f);
    if (js === undefined) continue;
    seen.add(f);
    for (const spec of staticImports(js)) queue.push(new URL(spec, `http://x${f}`).pathname);
  }
  return [...seen];
}

/** The page with one modulepreload link per module, before `</head>`; unchanged without islands. */
export function withPreloads(html: string, read: (urlPath: string) => string | undefined): string {
  const entries = islandModules(html);
  if (entries.length === 0 || !html.includes("</head>")) return html;
  const links = preloadList(entries, read)
    .map((u) => `<link rel="modulepreload" href="${u.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}">`)
    .join("");
  const early = loadIslandComponents(html)
    .map(
      (u) => `<script type="module" async>import(${JSON.stringify(u).replace(/</g, "\\u003c")}).catch(()=>{})</script>`,
    )
    .join("");
  return html.replace("</head>", `${links}${early}</head>`);
}

/**
 * `skip`: page path prefixes (relative to the output folder) that carry no island and are too many
 * to read at build end (the run pages).
 */
export function islandPreloadIntegration(opts: { skip: string[] }): AstroIntegration {
  let base = "/";
  return {
    name: "context-ceiling:island-preload",
    hooks: {
      "astro:config:done": ({ config }) => {
        base = config.base.endsWith("/") ? config.base : `${config.base}/`;
      },
      "astro:build:done": ({ dir, pages }) => {
        const out = fileURLToPath(dir);
        const cache = new Map<string, string | undefined>();
        const read = (urlPath: string): string | undefined => {
          if (!cache.has(urlPath)) {
            const rel = urlPath.startsWith(base) ? urlPath.slice(base.length) : null;
            const file = rel === null ? null : path.join(out, rel);
            cache.set(
              urlPath,
              file && file.startsWith(out) && existsSync(file) ? readFileSync(file, "utf8") : undefined,
            );
          }
          return cache.get(urlPath);
        };
        for (const { pathname } of pages) {
          if (opts.skip.some((p) => pathname.startsWith(p))) continue;
          const file = path.join(out, pathname, "index.html");
          if (!existsSync(file)) continue;
          const html = readFileSync(file, "utf8");
          const next = withPreloads(html, read);
          if (next !== html) writeFileSync(file, next);
        }
      },
    },
  };
}
