/**
 * Shared pieces of the calculator's browser suites (calculator*.e2e.ts): the engine's expected view
 * for a state, and waiting on the island's committed state rather than on time.
 */
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { REPO_ROOT, siteNamed, UI_TIMEOUT } from "../helpers/browser.ts";
import { loadCatalog } from "../unit/calculator/load-catalog.ts";
import { computeView, type CalcView, type LoadedModel } from "../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../../src/lib/calculator/state.ts";

export const FIXTURE_RUN = path.join(REPO_ROOT, "tests/fixtures/calculator/run-qwen3.5-27b-fixture.json");
export const catalog = loadCatalog();
export const expected = (patch: Partial<CalcState> = {}, loaded: LoadedModel | null = null): CalcView =>
  computeView({ state: { ...DEFAULT_STATE, ...patch }, catalog, loaded, extraRuns: [] });
export const bytesOf = (v: CalcView, key: string): number => v.c.components.find((c) => c.key === key)!.bytes;

/** The island is hydrated, its engine and chart loaded, and it shows a committed state. */
export const SETTLED = '.calc[data-ready="true"][data-pending="false"][data-state]';

export async function open(page: Page, query = "", base = siteNamed("root").url): Promise<void> {
  await page.goto(`${base}calculator/${query}`, { waitUntil: "load" });
  await page.waitForSelector(SETTLED);
}

/**
 * Waits until the island shows the committed numbers of `state`: its `data-state` attribute (the
 * committed state's permalink query) is set only when what it shows belongs to that state. With
 * `ready`, also that the engine and chart have loaded (`data-ready`).
 */
export async function waitCommitted(page: Page, state: CalcState, opts: { ready?: boolean } = {}): Promise<void> {
  await page.waitForFunction(
    ({ want, ready }) => {
      const el = document.querySelector<HTMLElement>(".calc");
      if (ready && el?.dataset.ready !== "true") return false;
      return el?.dataset.pending === "false" && el.dataset.state === want;
    },
    { want: stateToQuery(state, DEFAULT_STATE), ready: opts.ready ?? false },
    { timeout: UI_TIMEOUT },
  );
}

/** Waits for the committed numbers of the default state changed by `patch` (see waitCommitted). */
export async function waitState(page: Page, patch: Partial<CalcState>): Promise<void> {
  await waitCommitted(page, { ...DEFAULT_STATE, ...patch });
}

/** Bytes shown in the breakdown table for a component (data-bytes of its MiB cell). */
export async function shownBytes(page: Page, key: string): Promise<number> {
  return Number(await page.locator(`tr[data-key="${key}"] td[data-bytes]`).getAttribute("data-bytes"));
}
export async function cells(page: Page): Promise<number> {
  return Number((await page.getByTestId("calc-cells").innerText()).replace(/,/g, ""));
}
/** Waits for the committed state at context `ctx`, then checks the cells it shows (`cells`). */
export async function waitCtx(page: Page, ctx: number, cellsShown = ctx): Promise<void> {
  await waitState(page, { ctx });
  assert.equal(await cells(page), cellsShown);
}
