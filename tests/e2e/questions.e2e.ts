/**
 * Issue 18's eight everyday questions, replayed as a user would, each ending at the right answer
 * in at most three interactions (counted: every click, pick, upload or Enter is one). The right
 * answer is computed in this process by the engine through the same view model and transitions
 * the island uses, never read back from the page. Waits are on the island's committed state.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, newPage, REPO_ROOT, siteNamed, UI_TIMEOUT } from "../helpers/browser.ts";
import { waitCommitted } from "./calculator-page.ts";
import { writeGguf } from "../helpers/gguf-writer.ts";
import { qwen3Model } from "../helpers/gguf-models.ts";
import { loadCatalog } from "../unit/calculator/load-catalog.ts";
import { computeView, type CalcView, type LoadedModel } from "../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../../src/lib/calculator/state.ts";
import { normalizeState } from "../../src/lib/calculator/normalize.ts";
import { handOff, machinePatch } from "../../src/lib/calculator/question.ts";
import { withModelDefaults } from "../../src/lib/calculator/model-change.ts";
import { lightCatalog } from "../../src/lib/calculator/catalog.ts";
import { loadGgufFile } from "../../src/lib/calculator/gguf-load.ts";
import { encodeCustom } from "../../src/lib/calculator/custom.ts";
import { formatContext } from "../../src/lib/format.ts";
import { EXAMPLE_QUESTIONS } from "../../src/lib/calculator/examples.ts";

const catalog = loadCatalog();
const light = lightCatalog(catalog);
const view = (s: CalcState, loaded: LoadedModel | null = null): CalcView =>
  computeView({ state: s, catalog, loaded, extraRuns: [] });

/** What the island does with one input (Calculator.tsx `update`): model defaults, hand-off, merge, normalize. */
function apply(s: CalcState, patch: Partial<CalcState>): CalcState {
  const p = withModelDefaults(patch, s, light.models);
  const h = handOff(s, p);
  return normalizeState(h ? h.state : { ...s, ...p }, light.kvTypes).state;
}
const pickMachine = (s: CalcState, hid: string) => apply(s, machinePatch(light.hardware, light.budgets, s.budget, hid));

const SETTLED = '.calc[data-ready="true"][data-pending="false"][data-state]';

async function waitFor(page: Page, s: CalcState): Promise<void> {
  await waitCommitted(page, s);
}

/** Counts the user's interactions in one question. */
class User {
  count = 0;
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async pick(selector: string, value: string): Promise<void> {
    this.count++;
    await this.page.selectOption(selector, value);
  }
  async click(selector: string): Promise<void> {
    this.count++;
    await this.page.locator(selector).first().click();
  }
  async enter(selector: string, text: string): Promise<void> {
    this.count++; // typing and Enter: one entry
    await this.page.locator(selector).fill(text);
    await this.page.locator(selector).press("Enter");
  }
}

const largestText = (page: Page) => page.getByTestId("calc-largest").innerText();
const selectedRow = (v: CalcView) => v.s.maxTable.find((r) => r.selected)!;
const counts: Record<string, number> = {};

let browser: Browser;
let tmp: string;
before(async () => {
  browser = await launchBrowser();
  tmp = mkdtempSync(path.join(tmpdir(), "questions-e2e-"));
});
after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
  console.log(`interactions per question: ${JSON.stringify(counts)}`);
});

async function start(): Promise<{ page: Page; user: User; errors: string[] }> {
  const page = await newPage(browser);
  const errors = collectErrors(page);
  await page.goto(`${siteNamed("root").url}calculator/`, { waitUntil: "load" });
  await page.waitForSelector(SETTLED);
  return { page, user: new User(page), errors };
}

/** Question 1's state, also the one the shared-link, no-JavaScript and phone checks open. */
const q1 = pickMachine(apply(DEFAULT_STATE, { model: "qwen3-14b" }), "apple-m3-max-36gb");

async function m3MaxQwen3(): Promise<void> {
  const { page, user, errors } = await start();
  await user.pick("#calc-model", "qwen3-14b");
  await user.pick("#calc-hw", "apple-m3-max-36gb");
  await waitFor(page, q1);
  const v = view(q1);
  assert.equal(q1.budget, "apple-metal-default");
  assert.equal(q1.engine, "llama.cpp");
  const q8 = v.s.maxTable.find((r) => r.key === "q8_0/q8_0")!;
  assert.ok(q8.maxCtx !== null);
  const row = page.locator("[data-testid='calc-max-table'] tbody tr", { hasText: "q8_0/q8_0" });
  assert.ok((await row.innerText()).includes(formatContext(q8.maxCtx)), await row.innerText());
  assert.match(await page.getByTestId("calc-budget-usable").innerText(), /working set/);
  // the hand-off line still says what changed, but no longer asks for the machine just picked
  const note = await page.getByTestId("calc-handoff").innerText();
  assert.match(note, /upstream llama\.cpp/);
  assert.doesNotMatch(note, /pick your machine/);
  assert.ok(v.s.chart.limits?.some((l) => /working-set/.test(l.label)));
  assert.ok((await largestText(page)).includes(formatContext(selectedRow(v).maxCtx!)));
  counts["1 M3 Max + Qwen3-14B q8_0"] = user.count;
  assert.ok(user.count <= 3);
  assert.deepEqual(errors, []);
  await page.close();
}

async function llama70bOn4090(): Promise<void> {
  const { page, user, errors } = await start();
  await user.pick("#calc-model", "llama-3.1-70b");
  await user.pick("#calc-hw", "nvidia-rtx-4090");
  const s = pickMachine(apply(DEFAULT_STATE, { model: "llama-3.1-70b" }), "nvidia-rtx-4090");
  await waitFor(page, s);
  const v = view(s);
  assert.equal(v.c.verdict.kind, "no");
  const first = v.c.suggestions![0];
  assert.equal(first.key, "ngl");
  const shown = page.getByTestId("calc-suggestions");
  assert.ok((await shown.innerText()).includes(first.title));
  await user.click("[data-testid='calc-suggestions'] li[data-key='ngl'] button");
  const fixed = apply(s, first.patch);
  await waitFor(page, fixed);
  assert.equal(view(fixed).c.verdict.kind === "no", false);
  assert.doesNotMatch(await page.getByTestId("calc-verdict").innerText(), /Does not fit/);
  counts["2 Llama 3.1 70B on a 4090 at 32K"] = user.count;
  assert.ok(user.count <= 3);
  assert.deepEqual(errors, []);
  await page.close();
}

async function gptOss20bAt128k(): Promise<void> {
  const { page, user, errors } = await start();
  await user.pick("#calc-model", "gpt-oss-20b");
  await user.pick("#calc-hw", "nvidia-rtx-4080");
  await user.enter("#calc-ctx-text", "128k");
  const s = apply(pickMachine(apply(DEFAULT_STATE, { model: "gpt-oss-20b" }), "nvidia-rtx-4080"), { ctx: 131072 });
  await waitFor(page, s);
  assert.equal(s.ftype, "MXFP4_MOE", "gpt-oss is sized as it ships");
  const v = view(s);
  assert.ok((await page.getByTestId("calc-verdict").innerText()).includes(v.c.verdict.text));
  const r = selectedRow(v);
  assert.ok((await largestText(page)).includes(formatContext(r.maxCtx!)));
  counts["3 gpt-oss-20b on 16 GB at 128K"] = user.count;
  assert.ok(user.count <= 3);
  assert.deepEqual(errors, []);
  await page.close();
}

async function localGguf(): Promise<void> {
  const file = path.join(tmp, "mine.gguf");
  await writeGguf(file, qwen3Model({ nLayer: 6, nHeadKv: 2, headDim: 128, nCtxTrain: 40960 }));
  const loaded = await loadGgufFile(new File([readFileSync(file)], "mine.gguf"));
  const arch = encodeCustom(loaded.architecture, loaded.name, loaded.tensorsFtype);
  const s = handOff(DEFAULT_STATE, { model: "gguf", ggufUrl: null, arch })!.state;
  const { page, user, errors } = await start();
  const chooser = page.waitForEvent("filechooser");
  await user.click("#calc-gguf-file");
  await (await chooser).setFiles(file);
  await waitFor(page, s);
  const r = selectedRow(view(s, loaded));
  assert.ok((await largestText(page)).includes(formatContext(r.maxCtx!)), await largestText(page));
  counts["4 a local GGUF"] = user.count;
  // Its permalink, opened elsewhere (no file): says plainly which numbers are approximate.
  const other = await newPage(browser);
  await other.goto(`${siteNamed("root").url}calculator/?${stateToQuery(s, DEFAULT_STATE)}`, { waitUntil: "load" });
  await waitFor(other, s);
  assert.match(await other.getByTestId("calc-approx").innerText(), /Approximate without the file: .*weights/);
  assert.equal(await other.locator(".calc-notices").count(), 0, "not filed under settings not understood");
  await other.close();
  assert.ok(user.count <= 3);
  assert.deepEqual(errors, []);
  await page.close();
}

async function sharedLink(): Promise<void> {
  const page = await newPage(browser);
  await page.goto(`${siteNamed("root").url}calculator/?${stateToQuery(q1, DEFAULT_STATE)}`, { waitUntil: "load" });
  await waitFor(page, q1);
  assert.ok((await largestText(page)).includes(formatContext(selectedRow(view(q1)).maxCtx!)));
  counts["5 sharing a link"] = 0;
  await page.close();
}

async function noJavaScript(): Promise<void> {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  ctx.setDefaultTimeout(UI_TIMEOUT);
  const page = await ctx.newPage();
  await page.goto(`${siteNamed("root").url}calculator/?${stateToQuery(q1, DEFAULT_STATE)}`, { waitUntil: "load" });
  const note = page.getByTestId("calc-nojs");
  assert.match(await note.innerText(), /needs JavaScript.*shared link/s);
  const noteTop = (await note.boundingBox())!.y;
  const verdictTop = (await page.getByTestId("calc-verdict").boundingBox())!.y;
  assert.ok(noteTop < verdictTop, "the notice comes before the answer");
  assert.equal(await page.locator(".calc__inputs").isVisible(), false);
  // nothing that looks live but does nothing: the chart's view switch and the (empty) permalink too
  const live = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>(".calc input, .calc select, .calc button")]
      .filter((e) => e.offsetParent !== null && !e.disabled)
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(live, []);
  await ctx.close();
}

async function phoneFirstScreen(): Promise<void> {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${siteNamed("root").url}calculator/?${stateToQuery(q1, DEFAULT_STATE)}`, { waitUntil: "load" });
  await waitFor(page, q1);
  const box = (await page.getByTestId("calc-largest").boundingBox())!;
  assert.ok(box.y + box.height <= 844, `largest context ends at ${box.y + box.height} px`);
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".calc table")]
      .filter((t) => t.scrollWidth > (t.parentElement?.clientWidth ?? 0) + 1)
      .map((t) => `${t.getAttribute("aria-label") ?? t.className}: ${t.scrollWidth} > ${t.parentElement?.clientWidth}`),
  );
  assert.deepEqual(wide, []);
  await page.close();
}

async function homePage(): Promise<void> {
  const page = await newPage(browser);
  await page.goto(siteNamed("root").url, { waitUntil: "load" });
  assert.equal(await page.locator("[data-testid='home-examples'] a").count(), 3);
  assert.match(await page.locator("body").innerText(), /“The original report” below is a GitHub issue comment/);
  const user = new User(page);
  const e = EXAMPLE_QUESTIONS[0];
  await user.click(`[data-example='${e.id}']`);
  await page.waitForSelector(SETTLED);
  await waitFor(page, e.state);
  assert.ok((await largestText(page)).includes(formatContext(selectedRow(view(e.state)).maxCtx!)));
  counts["6 the home page"] = user.count;
  await page.close();
}

async function cliAndModelsPage(): Promise<void> {
  const cli = spawnSync(
    process.execPath,
    [
      path.join(REPO_ROOT, "scripts/calc.ts"),
      ...["--model", "Qwen3-32B", "--hardware", "rtx 4090", "--weights", "Q4_K_M", "--kv", "f16", "--json"],
    ],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  assert.equal(cli.status, 0, cli.stderr);
  const fromCli: number = JSON.parse(cli.stdout).budget.max_context;
  assert.equal(JSON.parse(cli.stdout).budget.limited_by, "memory", "a case where memory binds");

  const page = await newPage(browser);
  await page.goto(`${siteNamed("root").url}models/budget/rtx-4090/`, { waitUntil: "load" });
  const row = page.locator("tr#qwen3-32b");
  assert.ok((await row.innerText()).includes(formatContext(fromCli)), await row.innerText());
  const user = new User(page);
  await user.click("tr#qwen3-32b [data-testid='models-calc-link']");
  await page.waitForSelector(SETTLED);
  assert.ok((await largestText(page)).includes(formatContext(fromCli)), await largestText(page));
  assert.match(await largestText(page), /limited by GPU memory/);
  counts["7 the CLI"] = 0;
  counts["8 the models page"] = user.count;
  await page.close();
}

/** Picking a model and a machine hands off to one sequence: the calculator's largest context is the CLI's. */
async function gemmaOn4090(): Promise<void> {
  const cli = spawnSync(
    process.execPath,
    [
      path.join(REPO_ROOT, "scripts/calc.ts"),
      ...["--model", "gemma-3-27b", "--hardware", "nvidia-rtx-4090", "--kv", "f16", "--json"],
    ],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  assert.equal(cli.status, 0, cli.stderr);
  const fromCli: number = JSON.parse(cli.stdout).budget.max_context;
  const s = pickMachine(apply(DEFAULT_STATE, { model: "gemma-3-27b" }), "nvidia-rtx-4090");
  assert.deepEqual([s.nSeq, s.unified, s.typeK, s.typeV], [1, false, "f16", "f16"]);
  assert.equal(selectedRow(view(s)).maxCtx, fromCli, "the engine's answer for the calculator's state is the CLI's");
  const { page, user, errors } = await start();
  await user.pick("#calc-model", "gemma-3-27b");
  await user.pick("#calc-hw", "nvidia-rtx-4090");
  await waitFor(page, s);
  assert.ok((await largestText(page)).includes(formatContext(fromCli)), await largestText(page));
  assert.match(await page.getByTestId("calc-handoff").innerText(), /one sequence, as the CLI.*-np 4/);
  assert.deepEqual(errors, []);
  await page.close();
}

describe("the issue's eight questions", () => {
  test("1. M3 Max 36 GB + Qwen3-14B at q8_0: the machine's working-set budget and one largest context", m3MaxQwen3);
  test(
    "2. Llama 3.1 70B Q4_K_M on an RTX 4090 at 32K: does not fit, and what makes it fit in one click",
    llama70bOn4090,
  );
  test("3. gpt-oss-20b on a 16 GB GPU at 128K: the verdict and the largest context", gptOss20bAt128k);
  test("4. a local GGUF: its largest context on upstream llama.cpp", localGguf);
  test("5. sharing a link: the permalink opens the same question and answer, no interaction", sharedLink);
  test("without JavaScript a permalink says at the top that it needs JavaScript, and hides the controls", noJavaScript);
  test(
    "on a 390 px phone the verdict and the largest context are on the first screen; no table scrolls sideways",
    phoneFirstScreen,
  );
  test("6. the home page: three example questions, each one click from its answer", homePage);
  test(
    "7 + 8. the CLI, the calculator and /models/ give the same largest context (Qwen3-32B, RTX 4090, f16)",
    cliAndModelsPage,
  );
  test(
    "picking gemma-3-27b then an RTX 4090 at f16: the calculator's largest context is the CLI's (one sequence)",
    gemmaOn4090,
  );
});
