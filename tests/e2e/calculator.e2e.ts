/**
 * The calculator in a real browser, against both builds. Expected numbers are computed in this
 * process by the engine (through the same view model the island uses), never read back from the page.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  collectErrors,
  launchBrowser,
  newPage,
  REPO_ROOT,
  screenshot,
  siteNamed,
  UI_TIMEOUT,
} from "../helpers/browser.ts";
import { writeGguf } from "../helpers/gguf-writer.ts";
import { qwen3Model } from "../helpers/gguf-models.ts";
import { loadCatalog } from "../unit/calculator/load-catalog.ts";
import { computeView, type CalcView, type LoadedModel } from "../../src/lib/calculator/view.ts";
import { indexToContext } from "../../src/lib/calculator/slider.ts";
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../../src/lib/calculator/state.ts";
import { loadGgufFile } from "../../src/lib/calculator/gguf-load.ts";
import { encodeCustom } from "../../src/lib/calculator/custom.ts";
import { handOff } from "../../src/lib/calculator/question.ts";

const FIXTURE_RUN = path.join(REPO_ROOT, "tests/fixtures/calculator/run-qwen3.5-27b-fixture.json");
const catalog = loadCatalog();
const expected = (patch: Partial<CalcState> = {}, loaded: LoadedModel | null = null): CalcView =>
  computeView({ state: { ...DEFAULT_STATE, ...patch }, catalog, loaded, extraRuns: [] });
const bytesOf = (v: CalcView, key: string): number => v.c.components.find((c) => c.key === key)!.bytes;

let browser: Browser;
let tmp: string;
before(async () => {
  browser = await launchBrowser();
  tmp = mkdtempSync(path.join(tmpdir(), "calc-e2e-"));
});
after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The island is hydrated, its engine and chart loaded, and it shows a committed state. */
const SETTLED = '.calc[data-ready="true"][data-pending="false"][data-state]';

async function open(page: Page, query = "", base = siteNamed("root").url): Promise<void> {
  await page.goto(`${base}calculator/${query}`, { waitUntil: "load" });
  await page.waitForSelector(SETTLED);
}

/**
 * Waits until the island has committed the numbers of the default state changed by `patch`: its
 * `data-state` attribute (the committed state's permalink query) is set only when what it shows
 * belongs to that state.
 */
async function waitState(page: Page, patch: Partial<CalcState>): Promise<void> {
  const q = stateToQuery({ ...DEFAULT_STATE, ...patch }, DEFAULT_STATE);
  await page.waitForFunction(
    (want) => {
      const el = document.querySelector<HTMLElement>(".calc");
      return el?.dataset.pending === "false" && el.dataset.state === want;
    },
    q,
    { timeout: UI_TIMEOUT },
  );
}

/** Bytes shown in the breakdown table for a component (data-bytes of its MiB cell). */
async function shownBytes(page: Page, key: string): Promise<number> {
  return Number(await page.locator(`tr[data-key="${key}"] td[data-bytes]`).getAttribute("data-bytes"));
}
async function cells(page: Page): Promise<number> {
  return Number((await page.getByTestId("calc-cells").innerText()).replace(/,/g, ""));
}
/** Waits for the committed state at context `ctx`, then checks the cells it shows (`cells`). */
async function waitCtx(page: Page, ctx: number, cellsShown = ctx): Promise<void> {
  await waitState(page, { ctx });
  assert.equal(await cells(page), cellsShown);
}

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
    await screenshot(page, "calculator-light");
    assert.deepEqual(errors, []);
    await page.close();
  });

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

  test("a GGUF made by the test, loaded through the file chooser: its name and KV numbers", async () => {
    const file = path.join(tmp, "tiny-qwen3.gguf");
    await writeGguf(file, qwen3Model({ nLayer: 6, nHeadKv: 2, headDim: 128, nCtxTrain: 40960 }));
    // Expected: the same header read and view, in this process.
    const loaded = await loadGgufFile(new File([readFileSync(file)], "tiny-qwen3.gguf"));
    const arch = encodeCustom(loaded.architecture, loaded.name, loaded.tensorsFtype);
    // Picking a model hands the example's fork settings off to upstream llama.cpp (f16 K/V).
    const picked = handOff(DEFAULT_STATE, { model: "gguf", ggufUrl: null, arch })!.state;
    const v = expected(picked, loaded);
    assert.equal(v.c.error, null);
    // By hand: 6 layers × 32768 cells × (256 values K f16 = 512 B + V f16 = 512 B).
    assert.equal(bytesOf(v, "k") + bytesOf(v, "v"), 6 * 32768 * (512 + 512));

    const page = await newPage(browser);
    const errors = collectErrors(page);
    await open(page);
    const chooser = page.waitForEvent("filechooser");
    await page.locator("#calc-gguf-file").click();
    await (await chooser).setFiles(file);
    await waitState(page, picked);
    assert.match(await page.getByTestId("calc-handoff").innerText(), /upstream llama\.cpp/);
    const name = await page.getByTestId("calc-model-name").innerText();
    assert.match(name, /tiny-qwen3/);
    assert.match(name, /qwen3/);
    assert.match(name, /6 layers/);
    assert.equal(await shownBytes(page, "k"), bytesOf(v, "k"));
    assert.equal(await shownBytes(page, "v"), bytesOf(v, "v"));
    assert.equal(await shownBytes(page, "weights"), bytesOf(v, "weights"), "exact weights from the tensor table");
    assert.match(await page.locator(".calc-breakdown").innerText(), /exact, from the GGUF's tensor table/);
    await page.waitForFunction(() => location.search.includes("m=gguf"));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a permalink opens the same state; back and forward restore states", async () => {
    const q = "?c=65536&ctk=f16&ctv=f16&np=1&kvu=0&eng=llama.cpp&be=cuda&hw=nvidia-rtx-4090&b=generic-gpu";
    const patch: Partial<CalcState> = {
      ctx: 65536,
      typeK: "f16",
      typeV: "f16",
      nSeq: 1,
      unified: false,
      engine: "llama.cpp",
      revision: "current",
      backend: "cuda",
      hardware: "nvidia-rtx-4090",
      budget: "generic-gpu",
    };
    const v = expected(patch);
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await open(page, q);
    assert.equal(await page.locator("#calc-ctk").inputValue(), "f16");
    assert.equal(await page.locator("#calc-engine").inputValue(), "llama.cpp");
    assert.equal(await page.locator("#calc-np").inputValue(), "1");
    assert.equal(await page.locator("#calc-hw").inputValue(), "nvidia-rtx-4090");
    assert.equal(await page.locator("#calc-ctx-text").inputValue(), "65536");
    assert.equal(await cells(page), 65536);
    assert.equal(await shownBytes(page, "k"), bytesOf(v, "k"));
    assert.ok((await page.getByTestId("calc-verdict").innerText()).includes(v.c.verdict.text));
    assert.equal(await page.locator(".calc-notices").count(), 0);
    // The copy-link field carries the same query.
    assert.equal(new URL(await page.locator("#calc-link").inputValue()).search, new URL(page.url()).search);
    // Change something, go back, go forward.
    await page.locator("#calc-ctv").selectOption("q8_0");
    await waitState(page, { ...patch, typeV: "q8_0" });
    await page.waitForFunction(() => location.search.includes("ctv=q8_0"));
    await page.goBack();
    await page.waitForFunction(() => !location.search.includes("ctv=q8_0"));
    await waitState(page, patch);
    assert.equal(await page.locator("#calc-ctv").inputValue(), "f16");
    await page.goForward();
    await waitState(page, { ...patch, typeV: "q8_0" });
    assert.equal(await page.locator("#calc-ctv").inputValue(), "q8_0");
    assert.equal(await shownBytes(page, "v"), bytesOf(expected({ ...patch, typeV: "q8_0" }), "v"));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a malformed permalink shows the notice and the default answer", async () => {
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await open(page, "?c=banana&np=0&ctk=turbo9&zzz=%3Cscript%3E");
    const notice = page.locator(".calc-notices");
    assert.ok(await notice.isVisible());
    const text = await notice.innerText();
    for (const p of ["c=", "np=", "ctk=", "zzz="]) assert.ok(text.includes(p), `notice names ${p}`);
    assert.equal(await cells(page), 32768);
    assert.equal(await shownBytes(page, "k"), bytesOf(expected(), "k"));
    assert.equal(await page.locator("script:has-text('zzz')").count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("measured points of a fixture run appear as SVG marks with tooltips, and in the residual view", async () => {
    const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    const errors = collectErrors(page);
    await open(page);
    const chooser = page.waitForEvent("filechooser");
    await page.locator("#calc-run-file").click();
    await (await chooser).setFiles(FIXTURE_RUN);
    const marks = page.locator(".calc-chart__live g.calc-measured path");
    await marks.first().waitFor();
    assert.equal(await marks.count(), 3);
    const titles = await page.locator(".calc-chart__live g.calc-measured path title").allTextContents();
    assert.equal(titles.length, 3);
    for (const t of titles) {
      assert.match(t, /Run: Fixture: qwen3\.5-27b KV sizes/);
      assert.match(t, /Tool: llama\.cpp/);
      assert.match(t, /Build: /);
      assert.match(t, /Delta: \+\d+\.\d\d %/);
    }
    // 8192: engine 213,909,504 B (16 layers × 8192 × 1632 B), measured 220,000,000 → +2.85 %.
    assert.ok(titles.some((t) => t.includes("context 8192") && t.includes("Delta: +2.85 %")));
    // Pointer tip.
    await page.locator(".calc-chart__live").scrollIntoViewIfNeeded();
    const box = (await marks.first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll(".calc-chart__live g[aria-label='tip']")].some((g) =>
          g.textContent?.includes("Run: Fixture"),
        ),
      null,
      { timeout: UI_TIMEOUT },
    );
    // Residual view.
    await page.getByLabel("Residual (±15 % band)").check();
    await page.waitForFunction(() =>
      document.querySelector(".calc-chart h3")?.textContent?.includes("Measured − calculated"),
    );
    assert.equal(await page.locator(".calc-chart__live g.calc-measured path").count(), 3);
    assert.match(await page.locator(".calc-chart__live").innerText(), /\+15 %/);
    await page.waitForFunction(() => location.search.includes("v=residual"));
    await screenshot(page, "calculator-residual");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("every control is labelled", async () => {
    const page = await newPage(browser);
    await open(page);
    await page.locator(".calc-arch summary").click();
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
  test("qwen3-14b loads only its architecture's runs file under the base path and draws the engine's matching marks", async () => {
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
    assert.deepEqual(runFiles, [`${site.base}calculator/runs/qwen3.json`]);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
