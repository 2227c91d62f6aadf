/**
 * /models/ frozen columns (src/views/models/table-columns.ts) in a real browser: once the island
 * has hydrated, the table's columns are fixed at the widths automatic layout gave them, so every
 * cell sits exactly where automatic layout puts it — at load, after sorts, after the window
 * narrows (measured again) — and an answer wider than its frozen column makes the columns be
 * measured again rather than overflow; with classic scrollbars, a filter that leaves the page
 * shorter than the window does not (the page keeps its scrollbar's room). Waits are on the page's
 * state, never on time.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, newPage, siteNamed } from "../helpers/browser.ts";

const STATE = "[data-testid=models-controls]";
const COLS = "table.models-table colgroup[data-frozen] col";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function openModels(width: number, b = browser): Promise<{ page: Page; errors: string[] }> {
  const page = await newPage(b, { viewport: { width, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${siteNamed("root").url}models/`, { waitUntil: "load" });
  await page.waitForSelector(`${STATE}[data-complete]`);
  return { page, errors };
}

/** Changes the table through `act` and waits for every row to show the new state. */
async function change(page: Page, act: () => Promise<unknown>): Promise<void> {
  const before = await page.getAttribute(STATE, "data-state");
  await act();
  await page.waitForFunction(
    ([s, v]) => {
      const w = document.querySelector(s);
      const state = w?.getAttribute("data-state");
      return state !== v && w?.getAttribute("data-complete") === state;
    },
    [STATE, before ?? ""] as const,
  );
}

const frozenWidths = (page: Page) => page.$$eval(COLS, (cs) => cs.map((c) => (c as HTMLElement).style.width).join(" "));

/**
 * Every shown cell's box with the frozen columns, then with them taken away (automatic layout of
 * the same rows), restored before the page renders again: the first box that differs, or "same".
 */
const frozenVsAuto = (page: Page) =>
  page.evaluate(() => {
    const t = document.querySelector<HTMLTableElement>("table.models-table")!;
    const cols = t.querySelector("colgroup[data-frozen]");
    if (!cols) return "the columns are not frozen";
    const boxes = () =>
      [t, ...t.querySelectorAll("th, td")]
        .filter((e) => e.getClientRects().length > 0)
        .map((e) => {
          const r = e.getBoundingClientRect();
          return `${r.x},${r.y},${r.width},${r.height}`;
        });
    const frozen = boxes();
    const style = t.getAttribute("style") ?? "";
    cols.remove();
    t.removeAttribute("style");
    const auto = boxes();
    t.prepend(cols);
    t.setAttribute("style", style);
    const i = frozen.findIndex((b, k) => b !== auto[k]);
    return frozen.length !== auto.length ? "different cells" : i < 0 ? "same" : `box ${i}: ${frozen[i]} vs ${auto[i]}`;
  });

test("frozen columns lay every cell out where automatic layout does: at load, after sorts, after a resize", async () => {
  const { page, errors } = await openModels(1280);
  assert.equal(await frozenVsAuto(page), "same");
  for (const col of ["ctx", "ctx", "params", "model"]) {
    await change(page, () => page.click(`button[data-sort=${col}]`));
    assert.equal(await frozenVsAuto(page), "same", `sorted by ${col}`);
  }
  // A filter hides rows, the columns stay as they are (no re-measure per keystroke).
  const wide = await frozenWidths(page);
  await change(page, () => page.fill("[data-testid=models-text]", "qwen"));
  assert.equal(await frozenWidths(page), wide);
  // A narrower window: the columns are measured again, for the new width.
  await page.setViewportSize({ width: 400, height: 900 });
  await page.waitForFunction(
    ([sel, w]) => {
      const cs = [...document.querySelectorAll<HTMLElement>(sel)].map((c) => c.style.width).join(" ");
      return cs !== "" && cs !== w;
    },
    [COLS, wide] as const,
  );
  await change(page, () => page.fill("[data-testid=models-text]", ""));
  assert.equal(await frozenVsAuto(page), "same", "at 400 px, every row shown");
  assert.deepEqual(errors, []);
  await page.close();
});

test("an answer wider than its frozen column has the columns measured again, no answer overflows", async () => {
  const { page, errors } = await openModels(400);
  const at400 = await frozenWidths(page);
  // AMD MI300X's answers hold a word wider than the page's answer column at 400 px
  await change(page, () => page.selectOption("[data-testid=models-machine]", "amd-mi300x"));
  assert.notEqual(await frozenWidths(page), at400);
  const overflowing = await page.$$eval("table.models-table tbody tr:not([hidden]) [data-ctx-answer]", (bs) =>
    bs.filter((b) => b.scrollWidth > b.clientWidth).map((b) => b.closest("tr")!.id),
  );
  assert.deepEqual(overflowing, []);
  assert.equal(await frozenVsAuto(page), "same");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a printed page lays the table out for its own width, not the screen's frozen columns", async () => {
  const { page, errors } = await openModels(1280);
  // The table's width when its container narrows to 600 px, read at once (before the resize
  // observer could measure the columns again): the frozen width on screen, automatic in print.
  const narrowed = () =>
    page.$eval("table.models-table", (t) => {
      const wrap = t.parentElement!;
      wrap.style.maxWidth = "600px";
      const w = t.getBoundingClientRect().width;
      wrap.style.maxWidth = "";
      return w;
    });
  const screen = await narrowed();
  assert.equal(screen, await page.$eval("table.models-table", (t) => parseFloat(t.style.width)));
  await page.emulateMedia({ media: "print" });
  assert.ok((await narrowed()) < screen, "print: the table follows its container");
  await page.emulateMedia({ media: "screen" });
  assert.deepEqual(errors, []);
  await page.close();
});

test("classic scrollbars: a filter that empties the page and one that fills it again leave the columns as they are", async () => {
  const classic = await launchBrowser({ classicScrollbars: true });
  try {
    // 1000 px: the table fills its container, so a scrollbar's 15 px would change automatic layout
    const { page, errors } = await openModels(1000, classic);
    const room = await page.evaluate(() => window.innerWidth - document.documentElement.clientWidth);
    assert.ok(room > 0, "the page has a classic scrollbar");
    const wrapWidth = () => page.$eval("table.models-table", (t) => t.parentElement!.clientWidth);
    const wrap = await wrapWidth();
    const widths = await frozenWidths(page);
    await page.$eval("table.models-table colgroup[data-frozen]", (c) => c.setAttribute("data-first", ""));
    // two animation frames after each change: the resize observer has had its turn
    const settled = () =>
      page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await change(page, () => page.fill("[data-testid=models-text]", "no model has this name"));
    await settled();
    assert.equal(await page.$$eval("table.models-table tbody tr:not([hidden])", (rs) => rs.length), 0);
    assert.equal(await wrapWidth(), wrap, "the short page keeps the scrollbar's room");
    await change(page, () => page.fill("[data-testid=models-text]", ""));
    await settled();
    assert.equal(await page.$$eval("table.models-table colgroup[data-frozen][data-first]", (c) => c.length), 1);
    assert.equal(await frozenWidths(page), widths);
    assert.equal(await frozenVsAuto(page), "same");
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await classic.close();
  }
});
