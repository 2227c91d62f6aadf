import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { collectErrors, launchBrowser, newPage, screenshot, siteNamed } from "../helpers/browser.ts";
import { crawl } from "../helpers/crawl.ts";

// The section pages every later issue fills; each must exist from the foundation on.
const SECTIONS = ["", "calculator/", "reports/", "runs/", "models/", "schema/"];

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe("every section page (root base)", () => {
  const site = siteNamed("root");
  for (const section of SECTIONS) {
    test(`/${section} loads with a title, no console errors, and is screenshotted`, async () => {
      const page = await newPage(browser);
      const errors = collectErrors(page);
      const res = await page.goto(site.url + section, { waitUntil: "load" });
      assert.equal(res?.status(), 200);
      const title = await page.title();
      assert.match(title, /Context Ceiling/);
      assert.ok((await page.locator("h1").count()) >= 1, "page has an h1");
      await screenshot(page, `page-${section.replace(/\/$/, "") || "home"}`);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  test("on a 390 px phone no page scrolls sideways (home, calculator, models, every report, the docs, a run)", async () => {
    const { pages } = await crawl(site.url, site.base);
    const paths = [...pages.keys()].filter(
      (p) => /^\/(calculator\/|models\/|reports\/[^/]+\/|docs\/[^/]+\/)?$/.test(p) || /^\/runs\/[^/]+\/$/.test(p),
    );
    assert.ok(paths.some((p) => p.startsWith("/runs/")) && paths.some((p) => p.startsWith("/reports/")));
    const page = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true });
    const wide: string[] = [];
    for (const p of paths) {
      await page.goto(site.url + p.slice(1), { waitUntil: "load" });
      const sw = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (sw > 0) wide.push(`${p} (${sw} px)`);
    }
    await page.close();
    assert.deepEqual(wide, []);
  });

  test("an unknown address gets the 404 page", async () => {
    const res = await fetch(site.url + "no-such-page/");
    assert.equal(res.status, 404);
    assert.match(await res.text(), /Page not found/);
  });
});

describe("sub-path deploy", () => {
  const site = siteNamed("sub");
  test("every internal link reachable from home stays under the base and resolves (no 404)", async () => {
    const { pages, problems } = await crawl(site.url, site.base);
    assert.deepEqual(problems, []);
    for (const section of SECTIONS) assert.ok(pages.has(site.base + section), `crawl reached ${site.base + section}`);
  });

  test("navigation links carry the base path in the browser", async () => {
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await page.goto(site.url, { waitUntil: "load" });
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
    await page.waitForURL(`**${site.base}runs/`);
    assert.equal(new URL(page.url()).pathname, `${site.base}runs/`);
    await screenshot(page, "sub-path-runs");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
