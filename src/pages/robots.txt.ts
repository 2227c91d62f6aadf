/** /robots.txt: everything may be crawled; points at the sitemap (absolute, with the base). */
import type { APIRoute } from "astro";
import { withBase } from "../utils/base.ts";

export const GET: APIRoute = ({ site }) => {
  const origin = site ?? new URL("http://localhost/");
  const body = `User-agent: *\nAllow: /\nSitemap: ${new URL(withBase("/sitemap.xml"), origin).href}\n`;
  return new Response(body, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
};
