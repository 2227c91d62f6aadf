/**
 * Headless Debian Chromium through playwright-core, with the flags this sandbox needs, plus the
 * sites the e2e runner built and served (E2E_SITES).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { CHROMIUM_ARGS } from "../../scripts/test/chromium.ts";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
export { REPO_ROOT } from "../../scripts/lib/repo-root.ts";

export interface E2ESite {
  name: string;
  base: string;
  url: string;
  outDir: string;
}

export const RESULTS_DIR = path.join(REPO_ROOT, "test-results");

export function e2eSites(): E2ESite[] {
  const raw = process.env.E2E_SITES;
  if (!raw) throw new Error("E2E_SITES is not set: run the browser suites with `npm run test:e2e`");
  return JSON.parse(raw) as E2ESite[];
}

export function siteNamed(name: string): E2ESite {
  const s = e2eSites().find((x) => x.name === name);
  if (!s) throw new Error(`no e2e site named ${name}`);
  return s;
}

/**
 * Headless Chromium for the e2e suites. Playwright hides scrollbars in headless mode (they take
 * no room); `classicScrollbars` keeps them as on a desktop with classic scrollbars.
 */
export async function launchBrowser(opts: { classicScrollbars?: boolean } = {}): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH;
  if (!executablePath) throw new Error("CHROMIUM_PATH is not set (the e2e runner sets it)");
  return chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    ...(opts.classicScrollbars ? { ignoreDefaultArgs: ["--hide-scrollbars"] } : {}),
  });
}

/**
 * How long any wait on the page may take. Waits are on the page's own state (selectors, attributes
 * the islands set when an update is committed), never on elapsed time, so this limit only decides
 * how slow a machine may be before a test gives up: generous, for loaded 2-core CI runners.
 */
export const UI_TIMEOUT = 60_000;

/** A new page whose every wait, action and navigation may take up to UI_TIMEOUT. */
export async function newPage(browser: Browser, opts?: BrowserContextOptions): Promise<Page> {
  const page = await browser.newPage(opts);
  page.setDefaultTimeout(UI_TIMEOUT);
  page.setDefaultNavigationTimeout(UI_TIMEOUT);
  return page;
}

/** Collects console errors and page errors of a page so a test can assert there were none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name.replace(/[^a-z0-9._-]+/gi, "_")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Fetches a page of a served build, asserting HTTP 200, and returns its HTML. */
export async function fetchHtml(url: string | URL): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${String(url)}: HTTP ${res.status}, expected 200`);
  return res.text();
}
