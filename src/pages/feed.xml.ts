/** /feed.xml: Atom feed of the published reports (hand-written, see src/lib/reports/feed.ts). */
import type { APIRoute } from "astro";
import { getCollection } from "astro:content";
import { atomFeed } from "../lib/reports/feed.ts";
import { publishedReports } from "../lib/reports/report-list.ts";
import { SITE_DESCRIPTION, SITE_TITLE } from "../site.ts";
import { withBase } from "../utils/base.ts";

export const GET: APIRoute = async ({ site }) => {
  const origin = site ?? new URL("http://localhost/");
  const abs = (p: string) => new URL(withBase(p), origin).href;
  const reports = publishedReports(await getCollection("reports"));
  const xml = atomFeed(
    { title: `${SITE_TITLE} reports`, subtitle: SITE_DESCRIPTION, home: abs("/"), self: abs("/feed.xml") },
    reports.map((r) => ({
      title: r.data.title,
      url: abs(`/reports/${r.id}/`),
      date: r.data.date,
      summary: r.data.description,
    })),
  );
  return new Response(xml, { headers: { "Content-Type": "application/atom+xml; charset=utf-8" } });
};
