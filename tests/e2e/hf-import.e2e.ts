/**
 * The import box in the browser: a Hugging Face id read through the Hub's HTTP layout (the local
 * stand-in tests/helpers/hub-server.ts, reached by routing https://huggingface.co and a mirror
 * host to it with the Hub's CORS headers), the bytes fetched said, a permalink that re-imports on
 * load, a GGUF repo's file choice, failures that keep the user's configuration, and an Ollama tag
 * answered with the CLI command (the registry is never asked).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, siteNamed } from "../helpers/browser.ts";
import { REPO_ROOT } from "../helpers/engine.ts";
import { jsonFile, startHubServer } from "../helpers/hub-server.ts";
import type { HubFile, HubServer } from "../helpers/hub-server.ts";
import { encodeGguf } from "../helpers/gguf-writer.ts";
import { qwen3Model } from "../helpers/gguf-models.ts";
import { DEFAULT_STATE, ENGINE_REVISIONS, stateToQuery } from "../../src/lib/calculator/state.ts";

const config = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/hf/Qwen--Qwen3-8B.config.json"), "utf8"));
const gguf = (): HubFile => {
  const { layout } = encodeGguf(qwen3Model());
  return { head: layout.header, size: Number(layout.fileSize) };
};

let browser: Browser;
let hub: HubServer;
before(async () => {
  browser = await launchBrowser();
  hub = await startHubServer({
    hf: {
      "Qwen/Qwen3-8B": { files: { "config.json": jsonFile(config) } },
      "test/tiny-GGUF": { files: { "tiny-Q4_K_M.gguf": gguf(), "tiny-Q8_0.gguf": gguf(), "README.md": jsonFile("") } },
      "gated/model": { files: { "config.json": jsonFile(config) }, status: 401 },
    },
  });
});
after(async () => {
  await browser?.close();
  await hub?.close();
});

/** The user's own question: another model, context and V type. */
const mine = { ...DEFAULT_STATE, model: "llama-3.1-8b", ctx: 65536, typeV: "q8_0" as const };
const ready = '.calc[data-ready="true"][data-pending="false"]';
const param = (page: Page, k: string) => page.evaluate((key) => new URLSearchParams(location.search).get(key), k);

/** Route the Hub (and a mirror host) to the stand-in, with the CORS headers the Hub sends; count Ollama requests. */
async function open(page: Page, query: string): Promise<{ ollama: number; hosts: Set<string> }> {
  const seen = { ollama: 0, hosts: new Set<string>() };
  for (const host of ["https://huggingface.co/**", "https://hf-mirror.test/**"])
    await page.route(host, async (route) => {
      const u = new URL(route.request().url());
      seen.hosts.add(u.host);
      const res = await route.fetch({ url: `${hub.base}${u.pathname}${u.search}`, headers: route.request().headers() });
      const headers = {
        ...res.headers(),
        "access-control-allow-origin": "*",
        "access-control-expose-headers": "Content-Range",
      };
      await route.fulfill({ response: res, headers });
    });
  await page.route("https://registry.ollama.ai/**", (route) => {
    seen.ollama++;
    return route.abort();
  });
  await page.goto(`${siteNamed("root").url}calculator/?${query}`, { waitUntil: "load" });
  await page.waitForSelector(ready, { timeout: 20_000 });
  return seen;
}

/** Wait until a test id's text is `want` (the numbers follow the import by a render). */
const sameText = (page: Page, id: string, want: string) =>
  page.waitForFunction(([i, w]) => document.querySelector(`[data-testid="${i}"]`)?.textContent === w, [
    id,
    want,
  ] as const);

async function importName(page: Page, text: string): Promise<void> {
  await page.locator("#calc-import").fill(text);
  await page.getByRole("button", { name: "Import", exact: true }).click();
}

test("hf:Qwen/Qwen3-8B: the preset's numbers, the bytes fetched said, and a permalink that re-imports", async () => {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await open(page, stateToQuery({ ...mine, model: "qwen3-8b" }));
  const total = await page.getByTestId("calc-total").innerText();
  const cells = await page.getByTestId("calc-cells").innerText();
  const before = hub.log.length;
  await importName(page, "Qwen/Qwen3-8B");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("m") === "hf");
  await page.waitForSelector(ready);
  await page.getByTestId("calc-import-note").waitFor();
  await sameText(page, "calc-total", total);
  assert.equal(await param(page, "hf"), "Qwen/Qwen3-8B");
  assert.equal(await page.getByTestId("calc-total").innerText(), total, "same as the preset");
  assert.equal(await page.getByTestId("calc-cells").innerText(), cells);
  assert.equal(await param(page, "c"), "65536", "the user's context kept");
  const sent = hub.log.slice(before);
  assert.equal(sent.length, 2, "file list and config.json");
  const bytes = sent.reduce((s, r) => s + r.bytes, 0);
  const note = await page.getByTestId("calc-import-note").innerText();
  assert.match(
    note,
    new RegExp(
      `Fetched ${bytes.toLocaleString("en-US")} B .* in 2 requests \\(file list, config\\.json\\); nothing else was downloaded`,
    ),
  );
  assert.match(await page.getByTestId("calc-model-name").innerText(), /from Hugging Face/);
  // the permalink, opened afresh, imports again and shows the same numbers
  const link = await page.evaluate(() => location.search.slice(1));
  const again = await browser.newPage();
  const n = hub.log.length;
  await open(again, link);
  await again.getByTestId("calc-import-note").waitFor();
  await again.waitForSelector(ready);
  await sameText(again, "calc-total", total);
  assert.equal(await again.getByTestId("calc-total").innerText(), total);
  assert.equal(hub.log.length - n, 2);
  assert.deepEqual(errors, []);
  await again.close();
  await page.close();
});

test("a GGUF repo with two files offers them; the chosen file's header is read and named in the permalink", async () => {
  const page = await browser.newPage();
  await open(page, stateToQuery({ ...mine, ftype: "Q6_K" }));
  await importName(page, "hf:test/tiny-GGUF");
  const select = page.locator("#calc-import-file");
  await select.waitFor();
  await page.waitForFunction(() => new URLSearchParams(location.search).get("m") === "llama-3.1-8b");
  await page.waitForSelector(ready);
  assert.equal(await param(page, "m"), "llama-3.1-8b", "nothing chosen yet: the question stays");
  assert.deepEqual(await select.locator("option:not([disabled])").allInnerTexts(), [
    "tiny-Q4_K_M.gguf",
    "tiny-Q8_0.gguf",
  ]);
  await select.selectOption("tiny-Q8_0.gguf");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("file") === "tiny-Q8_0.gguf");
  await page.getByTestId("calc-import-note").waitFor();
  await page.waitForSelector(ready);
  assert.match(
    await page.getByTestId("calc-import-note").innerText(),
    /in 2 requests \(file list, GGUF header of tiny-Q8_0\.gguf\)/,
  );
  assert.match(await page.getByTestId("calc-model-name").innerText(), /qwen3/);
  await page.close();
});

test("a gated repo says so and keeps the user's model, context and V type", async () => {
  const page = await browser.newPage();
  await open(page, stateToQuery(mine));
  const subtitle = await page.locator(".calc__subtitle").innerText();
  await importName(page, "gated/model");
  await page.locator(".calc-notices", { hasText: "gated or private" }).waitFor();
  await page.waitForSelector(ready);
  assert.match(
    await page.locator(".calc-notices").innerText(),
    /hf:gated\/model: .*gated or private.* Your settings are unchanged/,
  );
  // The address bar follows the state after a short debounce (use-permalink.ts): during a slow
  // import it may already say m=hf, and the failure's return to the user's model lands one
  // debounce later. Wait for it to leave m=hf, then check it is the user's model.
  await page.waitForFunction(() => new URLSearchParams(location.search).get("m") !== "hf");
  assert.equal(await param(page, "m"), "llama-3.1-8b");
  assert.equal(await param(page, "ctv"), "q8_0");
  assert.equal(await page.locator(".calc__subtitle").innerText(), subtitle);
  await page.close();
});

test("the mirror base setting routes the import to the mirror", async () => {
  const page = await browser.newPage();
  const seen = await open(page, stateToQuery({ ...mine, hfBase: "https://hf-mirror.test" }));
  await importName(page, "Qwen/Qwen3-8B");
  await page.getByTestId("calc-import-note").waitFor();
  assert.deepEqual([...seen.hosts], ["hf-mirror.test"]);
  assert.equal(await param(page, "hfb"), "https://hf-mirror.test");
  await page.close();
});

test("an Ollama tag is answered with the exact CLI command; the registry is not asked", async () => {
  const page = await browser.newPage();
  const revision = ENGINE_REVISIONS.ollama[0];
  const seen = await open(page, stateToQuery({ ...mine, engine: "ollama", revision, typeK: "q8_0", typeV: "q8_0" }));
  await importName(page, "ollama:qwen3.5:27b");
  await page.getByTestId("calc-import-cli").waitFor();
  const notice = await page.getByTestId("calc-import-cli").innerText();
  assert.match(notice, /no cross-origin access: ollama\/ollama#3096/);
  assert.match(
    notice,
    /npm run calc -- --model ollama:qwen3\.5:27b --engine ollama --ctx 65536 --ctk q8_0 --ctv q8_0 --parallel 4 --unified --backend metal/,
  );
  assert.equal(seen.ollama, 0);
  assert.equal(await param(page, "m"), "llama-3.1-8b");
  await page.close();
});
