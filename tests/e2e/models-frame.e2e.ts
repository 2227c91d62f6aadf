/**
 * The bench's /models/ frame measure (scripts/bench/table-frame.ts) on the built site: every
 * control of the live table commits within the input's own task (no animation frame in between,
 * so the next frame paints it), the rows it leaves are those a fresh page computes for the same
 * state, and the measure fails loudly — unmatched changes, page errors, a failed recompute —
 * instead of reporting a time. Waits are on the page's state, never on time.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { CONTROLS_SEL, TABLE_CONTROLS, driveOnPage, pageErrors } from "../../scripts/bench/table-frame.ts";
import { launchBrowser, newPage, siteNamed } from "../helpers/browser.ts";

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** /models/ at `search`, once all its rows show `state` (any state when not given). */
async function openModels(search = "", state?: string): Promise<{ page: Page; errors: string[] }> {
  const page = await newPage(browser);
  const errors = pageErrors(page);
  await page.goto(`${siteNamed("root").url}models/${search}`, { waitUntil: "load" });
  const want = state === undefined ? "" : `="${state.replace(/["\\]/g, "\\$&")}"`;
  await page.waitForSelector(`${CONTROLS_SEL}[data-complete${want}]`);
  return { page, errors };
}

/** Each row's id, committed context and answer cell as the reader sees it, in table order. */
const tableText = (page: Page) =>
  page.$$eval("table.models-table tbody tr", (trs) =>
    trs.map((tr) => {
      const el = tr as HTMLTableRowElement;
      const answer = el.querySelector("[data-ctx-answer]") as HTMLElement;
      const link = el.querySelector("[data-testid=models-calc-link]");
      return [el.id, el.hidden, el.dataset.ctx, answer.innerHTML, link?.getAttribute("href") ?? null];
    }),
  );

test("every control of the live table commits in the input's task, and leaves what a fresh page shows", async () => {
  const { page, errors } = await openModels();
  for (const c of TABLE_CONTROLS) {
    const r = await driveOnPage(page, { ...c, events: 4 }, errors, { warmup: 2, patience: 600 });
    assert.equal(r.unmatched, 0, c.key);
    assert.equal(r.ms.length, 4, c.key);
    // 0 frames: committed before the next animation frame began, so that frame paints the new table
    assert.deepEqual(r.frames, [0, 0, 0, 0], c.key);
  }
  const state = (await page.getAttribute(CONTROLS_SEL, "data-state"))!;
  // The URL follows the state just after the rows (debounced). The sort control ran last, every
  // other control's value was final before it: the URL with the final sort is the final URL.
  const sort = /;sort=([^;]+);/.exec(state)![1];
  assert.notEqual(sort, "none");
  await page.waitForURL((u) => u.searchParams.get("sort") === sort);
  const fresh = await openModels(new URL(page.url()).search, state);
  assert.deepEqual(await tableText(page), await tableText(fresh.page));
  assert.deepEqual([...errors, ...fresh.errors], []);
  await fresh.page.close();
  await page.close();
});

test("the measure fails loudly: a change that never reaches the table, a page error, a failed recompute", async () => {
  const { page, errors } = await openModels();
  // An input nobody listens to: every change is unmatched, no time is reported.
  await page.evaluate(() => document.body.append(Object.assign(document.createElement("input"), { id: "inert" })));
  const inert = { key: "inert", selector: "#inert", event: "input" as const, events: 3, values: ["1", "2"] };
  const r = await driveOnPage(page, inert, errors, { warmup: 0, patience: 2 });
  assert.equal(r.unmatched, 3);
  assert.deepEqual(r.ms, []);

  // An uncaught error in the page: the next drive throws, naming it.
  const thrown = page.waitForEvent("pageerror");
  await page.evaluate(() =>
    setTimeout(() => {
      throw new Error("boom in the page");
    }, 0),
  );
  await thrown;
  const once = { ...TABLE_CONTROLS[0], events: 1 };
  await assert.rejects(driveOnPage(page, once, errors, { warmup: 0, patience: 2 }), /page errors:.*boom/);
  await page.close();

  // The engine's catalog cannot load: the controls say so and the drive throws with that message.
  const broken = await newPage(browser);
  const brokenErrors: string[] = [];
  await broken.route("**/calculator/catalog.json", (route) => route.fulfill({ status: 500, body: "" }));
  await broken.goto(`${siteNamed("root").url}models/`, { waitUntil: "load" });
  await broken.selectOption("[data-testid=models-kv]", "q8_0");
  await broken.waitForSelector(`${CONTROLS_SEL} .verdict-no`);
  await assert.rejects(
    driveOnPage(broken, once, brokenErrors, { warmup: 0, patience: 2 }),
    /could not recompute: .*HTTP 500/,
  );
  await broken.close();
});
