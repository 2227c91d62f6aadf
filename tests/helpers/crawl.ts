/**
 * Crawls a served build from its base URL, following every same-origin link, and reports
 * pages with their status and the links that escape the base path or point at missing anchors.
 */
export interface CrawlResult {
  pages: Map<string, number>;
  problems: string[];
}

const HREF = /<a\b[^>]*?\bhref="([^"]*)"/gi;
const ID = /\bid="([^"]+)"/gi;

function decodeHtml(s: string): string {
  return s.replace(/&amp;/g, "&").replace(/&#38;/g, "&");
}

export async function crawl(startUrl: string, base: string, limit = 5000): Promise<CrawlResult> {
  const origin = new URL(startUrl).origin;
  const pages = new Map<string, number>();
  const ids = new Map<string, Set<string>>();
  const anchorRefs: Array<{ from: string; page: string; hash: string }> = [];
  const problems: string[] = [];
  const queue = [new URL(startUrl).pathname];
  while (queue.length && pages.size < limit) {
    const pathname = queue.shift()!;
    if (pages.has(pathname)) continue;
    const res = await fetch(origin + pathname);
    pages.set(pathname, res.status);
    const type = res.headers.get("content-type") ?? "";
    if (!type.includes("text/html")) continue;
    const html = await res.text();
    ids.set(pathname, new Set([...html.matchAll(ID)].map((m) => m[1])));
    for (const m of html.matchAll(HREF)) {
      const href = decodeHtml(m[1]);
      if (/^(mailto:|https?:\/\/(?!127\.0\.0\.1))/i.test(href)) continue;
      const target = new URL(href, origin + pathname);
      if (target.origin !== origin) continue;
      if (!target.pathname.startsWith(base)) {
        problems.push(`${pathname}: link ${href} escapes the base path ${base}`);
        continue;
      }
      if (target.hash) anchorRefs.push({ from: pathname, page: target.pathname, hash: target.hash.slice(1) });
      if (!pages.has(target.pathname)) queue.push(target.pathname);
    }
  }
  for (const [p, status] of pages) if (status !== 200) problems.push(`${p}: HTTP ${status}`);
  for (const ref of anchorRefs) {
    const set = ids.get(ref.page);
    if (set && !set.has(decodeURIComponent(ref.hash)))
      problems.push(`${ref.from}: anchor #${ref.hash} not found on ${ref.page}`);
  }
  return { pages, problems };
}
