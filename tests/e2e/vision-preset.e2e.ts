/**
 * A catalog preset's projector without a file (data/projectors.json): the vision box offers it,
 * its weights are the engine's F16 mmproj built from the published vision_config, the breakdown
 * and the command gain it, and the permalink (mmproj=preset) brings it back.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, siteNamed } from "../helpers/browser.ts";
import { REPO_ROOT } from "../helpers/engine.ts";
import { DEFAULT_STATE, stateToQuery } from "../../src/lib/calculator/state.ts";
import { ProjectorsFileSchema } from "../../src/schemas/projector.ts";
import { projectorHeader } from "../../src/lib/engine/vision-tensors.ts";

const facts = ProjectorsFileSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, "data/projectors.json"), "utf8")));
const gemma = facts.projectors.find((p) => p.model === "gemma-3-27b")!;
const n = JSON.parse(readFileSync(join(REPO_ROOT, "data/models/gemma-3-27b.json"), "utf8")).architecture.n_embd;
const weights = projectorHeader(gemma, n, "x").tensorBytes;

let browser: Browser;
before(async () => void (browser = await launchBrowser()));
after(async () => void (await browser?.close()));

const committed = (page: Page, mmproj: string | null) =>
  page.waitForFunction((want) => {
    const el = document.querySelector<HTMLElement>(".calc");
    const box = document.querySelector<HTMLElement>("fieldset[data-projector]");
    const q = new URLSearchParams(location.search).get("mmproj");
    return el?.dataset.pending === "false" && q === want && (want === null || !!box?.dataset.projector);
  }, mmproj);

test("gemma-3-27b: the catalog's projector, no file; breakdown, command and permalink carry it", async () => {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  const q = stateToQuery({
    ...DEFAULT_STATE,
    model: "gemma-3-27b",
    engine: "llama.cpp",
    revision: "current",
    typeV: "q8_0",
  });
  await page.goto(`${siteNamed("root").url}calculator/?${q}`, { waitUntil: "load" });
  await page.waitForSelector('.calc[data-ready="true"][data-pending="false"]', { timeout: 20_000 });
  const total = await page.getByTestId("calc-total").innerText();
  await page.getByTestId("calc-projector-preset").click();
  await committed(page, "preset");
  assert.equal(await page.locator("fieldset[data-projector]").getAttribute("data-projector"), `gemma3:${weights}`);
  assert.match(await page.getByTestId("calc-projector").innerText(), /256 tokens per image/);
  assert.notEqual(await page.getByTestId("calc-total").innerText(), total, "the total includes the projector");
  assert.match(await page.locator(".calc").innerText(), /--mmproj mmproj-gemma-3-27b-f16\.gguf/);
  const link = await page.evaluate(() => location.search.slice(1));
  const again = await browser.newPage();
  await again.goto(`${siteNamed("root").url}calculator/?${link}`, { waitUntil: "load" });
  await committed(again, "preset");
  assert.equal(await again.locator("fieldset[data-projector]").getAttribute("data-projector"), `gemma3:${weights}`);
  assert.deepEqual(errors, []);
  await again.close();
  await page.close();
});

test("qwen3.5-27b: the catalog's projector sized for a 1920x1080 image (2040 tokens), carried by the permalink", async () => {
  const page = await browser.newPage();
  await page.goto(`${siteNamed("root").url}calculator/`, { waitUntil: "load" });
  await page.waitForSelector('.calc[data-ready="true"][data-pending="false"]', { timeout: 20_000 });
  await page.getByTestId("calc-projector-preset").click();
  await committed(page, "preset");
  assert.match(await page.getByTestId("calc-image-basis").innerText(), /largest image it accepts .* 4096 tokens/);
  await page.locator("#calc-image-size").fill("1920x1080");
  await page.locator("#calc-image-size").press("Enter");
  await page.locator("#calc-image-size").blur();
  await page.waitForFunction(() => new URLSearchParams(location.search).get("imgs") === "1920x1080");
  await committed(page, "preset");
  assert.match(
    await page.getByTestId("calc-image-basis").innerText(),
    /1920×1080 image is encoded at 1920×1088 px → 2040 tokens/,
  );
  assert.match(await page.getByTestId("calc-projector").innerText(), /2,040 tokens per image/);
  await page.close();
});

test("a model without projector facts offers none; mmproj=preset on it is dropped", async () => {
  const page = await browser.newPage();
  const q = `${stateToQuery({ ...DEFAULT_STATE, model: "llama-3.1-8b", engine: "llama.cpp", revision: "current", typeV: "q8_0" })}&mmproj=preset`;
  await page.goto(`${siteNamed("root").url}calculator/?${q}`, { waitUntil: "load" });
  await page.waitForSelector('.calc[data-ready="true"][data-pending="false"]', { timeout: 20_000 });
  await committed(page, null);
  assert.equal(await page.getByTestId("calc-projector-preset").count(), 0);
  await page.close();
});
