/**
 * /sitemap.xml, written by hand as an endpoint (no @astrojs/sitemap): every HTML page of the
 * build — the section pages (the memory model document among them), each report, each run with every list page, each /models budget.
 * The same route helpers as the pages produce the paths, so the two cannot drift apart.
 */
import type { APIRoute } from "astro";
import { getCollection } from "astro:content";
import { BUDGET_CHOICES, choicePath } from "../lib/catalog/choices.ts";
import { publishedReports } from "../lib/reports/report-list.ts";
import { escapeXml } from "../lib/reports/feed.ts";
import { allListPages } from "../lib/runs/run-index.ts";
import { runSummaries } from "../views/runs/runs-data.ts";
import { withBase } from "../utils/base.ts";

export const GET: APIRoute = async ({ site }) => {
  const origin = site ?? new URL("http://localhost/");
  const paths = new Set<string>(["/", "/calculator/", "/reports/", "/schema/", "/docs/memory-model/"]);
  for (const c of BUDGET_CHOICES) paths.add(choicePath(c));
  for (const r of publishedReports(await getCollection("reports"))) paths.add(`/reports/${r.id}/`);
  const summaries = await runSummaries();
  for (const p of allListPages(summaries)) paths.add(p.path);
  for (const s of summaries) paths.add(`/runs/${s.id}/`);
  const urls = [...paths].map((p) => `  <url><loc>${escapeXml(new URL(withBase(p), origin).href)}</loc></url>`);
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join("\n")}\n</urlset>\n`;
  return new Response(xml, { headers: { "Content-Type": "application/xml; charset=utf-8" } });
};
