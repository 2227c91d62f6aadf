/**
 * Calculator inputs from strangers cannot freeze the tab: a shared link whose architecture
 * declares 10^8 layers, a GGUF file declaring 2^32−1 layers, and a link of 1 500 unknown
 * parameters each end in a short notice and the default model's answer (limits in
 * src/schemas/limits.ts; notices capped in src/lib/calculator/notices.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, siteNamed } from "../helpers/browser.ts";
import { kv, writeGguf } from "../helpers/gguf-writer.ts";
import { qwen3Model } from "../helpers/gguf-models.ts";
import { MAX_NOTICES } from "../../src/lib/calculator/notices.ts";
import { DEFAULT_STATE, stateToQuery } from "../../src/lib/calculator/state.ts";

let browser: Browser;
let tmp: string;
before(async () => {
  browser = await launchBrowser();
  tmp = mkdtempSync(path.join(tmpdir(), "calc-hostile-"));
});
after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function open(page: Page, query = ""): Promise<void> {
  await page.goto(`${siteNamed("root").url}calculator/${query}`, { waitUntil: "load" });
  await page.waitForSelector('.calc[data-ready="true"][data-pending="false"]', { timeout: 20_000 });
}

const cells = async (page: Page) => Number((await page.getByTestId("calc-cells").innerText()).replace(/,/g, ""));
const notices = (page: Page) => page.locator(".calc-notices li");

test("a shared m=custom link declaring 10^8 layers: a notice naming field and limit, the default model", async () => {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  const arch = JSON.stringify({
    a: { arch: "qwen3", block_count: 1e8, n_embd: 4096, n_head: 32, n_head_kv: 8 },
    n: "evil",
  });
  await open(page, `?${stateToQuery({ ...DEFAULT_STATE, model: "custom", arch })}`);
  await page.locator(".calc-notices").waitFor();
  await page.waitForFunction(() => !/[?&]m=custom/.test(location.search));
  const text = await page.locator(".calc-notices").innerText();
  assert.match(text, /block_count: 100000000 is above the limit of 4096 \(layers\)/);
  assert.match(text, /showing the default model/);
  assert.equal(await cells(page), 32768);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a GGUF file declaring 2^32−1 layers: a notice, no freeze, the model unchanged", async () => {
  const m = qwen3Model();
  const file = path.join(tmp, "huge-layers.gguf");
  await writeGguf(file, { ...m, metadata: { ...m.metadata, "qwen3.block_count": kv.u32(2 ** 32 - 1) } });
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await open(page);
  const before = await page.locator(".calc__subtitle").innerText();
  const chooser = page.waitForEvent("filechooser");
  await page.locator("#calc-gguf-file").click();
  await (await chooser).setFiles(file);
  await page.locator(".calc-notices").waitFor();
  assert.match(
    await page.locator(".calc-notices").innerText(),
    /huge-layers\.gguf: .*block_count: 4294967295 is above the limit of 4096/,
  );
  assert.equal(await page.locator(".calc__subtitle").innerText(), before);
  assert.equal(await cells(page), 32768);
  assert.deepEqual(errors, []);
  await page.close();
});

test("1 500 unknown parameters (as many as a 16 KB request line holds) give at most a dozen notice lines, duplicates folded", async () => {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  const query = Array.from({ length: 1_500 }, (_, i) => `x${i}=1`).join("&");
  await open(page, `?${query}&c=banana&c=banana`);
  await page.locator(".calc-notices").waitFor();
  const lines = await notices(page).allInnerTexts();
  assert.ok(lines.length <= MAX_NOTICES, `${lines.length} lines`);
  assert.match(lines.at(-1)!, /and \d+ more notices/);
  assert.equal(new Set(lines).size, lines.length, "no line twice");
  assert.ok((await page.locator(".calc-notices").innerText()).length < 5000);
  assert.deepEqual(errors, []);
  await page.close();
});
