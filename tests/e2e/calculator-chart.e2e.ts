/**
 * The calculator's live chart in Chromium: written without Plot (src/charts/memory-chart-svg.ts),
 * it is what the page's own Plot draws from the same chart data, byte for byte, at a desktop and a
 * phone width and after an input. The page's Plot and writer are the built chunks the island
 * loaded (imported again in the page: the same module instances); the chart data is the engine's
 * for that state, computed in this process as every calculator suite does.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, newPage } from "../helpers/browser.ts";
import { expected, open, waitState } from "./calculator-page.ts";
import type { CalcState } from "../../src/lib/calculator/state.ts";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** The live chart's markup (without the island's current-position overlay), Plot's and the writer's for `chart`. */
async function drawnBoth(page: Page, chart: unknown): Promise<{ live: string; plot: string; writer: string | null }> {
  return page.evaluate(async (data) => {
    const urls = performance.getEntriesByType("resource").map((e) => e.name);
    const at = (re: RegExp) => urls.find((u) => re.test(new URL(u).pathname))!;
    const plotChunk = await import(at(/\/chart-lazy\.[^/]+\.js$/));
    const writerChunk = await import(at(/\/memory-chart-svg\.[^/]+\.js$/));
    const svg = document.querySelector('[data-testid="calc-chart-live"]:not([hidden]) svg')!.cloneNode(true) as Element;
    svg.querySelector("g.calc-current")!.remove();
    const width = Number(svg.getAttribute("width"));
    const height = Number(svg.getAttribute("height"));
    const options = { view: "total", width, height, tips: true };
    const plot = plotChunk.plot(plotChunk.memoryVsContext({ ...(data as object), current: null }, options)) as Element;
    const offset = window.devicePixelRatio > 1 ? 0 : 0.5;
    const written = writerChunk.memoryChartSvg(data, "total", { width, height, offset, clipId: "plot-clip-0" });
    return { live: svg.outerHTML, plot: plot.outerHTML, writer: written ? written.svg : null };
  }, chart);
}

const sameIds = (s: string) => s.replace(/plot-clip-\d+/g, "plot-clip-0");

async function check(page: Page, patch: Partial<CalcState>): Promise<void> {
  const chart = expected(patch).s.chart;
  assert.equal(chart.measured.length, 0, "a chart the writer draws (no measured points)");
  const { live, plot, writer } = await drawnBoth(page, chart);
  assert.ok(writer !== null, "the writer draws it");
  assert.equal(sameIds(live), sameIds(plot), "live chart = Plot's");
  assert.equal(sameIds(writer), sameIds(plot), "writer = Plot's");
}

describe("calculator page: the live chart", () => {
  for (const width of [1280, 400]) {
    test(`written without Plot, it is Plot's markup (viewport ${width} px, then after an input)`, async () => {
      const page = await newPage(browser, { viewport: { width, height: 900 } });
      const errors = collectErrors(page);
      await open(page);
      await check(page, {});
      await page.selectOption('select[id$="-budget"]', "generic-gpu");
      await waitState(page, { budget: "generic-gpu" });
      await check(page, { budget: "generic-gpu" });
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
