/**
 * Reports, home, models, feed, sitemap and the zero-JS rule, on the builds the e2e runner serves
 * (root base and /context-ceiling/). Screenshots of every report, light, dark and mobile, go to
 * test-results/.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { dataDir } from "../../src/content-layer/data-dir.ts";
import {
  REPO_ROOT,
  collectErrors,
  fetchHtml as html,
  launchBrowser,
  newPage,
  screenshot,
  siteNamed,
} from "../helpers/browser.ts";
import { crawl } from "../helpers/crawl.ts";

const root = siteNamed("root");
const sub = siteNamed("sub");

/** Report ids and titles from the MDX sources (what the site must publish). */
const REPORTS = readdirSync(path.join(REPO_ROOT, "content/reports"))
  .filter((f) => f.endsWith(".mdx"))
  .map((f) => {
    const text = readFileSync(path.join(REPO_ROOT, "content/reports", f), "utf8");
    const title = /^title:\s*"(.*)"\s*$/m.exec(text)?.[1] ?? "";
    const draft = /^draft:\s*true\s*$/m.test(text);
    return { id: f.replace(/\.mdx$/, ""), title, draft };
  })
  .filter((r) => !r.draft);

const MODEL_COUNT = readdirSync(path.join(dataDir(process.env, REPO_ROOT), "models")).filter((f) =>
  f.endsWith(".json"),
).length;

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe("reports", () => {
  test("at least four reports are published, each listed on /reports/", async () => {
    assert.ok(REPORTS.length >= 4, `found ${REPORTS.length} reports`);
    const list = await html(`${root.url}reports/`);
    for (const r of REPORTS) assert.ok(list.includes(`href="/reports/${r.id}/"`), `/reports/ links ${r.id}`);
  });

  for (const r of REPORTS) {
    test(`${r.id}: title, date, versions, run links; no console error; screenshots light, dark, mobile`, async () => {
      for (const [variant, opts] of [
        ["light", { colorScheme: "light", viewport: { width: 1280, height: 900 } }],
        ["dark", { colorScheme: "dark", viewport: { width: 1280, height: 900 } }],
        ["mobile", { colorScheme: "light", viewport: { width: 375, height: 800 }, isMobile: true }],
      ] as const) {
        const page = await newPage(browser, opts);
        const errors = collectErrors(page);
        const res = await page.goto(`${root.url}reports/${r.id}/`, { waitUntil: "load" });
        assert.equal(res?.status(), 200);
        assert.equal(await page.title(), `${r.title} · Context Ceiling`);
        assert.equal(await page.locator("h1").first().textContent(), r.title);
        assert.match((await page.locator(".report-meta time").getAttribute("datetime")) ?? "", /^\d{4}-\d{2}-\d{2}$/);
        assert.ok((await page.locator(".report-meta dt", { hasText: "Rests on" }).count()) === 1, "versions listed");
        if (variant === "mobile") {
          // Nothing but scroll containers may be wider than the phone's screen.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 1, `page overflows the 375 px viewport by ${overflow} px`);
        }
        await screenshot(page, `report-${r.id}-${variant}`);
        assert.deepEqual(errors, []);
        await page.close();
      }
      const text = await html(`${root.url}reports/${r.id}/`);
      for (const m of text.matchAll(/href="(\/runs\/[^"]+\/)"/g)) {
        const res = await fetch(new URL(m[1], root.url));
        assert.equal(res.status, 200, `${r.id} links ${m[1]}`);
      }
    });
  }

  test("the analysis recomputes the original's formula: its own example gives 1.31 GB, not the printed ~1.9 GB", async () => {
    // Hand computation: 2 × 48 × 40 × 128 values × 3 bits ÷ 8 × 32,768 tokens ÷ 4.6 = 1,312,999,513 B.
    const page = await html(`${root.url}reports/memory-analysis/`);
    assert.match(page, /id="where-the-original-figures-went-wrong"/);
    assert.match(page, /Dividing once more by 4\.6 gives <strong>1\.31 GB<\/strong>/);
    assert.match(page, /~1\.9 GB/);
    // Qwen3.5-27B at f16: 16 layers × 2 × 1024 values × 2 B = 64 KiB per token; 32K tokens = 2.15 GB.
    assert.match(page, /64 KiB \(engine\)/);
    assert.match(page, /<th scope="row">32K<\/th><td class="num" title="2\.00 GiB">2\.15 GB<\/td>/);
    assert.match(page, /does not fit/);
    // The prose says every printed figure exceeds what llama.cpp allocates: hold it to that.
    const claims = page.slice(page.indexOf('id="every-kv-figure-it-printed"'), page.indexOf('id="temporal-decay'));
    const ratios = [...claims.matchAll(/<td class="num">×(\d+\.\d+)<\/td>/g)].map((m) => Number(m[1]));
    assert.ok(ratios.length >= 10, `found ${ratios.length} printed ÷ engine ratios`);
    for (const r of ratios) assert.ok(r > 1, `a printed figure is not above the engine's (×${r})`);
  });

  test("the profiling report says 'not measured' where the run has no point, never a blank cell", async () => {
    const page = await html(`${root.url}reports/peak-memory-profiling/`);
    const row = /<th scope="row">128K<\/th>(.*?)<\/tr>/s.exec(page)?.[1] ?? "";
    assert.ok(row.length > 0, "the 128K row exists");
    assert.ok((row.match(/not measured/g) ?? []).length >= 2, "both measured cells of the 128K row say not measured");
    assert.doesNotMatch(row, /<td class="num"><\/td>/);
    // Qwen3-14B f16 at 2K: 40 layers × 2 × 1024 × 2 B × 2048 cells = 320 MiB.
    assert.match(page, /<th scope="row">2K<\/th><td class="num">320\.00 MiB<\/td>/);
  });
});

describe("feed, sitemap, models, home", () => {
  test("the Atom feed has one entry per report, each linking a page that exists", async () => {
    const res = await fetch(`${sub.url}feed.xml`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /xml/);
    const xml = await res.text();
    assert.match(xml, /^<\?xml[^>]*\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    const entries = [...xml.matchAll(/<entry>[\s\S]*?<link rel="alternate" type="text\/html" href="([^"]+)"\/>/g)];
    assert.equal(entries.length, REPORTS.length);
    for (const [, href] of entries) {
      const local = new URL(new URL(href).pathname, sub.url);
      assert.ok(local.pathname.startsWith(sub.base), `${href} carries the base`);
      assert.equal((await fetch(local)).status, 200, href);
    }
  });

  test("the sitemap lists every report, run and models page, and every entry exists", async () => {
    const xml = await html(`${sub.url}sitemap.xml`);
    const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]).pathname);
    for (const r of REPORTS) assert.ok(locs.includes(`${sub.base}reports/${r.id}/`), r.id);
    assert.ok(locs.includes(`${sub.base}models/`));
    for (const p of locs) {
      assert.ok(p.startsWith(sub.base), `${p} carries the base`);
      assert.equal((await fetch(new URL(p, sub.url))).status, 200, p);
    }
  });

  test("/models/ lists every catalog preset with an anchor, KV per token and a max context cell", async () => {
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await page.goto(`${root.url}models/`, { waitUntil: "load" });
    assert.equal(await page.locator(".models-table tbody tr").count(), MODEL_COUNT);
    // Qwen3.5-27B: 16 layers × 2 × 4 heads × 256 × 2 B = 64 KiB per token; 48 × 3,268,608 B of state = 149.6 MiB.
    const row = page.locator("tr#qwen3\\.5-27b");
    assert.match((await row.textContent()) ?? "", /64\.0 KiB/);
    assert.match((await row.textContent()) ?? "", /149\.6 MiB/);
    await screenshot(page, "models-table");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("home shows computed findings and the three entry points", async () => {
    const page = await html(root.url);
    assert.match(page, /Qwen3\.5-27B needs 64 KiB of K\/V per token at f16/);
    for (const p of ["calculator/", "reports/", "runs/"]) assert.ok(page.includes(`href="/${p}"`), p);
  });

  test("static pages without a widget ship no JavaScript; every link and anchor resolves under the sub-path", async () => {
    const { pages, problems } = await crawl(sub.url, sub.base);
    assert.deepEqual(problems, []);
    let checked = 0;
    for (const [p, status] of pages) {
      if (status !== 200 || p.startsWith(`${sub.base}calculator/`)) continue;
      const res = await fetch(new URL(p, sub.url));
      if (!(res.headers.get("content-type") ?? "").includes("text/html")) continue;
      const text = await res.text();
      // Pages that embed a calculator widget are the only ones allowed to hydrate.
      if (text.includes('class="calc"') || text.includes('class="calc ')) continue;
      // The /models tables hydrate one island: their sort / filter / K/V controls.
      if (text.includes('class="models-table"')) {
        assert.equal(text.match(/<astro-island/g)?.length, 1, `${p} hydrates only the table controls`);
        continue;
      }
      assert.doesNotMatch(text, /<script[^>]*type="module"/, `${p} ships a module script`);
      assert.doesNotMatch(text, /<astro-island/, `${p} hydrates an island`);
      checked++;
    }
    assert.ok(checked >= 10, `checked ${checked} static pages`);
  });

  test("an unknown report is the 404 page", async () => {
    const res = await fetch(`${root.url}reports/no-such-report/`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /Page not found/);
  });
});
