/**
 * An Atom 1.0 feed of the reports, written by hand (no dependency): one entry per published
 * report with its title, date, summary and absolute link. Pure: the caller passes absolute URLs.
 */
export interface FeedEntry {
  title: string;
  url: string;
  date: Date;
  summary: string;
}

export interface FeedInfo {
  title: string;
  /** Absolute URL of the site's home page (with the deploy base). */
  home: string;
  /** Absolute URL of the feed itself. */
  self: string;
  subtitle: string;
}

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export function atomFeed(info: FeedInfo, entries: readonly FeedEntry[]): string {
  const updated = entries.length
    ? new Date(Math.max(...entries.map((e) => e.date.getTime())))
    : new Date(Date.UTC(2026, 0, 1));
  const lines = [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<feed xmlns="http://www.w3.org/2005/Atom">`,
    `  <title>${escapeXml(info.title)}</title>`,
    `  <subtitle>${escapeXml(info.subtitle)}</subtitle>`,
    `  <id>${escapeXml(info.home)}</id>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(info.home)}"/>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(info.self)}"/>`,
    `  <updated>${updated.toISOString()}</updated>`,
    `  <author><name>${escapeXml(info.title)}</name></author>`,
  ];
  for (const e of entries) {
    lines.push(
      `  <entry>`,
      `    <title>${escapeXml(e.title)}</title>`,
      `    <id>${escapeXml(e.url)}</id>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(e.url)}"/>`,
      `    <published>${e.date.toISOString()}</published>`,
      `    <updated>${e.date.toISOString()}</updated>`,
      `    <summary>${escapeXml(e.summary)}</summary>`,
      `  </entry>`,
    );
  }
  lines.push(`</feed>`, ``);
  return lines.join("\n");
}
