/**
 * The calculator in a real browser, against both builds: first paint without JavaScript, hydration,
 * and the context control. Expected numbers are computed in this process by the engine (through the
 * same view model the island uses), never read back from the page.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { collectErrors, launchBrowser, newPage, screenshot, siteNamed, UI_TIMEOUT } from "../helpers/browser.ts";
import { indexToContext } from "../../src/lib/calculator/slider.ts";
import { bytesOf, cells, expected, open, shownBytes, waitCtx, waitState } from "./calculator-page.ts";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe("calculator page", () => {
  test("first paint is complete without JavaScript: numbers, tables and a static SVG chart", async () => {
    const v = expected();
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    ctx.setDefaultTimeout(UI_TIMEOUT);
    const page = await ctx.newPage();
    await page.goto(`${siteNamed("root").url}calculator/`, { waitUntil: "load" });
    const verdict = await page.getByTestId("calc-verdict").innerText();
    assert.match(verdict, /Fits:/);
    assert.ok(verdict.includes(v.c.verdict.text), `${verdict} has ${v.c.verdict.text}`);
    assert.equal(await shownBytes(page, "k"), bytesOf(v, "k"));
    assert.equal(await shownBytes(page, "v"), bytesOf(v, "v"));
    assert.equal(await cells(page), 32768);
    assert.ok(
      (await page.locator(".calc-chart svg g[aria-label='line'] path").count()) >= 5,
      "curves drawn at build time",
    );
    assert.equal(await page.locator("[data-testid='calc-max-table'] tbody tr").count(), v.s.maxTable.length);
    assert.match(await page.getByTestId("calc-cmd-llama-server").innerText(), /-ctk q8_0 -ctv turbo4 .*-fa on/);
    await screenshot(page, "calculator-no-js");
    await ctx.close();
  });

  test("the default answer hydrates, loads Plot lazily, and shows no console errors (light screenshot)", async () => {
    const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    const errors = collectErrors(page);
    await open(page);
    assert.equal(new URL(page.url()).search, "", "the default state writes no query");
    assert.ok(await page.locator(".calc-chart__live svg").isVisible(), "live chart replaced the static one");
    const ollama = page.locator(".calc-cmd", { hasText: "Ollama" });
    assert.match(await ollama.innerText(), /cannot express this/);
    // the lazy chunks load without script-inserted module preloads (src/integrations/no-dep-preload.ts)
    const preloads = await page.evaluate(async () => {
      const served = await (await fetch(location.href)).text();
      return [
        document.querySelectorAll('link[rel="modulepreload"]').length,
        served.split('rel="modulepreload"').length - 1,
      ];
    });
    assert.equal(preloads[0], preloads[1], "module preloads in the page = those in its HTML");
    await screenshot(page, "calculator-light");
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("calculator page: the context control", () => {
  test("keyboard on the slider: arrows, PageUp, Home; numbers equal the engine's", async () => {
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await open(page);
    const range = page.locator("#calc-ctx-range");
    await range.focus();
    const outline = await range.evaluate((el) => getComputedStyle(el).outlineStyle);
    await page.keyboard.press("ArrowRight");
    // One step = 1/16 octave from 32768, snapped to 256: 32768 · 2^(1/16) = 34208.4 → 34304.
    const step = indexToContext(6 * 16 + 1);
    assert.equal(step, 34304);
    await waitCtx(page, step);
    let v = expected({ ctx: step });
    assert.equal(await shownBytes(page, "k"), bytesOf(v, "k"));
    assert.equal(await shownBytes(page, "v"), bytesOf(v, "v"));
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("PageUp");
    await waitCtx(page, 65536);
    v = expected({ ctx: 65536 });
    assert.equal(await shownBytes(page, "k"), bytesOf(v, "k"));
    assert.equal(await shownBytes(page, "rs"), bytesOf(v, "rs"));
    assert.equal((await page.getByTestId("calc-verdict").innerText()).includes(v.c.verdict.text), true);
    await page.keyboard.press("Home");
    await waitCtx(page, 512);
    assert.equal(await shownBytes(page, "k"), bytesOf(expected({ ctx: 512 }), "k"));
    assert.notEqual(outline, "none", "keyboard focus is visible");
    // The URL follows.
    await page.waitForFunction(() => location.search === "?c=512");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("dragging the slider lands on an allocated context with the engine's numbers", async () => {
    const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    await open(page);
    const range = page.locator("#calc-ctx-range");
    const box = (await range.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const idx = Number(await range.inputValue());
    const ctx = indexToContext(idx);
    assert.ok(ctx > 32768, `dragged to ${ctx}`);
    await waitCtx(page, ctx);
    const v = expected({ ctx });
    assert.equal(await shownBytes(page, "k"), bytesOf(v, "k"));
    assert.equal(await shownBytes(page, "v"), bytesOf(v, "v"));
    assert.equal(await shownBytes(page, "compute"), bytesOf(v, "compute"));
    await page.close();
  });

  test("exact entry takes 48k and shows llama.cpp's 256-padding of 33000", async () => {
    const page = await newPage(browser);
    await open(page);
    const field = page.locator("#calc-ctx-text");
    await field.fill("48k");
    await field.press("Enter");
    await waitCtx(page, 49152);
    await field.fill("33000");
    await field.press("Enter");
    await waitCtx(page, 33000, 33024);
    assert.match(await page.locator(".calc-ctx__help").innerText(), /33,024 cells for -c 33,000/);
    assert.equal(await shownBytes(page, "k"), bytesOf(expected({ ctx: 33000 }), "k"));
    await field.fill("lots");
    await field.press("Enter");
    await page.locator(".calc-ctx__help", { hasText: "Enter a context" }).waitFor();
    await waitState(page, { ctx: 33000 });
    await page.close();
  });
});
