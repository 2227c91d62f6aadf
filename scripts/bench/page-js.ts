/**
 * JS bytes a built page ships, from its HTML and the files of dist/: pure functions so a unit
 * test can check the accounting on a fixture page.
 *
 * - entry points: `<script src>`, `<link rel="modulepreload">` and the `component-url` /
 *   `renderer-url` of every `<astro-island>` (an island with a client directive loads both);
 * - initial = the entries and everything they import statically (`import … from "./x.js"`,
 *   `import "./x.js"`, `export … from`), each file counted once;
 * - lazy = what the initial files reach only through dynamic `import()` (and that closure), not
 *   already initial;
 * - inline = the text of inline `<script>` elements that hold JavaScript (JSON and other data
 *   blocks excluded), each gzipped on its own.
 *
 * gzip = zlib level 6 (the default), per file, as a server compresses each response.
 */
import { gzipSync } from "node:zlib";

export interface PageScripts {
  /** URL paths (as written in the page) of external scripts, module preloads and island modules. */
  entries: string[];
  /** Bodies of inline JavaScript `<script>` elements. */
  inline: string[];
  islands: number;
}

export interface JsTotals {
  files: string[];
  raw: number;
  gzip: number;
}

export interface PageJs {
  initial: JsTotals;
  lazy: JsTotals;
  inline: { count: number; raw: number; gzip: number };
  islands: number;
  /** Referenced files that are not in dist (a broken page, reported rather than ignored). */
  missing: string[];
}

const JS_TYPES = new Set(["", "module", "text/javascript", "application/javascript"]);

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

function decodeEntities(s: string): string {
  // &amp; last, so "&amp;quot;" stays the text "&quot;"
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** What a page's HTML loads: external and inline scripts, module preloads, island modules. */
export function pageScripts(html: string): PageScripts {
  const entries: string[] = [];
  const inline: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const tag = `<script${m[1]}>`;
    const type = (attr(tag, "type") ?? "").trim().toLowerCase();
    if (!JS_TYPES.has(type)) continue;
    const src = attr(tag, "src");
    if (src !== undefined) entries.push(decodeEntities(src));
    else if (m[2].trim() !== "") inline.push(m[2]);
  }
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = (attr(m[0], "rel") ?? "").toLowerCase().split(/\s+/);
    const href = attr(m[0], "href");
    if (rel.includes("modulepreload") && href) entries.push(decodeEntities(href));
  }
  let islands = 0;
  for (const m of html.matchAll(/<astro-island\b[^>]*>/gi)) {
    islands++;
    for (const name of ["component-url", "renderer-url"]) {
      const u = attr(m[0], name);
      if (u) entries.push(decodeEntities(u));
    }
  }
  return { entries: [...new Set(entries)], inline, islands };
}

/** Relative or absolute module specifiers a JS file imports statically, and those it imports dynamically. */
export function moduleImports(js: string): { static: string[]; dynamic: string[] } {
  const stat = new Set<string>();
  const dyn = new Set<string>();
  // `import{a as b}from"./x.js"`, `import x from './x.js'`, `import"./x.js"`, `export*from"./x.js"`
  const STATIC = /(?:^|[^\w$.])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?(["'`])([^"'`\n]+)\1/g;
  for (const m of js.matchAll(STATIC)) stat.add(m[2]);
  for (const m of js.matchAll(/(?:^|[^\w$.])import\s*\(\s*(["'`])([^"'`\n]+)\1\s*\)/g)) dyn.add(m[2]);
  const isPath = (s: string) => s.startsWith("./") || s.startsWith("../") || s.startsWith("/");
  return { static: [...stat].filter(isPath), dynamic: [...dyn].filter(isPath) };
}

/** Resolve `spec` against the URL path `from` (a page or a module), to a URL path. */
export function resolvePath(spec: string, from: string): string {
  return new URL(spec, new URL(from, "http://site.invalid")).pathname;
}

function totals(files: Iterable<string>, read: (urlPath: string) => Buffer | undefined): JsTotals {
  let raw = 0;
  let gzip = 0;
  const list = [...files].sort();
  for (const f of list) {
    const b = read(f);
    if (!b) continue;
    raw += b.length;
    gzip += gzipLength(b);
  }
  return { files: list, raw, gzip };
}

const gzCache = new WeakMap<Buffer, number>();
export function gzipLength(b: Buffer | string): number {
  if (typeof b === "string") return gzipSync(Buffer.from(b)).length;
  let n = gzCache.get(b);
  if (n === undefined) {
    n = gzipSync(b).length;
    gzCache.set(b, n);
  }
  return n;
}

/**
 * The JS a page at URL path `pagePath` ships. `read(urlPath)` returns a file of the built site by
 * its URL path (base included), or undefined when there is none.
 */
export function pageJs(html: string, pagePath: string, read: (urlPath: string) => Buffer | undefined): PageJs {
  const s = pageScripts(html);
  const missing = new Set<string>();
  const closure = (starts: string[], seen: Set<string>, dynamicOut: Set<string>): Set<string> => {
    const out = new Set<string>();
    const queue = [...starts];
    while (queue.length) {
      const f = queue.pop()!;
      if (seen.has(f) || out.has(f)) continue;
      const b = read(f);
      if (!b) {
        missing.add(f);
        continue;
      }
      out.add(f);
      const imp = moduleImports(b.toString("utf8"));
      for (const spec of imp.static) queue.push(resolvePath(spec, f));
      for (const spec of imp.dynamic) dynamicOut.add(resolvePath(spec, f));
    }
    return out;
  };
  const dynamicStarts = new Set<string>();
  const initial = closure(
    s.entries.map((e) => resolvePath(e, pagePath)),
    new Set(),
    dynamicStarts,
  );
  const lazy = new Set<string>();
  let frontier = [...dynamicStarts];
  while (frontier.length) {
    const next = new Set<string>();
    for (const f of closure(frontier, new Set([...initial, ...lazy]), next)) lazy.add(f);
    frontier = [...next].filter((f) => !initial.has(f) && !lazy.has(f));
  }
  const inlineRaw = s.inline.reduce((a, t) => a + Buffer.byteLength(t), 0);
  const inlineGz = s.inline.reduce((a, t) => a + gzipLength(t), 0);
  return {
    initial: totals(initial, read),
    lazy: totals(lazy, read),
    inline: { count: s.inline.length, raw: inlineRaw, gzip: inlineGz },
    islands: s.islands,
    missing: [...missing].sort(),
  };
}
