/**
 * /models/: a change applies the rows the reader sees in the input's own task and the rest of the
 * table in later frames (src/views/models/table-frames.ts). In a real browser at the bench's window
 * (1280×900): what the window shows when the controls commit (`data-state`) is exactly what it
 * shows once every row is done (`data-complete`) — same rows, same places, same scroll, the sorted
 * header marked — for a filter cleared, a sort reversed, at the table's top and scrolled into it;
 * the rest really is deferred (the table is not complete at the first commit), and keyboard focus
 * stays where it was. Waits are on the page's state, never on time.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, newPage, siteNamed } from "../helpers/browser.ts";

const STATE = "[data-testid=models-controls]";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function openModels(search = ""): Promise<{ page: Page; errors: string[] }> {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${siteNamed("root").url}models/${search}`, { waitUntil: "load" });
  await page.waitForSelector(`${STATE}[data-complete]`);
  return { page, errors };
}

interface View {
  scrollY: number;
  /** Shown rows that meet the window, as `id@top`, in document order. */
  rows: string[];
  sorted: string;
  complete: boolean;
}

/**
 * Changes one control in the page (`value` undefined: a click) and returns the window's view when
 * the controls commit the new state and again once the whole table shows it.
 */
function change(page: Page, sel: string, value?: string): Promise<{ first: View; last: View }> {
  return page.evaluate(
    ([controls, sel, value]) => {
      const wrap = document.querySelector(controls)!;
      const t = document.querySelector<HTMLTableElement>("table.models-table")!;
      const view = (): View => ({
        scrollY: window.scrollY,
        rows: [...t.tBodies[0].rows]
          .filter((r) => !r.hidden)
          .flatMap((r) => {
            const b = r.getBoundingClientRect();
            return b.bottom > 0 && b.top < window.innerHeight ? [`${r.id}@${Math.round(b.top)}`] : [];
          }),
        sorted: [...t.tHead!.rows[0].cells].map((c) => c.getAttribute("aria-sort") ?? "").join(","),
        complete: wrap.getAttribute("data-complete") === wrap.getAttribute("data-state"),
      });
      const before = wrap.getAttribute("data-state");
      return new Promise<{ first: View; last: View }>((resolve) => {
        let first: View | null = null;
        const mo = new MutationObserver(() => {
          if (!first && wrap.getAttribute("data-state") !== before) first = view();
          if (first && wrap.getAttribute("data-complete") === wrap.getAttribute("data-state")) {
            mo.disconnect();
            resolve({ first, last: view() });
          }
        });
        mo.observe(wrap, { attributes: true, attributeFilter: ["data-state", "data-complete"] });
        const el = document.querySelector<HTMLInputElement>(sel)!;
        if (value === undefined) el.click();
        else {
          el.value = value;
          el.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    },
    [STATE, sel, value] as const,
  );
}

const TEXT = "[data-testid=models-text]";
const sortBy = (col: string) => `button[data-sort="${col}"]`;

test("the first frame shows the window's rows as the complete table does: a filter cleared, a sort reversed", async () => {
  const { page, errors } = await openModels();
  await change(page, TEXT, "qwen");
  const cleared = await change(page, TEXT, "");
  // the rows brought back below the window come later: the first commit is not the whole table
  assert.equal(cleared.first.complete, false);
  assert.deepEqual(cleared.first, { ...cleared.last, complete: false });
  assert.ok(cleared.last.rows.length >= 3, cleared.last.rows.join(" "));
  await change(page, sortBy("ctx"));
  const reversed = await change(page, sortBy("ctx"));
  assert.equal(reversed.first.complete, false);
  assert.deepEqual(reversed.first, { ...reversed.last, complete: false });
  assert.match(reversed.last.sorted, /descending/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("scrolled into the table: the window's rows and the scroll are final in the first frame", async () => {
  const { page, errors } = await openModels();
  await page.evaluate(() => {
    const body = document.querySelector<HTMLTableElement>("table.models-table")!.tBodies[0];
    window.scrollTo(0, body.rows[30].getBoundingClientRect().top + window.scrollY);
  });
  for (const [sel, value] of [
    [sortBy("params"), undefined],
    [sortBy("params"), undefined],
    ["[data-testid=models-min-ctx]", "131072"],
    ["[data-testid=models-min-ctx]", ""],
  ] as const) {
    const { first, last } = await change(page, sel, value);
    assert.deepEqual({ ...first, complete: true }, last, `${sel} ${value ?? "click"}`);
    assert.ok(last.rows.length > 0, `${sel}: rows in the window`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("a sort from the keyboard keeps the focus on its header button", async () => {
  const { page, errors } = await openModels();
  await page.focus(sortBy("ctx"));
  const done = page.waitForFunction(
    (s) => document.querySelector(s)?.getAttribute("data-complete")?.includes("sort=ctx-asc") === true,
    STATE,
  );
  await page.keyboard.press("Enter");
  await done;
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.sort), "ctx");
  assert.deepEqual(errors, []);
  await page.close();
});
