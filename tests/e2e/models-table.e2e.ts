/**
 * /models/ controls in a real browser: sort by a column, filter by context and by name, and a K/V
 * type change that recomputes each row's largest context in the page. Every expected context is
 * computed here by the engine (the build's table path, modelTableRow) for the page's budget; the
 * test waits on the controls' `data-complete` (every row shows the state, not only those on screen),
 * never on time.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { loadCatalog } from "../../scripts/catalog/validate.ts";
import { dataDir } from "../../src/content-layer/data-dir.ts";
import { DEFAULT_STATE } from "../../src/lib/calculator/state.ts";
import { DEFAULT_CHOICE } from "../../src/lib/catalog/choices.ts";
import { modelTableRow, usableBudget } from "../../src/lib/catalog/index.ts";
import { reduceBudget, reduceHardware, reduceModel } from "../../src/lib/calculator/catalog.ts";
import {
  machineBudget,
  pickMachine,
  type MachineCatalog,
  type TableMachine,
} from "../../src/lib/catalog/machine-table.ts";
import { collectErrors, launchBrowser, newPage, siteNamed } from "../helpers/browser.ts";

const { catalog } = loadCatalog(dataDir());
const budget = catalog.budgets.find((b) => b.id === DEFAULT_CHOICE.budget)!;
/** The page's own machine as the controls' state names it. */
const PAGE = `m=${budget.hardwareId ?? ""}|${DEFAULT_CHOICE.budget}||${DEFAULT_CHOICE.backend}`;
// The default choice reads the budget as reported (no machine), over the whole process.
assert.equal(DEFAULT_CHOICE.hardware, null);
const calcCat: MachineCatalog = {
  models: catalog.models.map((m) => reduceModel(m)),
  hardware: catalog.hardware.map(reduceHardware),
  budgets: catalog.budgets.map(reduceBudget),
};
const solverBudget = { bytes: usableBudget(budget, null).bytes, pool: "total" as const };

/** Largest context per model id at K/V type `kv`, by the engine (null: none fits or refused). */
function expected(kv: "f16" | "q8_0"): Map<string, number | null> {
  const config = { backend: DEFAULT_CHOICE.backend, type_k: kv, type_v: kv, flash_attn: "on" } as const;
  return new Map(
    catalog.models.map((m) => [m.id, modelTableRow(m, { budget: solverBudget, config }).maxContext?.nCtx ?? null]),
  );
}

interface Shown {
  id: string;
  ctx: number | null;
  hidden: boolean;
  href: string | null;
}

async function shownRows(page: Page): Promise<Shown[]> {
  return page.$$eval("table.models-table tbody tr", (trs) =>
    trs.map((tr) => {
      const el = tr as HTMLTableRowElement;
      const link = el.querySelector<HTMLAnchorElement>("[data-testid=models-calc-link]");
      return {
        id: el.id,
        ctx: el.dataset.ctx ? Number(el.dataset.ctx) : null,
        hidden: el.hidden === true,
        href: link ? link.getAttribute("href") : null,
      };
    }),
  );
}

const STATE = "[data-testid=models-controls]";
const waitState = (page: Page, state: string) =>
  page.waitForSelector(`${STATE}[data-complete="${state.replace(/["\\]/g, "\\$&")}"]`);

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test("/models/ sorts, filters and recomputes the largest context at another K/V type", async () => {
  const page = await newPage(browser);
  const errors = collectErrors(page);
  await page.goto(siteNamed("root").url + "models/", { waitUntil: "load" });
  await waitState(page, `${PAGE};kv=f16;sort=none;min=0;q=`);
  const f16 = expected("f16");
  const q8 = expected("q8_0");
  // q8_0 must change something, or the K/V check below could not fail.
  assert.ok([...q8].some(([id, n]) => n !== f16.get(id)));

  // Sort: largest context, descending (second click), missing values last.
  await page.click("button[data-sort=ctx]");
  await waitState(page, `${PAGE};kv=f16;sort=ctx-asc;min=0;q=`);
  await page.click("button[data-sort=ctx]");
  await waitState(page, `${PAGE};kv=f16;sort=ctx-desc;min=0;q=`);
  let rows = await shownRows(page);
  assert.equal(rows.length, catalog.models.length);
  for (const r of rows) assert.equal(r.ctx, f16.get(r.id), `${r.id} at f16`);
  const want = [...f16.values()].sort((a, b) => (a === null ? 1 : b === null ? -1 : b - a));
  assert.deepEqual(
    rows.map((r) => r.ctx),
    want,
  );

  // K/V type: every row's largest context is the engine's at q8_0, still sorted, links carry it.
  await page.selectOption("[data-testid=models-kv]", "q8_0");
  await waitState(page, `${PAGE};kv=q8_0;sort=ctx-desc;min=0;q=`);
  rows = await shownRows(page);
  for (const r of rows) assert.equal(r.ctx, q8.get(r.id), `${r.id} at q8_0`);
  const ctxs = rows.map((r) => r.ctx).filter((n): n is number => n !== null);
  assert.deepEqual(
    ctxs,
    [...ctxs].sort((a, b) => b - a),
  );
  for (const r of rows.filter((x) => x.href !== null)) {
    const q = new URL(r.href!, "http://x").searchParams;
    // A parameter left out of the link means the calculator's default (stateToQuery drops defaults).
    assert.equal(q.get("m") ?? DEFAULT_STATE.model, r.id);
    assert.equal(q.get("ctk") ?? DEFAULT_STATE.typeK, "q8_0");
    assert.equal(q.get("ctv") ?? DEFAULT_STATE.typeV, "q8_0");
  }

  // Filter: at least 32768 tokens, then a name/family text.
  await page.fill("[data-testid=models-min-ctx]", "32768");
  await waitState(page, `${PAGE};kv=q8_0;sort=ctx-desc;min=32768;q=`);
  rows = await shownRows(page);
  const big = (id: string) => (q8.get(id) ?? 0) >= 32768;
  assert.deepEqual(
    rows.filter((r) => !r.hidden).map((r) => r.id),
    rows.filter((r) => big(r.id)).map((r) => r.id),
  );
  assert.ok(rows.some((r) => r.hidden) && rows.some((r) => !r.hidden));
  await page.fill("[data-testid=models-text]", "Qwen");
  await waitState(page, `${PAGE};kv=q8_0;sort=ctx-desc;min=32768;q=qwen`);
  rows = await shownRows(page);
  const named = new Set(
    catalog.models.filter((m) => `${m.name}\n${m.family}`.toLowerCase().includes("qwen")).map((m) => m.id),
  );
  const visible = rows.filter((r) => !r.hidden).map((r) => r.id);
  assert.ok(visible.length > 0);
  assert.deepEqual(
    visible,
    rows.filter((r) => big(r.id) && named.has(r.id)).map((r) => r.id),
  );
  assert.deepEqual(errors, []);
  await page.close();
});

/** Largest context per model id on a machine (the calculator's budget for it), by the engine. */
function onMachine(m: TableMachine, kv: "f16" | "q4_0"): Map<string, number | null> {
  const b = machineBudget(calcCat, m);
  assert.ok("budget" in b);
  const config = { backend: m.backend, type_k: kv, type_v: kv, flash_attn: "on" } as const;
  return new Map(
    catalog.models.map((x) => [x.id, modelTableRow(x, { budget: b.budget, config }).maxContext?.nCtx ?? null]),
  );
}

test("/models/ on another machine: every row is the engine's answer, and the URL brings it back", async () => {
  const page = await newPage(browser);
  const errors = collectErrors(page);
  await page.goto(siteNamed("root").url + "models/", { waitUntil: "load" });
  await waitState(page, `${PAGE};kv=f16;sort=none;min=0;q=`);
  const machine = pickMachine(
    calcCat,
    {
      hardware: budget.hardwareId ?? "",
      budget: DEFAULT_CHOICE.budget,
      totalBytes: null,
      backend: DEFAULT_CHOICE.backend,
    },
    "nvidia-rtx-4090",
  );
  await page.selectOption("[data-testid=models-machine]", "nvidia-rtx-4090");
  const token = `m=nvidia-rtx-4090|${machine.budget}||${machine.backend}`;
  await waitState(page, `${token};kv=f16;sort=none;min=0;q=`);
  const want = onMachine(machine, "f16");
  assert.ok(
    [...want].some(([id, n]) => n !== expected("f16").get(id)),
    "the machine changes some answer",
  );
  for (const r of await shownRows(page)) assert.equal(r.ctx, want.get(r.id), `${r.id} on the RTX 4090`);

  // A custom memory (40 GiB) and q4_0, sorted: the engine's answers again, links carry the machine.
  const custom = { ...machine, totalBytes: 40 * 2 ** 30 };
  await page.fill("[data-testid=models-memory]", "40");
  await page.selectOption("[data-testid=models-kv]", "q4_0");
  await page.click("button[data-sort=ctx]");
  const state = `m=nvidia-rtx-4090|${machine.budget}|${custom.totalBytes}|${machine.backend};kv=q4_0;sort=ctx-asc;min=0;q=`;
  await waitState(page, state);
  const q4 = onMachine(custom, "q4_0");
  const rows = await shownRows(page);
  for (const r of rows) assert.equal(r.ctx, q4.get(r.id), `${r.id} on 40 GiB at q4_0`);
  const link = new URL(rows.find((r) => r.href)!.href!, "http://x").searchParams;
  assert.equal(link.get("hw"), "nvidia-rtx-4090");
  assert.equal(link.get("tot"), String(custom.totalBytes));

  // The URL holds the state (written just after the rows, as the calculator's permalink): a fresh
  // page at it shows the same rows in the same order.
  await page.waitForURL((u) => u.searchParams.get("sort") === "ctx-asc" && u.searchParams.get("kv") === "q4_0");
  const again = await newPage(browser);
  await again.goto(page.url(), { waitUntil: "load" });
  await waitState(again, state);
  assert.deepEqual(await shownRows(again), rows);
  assert.equal(await again.inputValue("[data-testid=models-memory]"), "40");
  assert.deepEqual(errors, []);
  await again.close();
  await page.close();
});
