/**
 * The calculator in a real browser: labels, dark scheme and a phone, the sub-path deploy, the widget
 * embedded in a report, and runs fetched per architecture.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { collectErrors, launchBrowser, newPage, screenshot, siteNamed, UI_TIMEOUT } from "../helpers/browser.ts";
import { type CalcState } from "../../src/lib/calculator/state.ts";
import { bytesOf, cells, expected, open, SETTLED, shownBytes } from "./calculator-page.ts";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe("calculator page: labels, themes and the sub-path", () => {
  test("every control is labelled", async () => {
    const page = await newPage(browser);
    await open(page);
    await page.locator(".calc-arch summary").click();
    // the editor's fields are built when the box opens
    await page.locator(".calc-arch textarea").waitFor();
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll(".calc input, .calc select, .calc textarea")]
        .filter((el) => {
          const e = el as HTMLInputElement;
          return (
            !(e.labels && e.labels.length > 0) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")
          );
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabelled, []);
    await page.close();
  });

  test("dark scheme and a 360 px phone: readable, no sideways scrolling (screenshots)", async () => {
    const dark = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    await dark.emulateMedia({ colorScheme: "dark" });
    const errors = collectErrors(dark);
    await open(dark);
    const bg = await dark.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.equal(bg, "rgb(13, 17, 23)");
    await screenshot(dark, "calculator-dark");
    assert.deepEqual(errors, []);
    await dark.close();

    const phone = await newPage(browser, { viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
    const perrors = collectErrors(phone);
    await open(phone);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 360, `page is ${overflow} px wide at 360`);
    assert.ok(await phone.locator(".calc-chart__live svg").isVisible());
    await screenshot(phone, "calculator-mobile-360");
    assert.deepEqual(perrors, []);
    await phone.close();
  });

  test("under the sub-path deploy the island loads its catalog and chunks through the base", async () => {
    const site = siteNamed("sub");
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await open(page, "?c=16k", site.url);
    assert.equal(await cells(page), 16384);
    assert.equal(new URL(page.url()).pathname, `${site.base}calculator/`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("calculator embedded in a report", () => {
  test("the memory-analysis report hydrates its own widget at its own question, with the engine's figures", async () => {
    const patch: Partial<CalcState> = { ctx: 131072, typeK: "turbo3", typeV: "turbo3", revision: "2026-03" };
    const v = expected(patch);
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await page.goto(`${siteNamed("sub").url}reports/memory-analysis/`, { waitUntil: "load" });
    await page.waitForSelector(SETTLED);
    assert.equal(await cells(page), 131072);
    assert.equal(await shownBytes(page, "k"), bytesOf(v, "k"));
    assert.equal(await shownBytes(page, "v"), bytesOf(v, "v"));
    // The report's own URL is not rewritten by an embedded widget.
    assert.equal(new URL(page.url()).search, "");
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("measured runs are fetched per architecture", () => {
  test("qwen3-14b loads its architecture's runs file first under the base path, draws the engine's matching marks, then the other files once", async () => {
    // Expected from the engine's view model over data/runs, computed here, not read from the page.
    const want = expected({ model: "qwen3-14b" }).s.chart.measured.length;
    assert.ok(want > 0, "data/runs has measured points for qwen3-14b");
    const site = siteNamed("sub");
    const page = await newPage(browser);
    const errors = collectErrors(page);
    const runFiles: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/calculator/runs/")) runFiles.push(new URL(r.url()).pathname);
    });
    await open(page, "?m=qwen3-14b", site.url);
    const marks = page.locator(".calc-chart__live g.calc-measured path");
    await page.waitForFunction(
      (n) => document.querySelectorAll(".calc-chart__live g.calc-measured path").length === n,
      want,
      { timeout: UI_TIMEOUT },
    );
    assert.equal(await marks.count(), want);
    assert.equal(runFiles[0], `${site.base}calculator/runs/qwen3.json`);
    // after the first live chart, every file the catalog lists is fetched once (a later pick has its runs)
    const keys = await page.evaluate(
      async (url) => ((await (await fetch(url)).json()) as { runKeys: string[] }).runKeys,
      `${site.base}calculator/catalog.json`,
    );
    assert.ok(keys.length > 1, "the catalog lists several runs files");
    const all = keys.map((k) => `${site.base}calculator/runs/${k}.json`).sort();
    await page.waitForFunction(
      (n) => performance.getEntriesByType("resource").filter((e) => e.name.includes("/calculator/runs/")).length >= n,
      all.length,
      { timeout: UI_TIMEOUT },
    );
    assert.deepEqual([...runFiles].sort(), all);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a model picked from the list is committed with its measured points (the runs file fetched first)", async () => {
    const want = expected({ model: "qwen3-14b" }).s.chart.measured.length;
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await open(page);
    // The marks drawn when the island first says the pick is committed (data-state of the pick,
    // nothing pending): recorded in the page by a MutationObserver, so no poll can arrive late.
    await page.evaluate(() => {
      const w = window as unknown as { __marksAtCommit?: number };
      const el = document.querySelector<HTMLElement>(".calc")!;
      new MutationObserver((_, mo) => {
        if (el.dataset.pending !== "false" || !(el.dataset.state ?? "").includes("m=qwen3-14b")) return;
        w.__marksAtCommit = document.querySelectorAll(".calc-chart__live g.calc-measured path").length;
        mo.disconnect();
      }).observe(el, { attributes: true, attributeFilter: ["data-state", "data-pending"] });
    });
    await page.locator("#calc-model").selectOption("qwen3-14b");
    await page.waitForFunction(
      () => (window as unknown as { __marksAtCommit?: number }).__marksAtCommit !== undefined,
      undefined,
      {
        timeout: UI_TIMEOUT,
      },
    );
    assert.equal(await page.evaluate(() => (window as unknown as { __marksAtCommit: number }).__marksAtCommit), want);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
