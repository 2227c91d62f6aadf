import assert from "node:assert/strict";
import { test } from "node:test";
import { atomFeed, escapeXml } from "../../../src/lib/reports/feed.ts";
import { isoDay, publishedReports } from "../../../src/lib/reports/report-list.ts";

test("XML special characters are escaped", () => {
  assert.equal(escapeXml(`a<b & "c" 'd'>`), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
});

test("an Atom feed has one entry per report, absolute links and the newest date as updated", () => {
  const xml = atomFeed(
    { title: "T & co", subtitle: "s", home: "https://x.org/sub/", self: "https://x.org/sub/feed.xml" },
    [
      { title: "Old", url: "https://x.org/sub/reports/old/", date: new Date("2026-03-30"), summary: "a < b" },
      { title: "New", url: "https://x.org/sub/reports/new/", date: new Date("2026-11-26"), summary: "c" },
    ],
  );
  assert.match(xml, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
  assert.equal((xml.match(/<entry>/g) ?? []).length, 2);
  assert.match(xml, /<title>T &amp; co<\/title>/);
  assert.match(xml, /<summary>a &lt; b<\/summary>/);
  assert.match(xml, /<feed[^]*?<updated>2026-11-26T00:00:00.000Z<\/updated>/);
  assert.match(xml, /<link rel="self" type="application\/atom\+xml" href="https:\/\/x.org\/sub\/feed.xml"\/>/);
  assert.ok(xml.trimEnd().endsWith("</feed>"));
});

test("published reports: drafts left out, newest first, ties by title", () => {
  const r = (id: string, date: string, draft = false) => ({ id, data: { title: id, date: new Date(date), draft } });
  const list = publishedReports([
    r("b", "2026-11-26"),
    r("x", "2026-12-01", true),
    r("a", "2026-11-26"),
    r("c", "2026-03-30"),
  ]);
  assert.deepEqual(
    list.map((x) => x.id),
    ["a", "b", "c"],
  );
  assert.equal(isoDay(new Date("2026-11-26")), "2026-11-26");
});
