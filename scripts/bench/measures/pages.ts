/**
 * JS shipped by each built page (issues 6, 7): initial (entry scripts, module preloads, island
 * modules and their static imports), lazy (reached only through dynamic import()), and inline
 * scripts — raw and gzip. Budgets: /calculator/ initial ≤ 40 KB gzip; pages without an island
 * (text-only) ship 0 bytes of JS. KB = 1000 bytes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { pageJs, type PageJs } from "../page-js.ts";
import { benchSite } from "../site.ts";
import type { Figure, Measure } from "../measure.ts";

const KB = 1000;

function htmlPages(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel))) {
    const r = path.join(rel, e);
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...htmlPages(dir, r));
    else if (e.endsWith(".html")) out.push(r);
  }
  return out;
}

/** dist-relative file → URL path the site serves it at (base "/"). */
function urlOf(rel: string): string {
  const p = "/" + rel.split(path.sep).join("/");
  return p.endsWith("/index.html") ? p.slice(0, -"index.html".length) : p;
}

interface PageRow extends PageJs {
  url: string;
}

function analyse(outDir: string): PageRow[] {
  const read = (urlPath: string): Buffer | undefined => {
    const f = path.join(outDir, decodeURIComponent(urlPath));
    return f.startsWith(outDir) && existsSync(f) && statSync(f).isFile() ? readFileSync(f) : undefined;
  };
  return htmlPages(outDir)
    .sort()
    .map((rel) => ({ url: urlOf(rel), ...pageJs(readFileSync(path.join(outDir, rel), "utf8"), urlOf(rel), read) }));
}

const total = (r: PageJs, k: "raw" | "gzip") => r.initial[k] + r.inline[k];

export const pageJsBytes: Measure = {
  name: "pages: JS bytes shipped per built page",
  quick: true,
  repeats: { full: 1, quick: 1 },
  skip: (ctx) => (benchSite(ctx.quick) ? undefined : "no dist/ to measure (run `npm run build`, or the full bench)"),
  setup: (ctx) => {
    const site = benchSite(ctx.quick)!;
    const rows = analyse(site.outDir);
    if (!rows.some((r) => r.url === "/calculator/")) throw new Error(`${site.outDir} has no /calculator/ page`);
    const broken = rows.filter((r) => r.missing.length);
    if (broken.length) throw new Error(`${broken[0].url} references missing files: ${broken[0].missing.join(", ")}`);
    ctx.state.rows = rows;
    ctx.state.site = site;
  },
  figures: (ctx) => {
    const rows = ctx.state.rows as PageRow[];
    const figs: Figure[] = [];
    for (const r of rows.filter((x) => x.islands > 0)) {
      const isCalc = r.url === "/calculator/";
      figs.push(
        {
          key: `${r.url} initial gzip`,
          unit: "KB",
          ...(isCalc
            ? { budget: { value: 40, cmp: "<=" as const, source: "issue 6: initial JS of /calculator/ ≤ 40 KB gzip" } }
            : {}),
        },
        { key: `${r.url} initial raw`, unit: "KB" },
        { key: `${r.url} lazy gzip`, unit: "KB" },
        { key: `${r.url} lazy raw`, unit: "KB" },
      );
    }
    const textOnly = rows.filter((r) => r.islands === 0).length;
    figs.push(
      {
        key: `text-only pages (${textOnly}): most JS on one`,
        unit: "B",
        budget: { value: 0, cmp: "<=", source: "issue 7: static pages with no widget ship no JS" },
      },
      { key: "text-only pages shipping any JS", unit: "pages", budget: { value: 0, cmp: "<=", source: "issue 7" } },
    );
    return figs;
  },
  sample: (ctx) => {
    const rows = ctx.state.rows as PageRow[];
    const out: Record<string, number> = {};
    for (const r of rows.filter((x) => x.islands > 0)) {
      // inline scripts (Astro's island loader) run before anything else: part of initial
      out[`${r.url} initial gzip`] = total(r, "gzip") / KB;
      out[`${r.url} initial raw`] = total(r, "raw") / KB;
      out[`${r.url} lazy gzip`] = r.lazy.gzip / KB;
      out[`${r.url} lazy raw`] = r.lazy.raw / KB;
    }
    const text = rows.filter((r) => r.islands === 0);
    out[`text-only pages (${text.length}): most JS on one`] = Math.max(
      0,
      ...text.map((r) => total(r, "raw") + r.lazy.raw),
    );
    out["text-only pages shipping any JS"] = text.filter((r) => total(r, "raw") + r.lazy.raw > 0).length;
    return out;
  },
  details: (ctx) => {
    const site = ctx.state.site as { outDir: string; fresh: boolean; builtAt: string };
    return {
      site: { ...site, outDir: site.fresh ? "(temporary build of data/)" : path.relative(process.cwd(), site.outDir) },
      gzip: "zlib level 6, per file; inline scripts gzipped one by one",
      pages: (ctx.state.rows as PageRow[]).map((r) => ({
        url: r.url,
        islands: r.islands,
        initial: { raw: r.initial.raw, gzip: r.initial.gzip, files: r.initial.files },
        inline: r.inline,
        lazy: { raw: r.lazy.raw, gzip: r.lazy.gzip, files: r.lazy.files },
      })),
    };
  },
};
