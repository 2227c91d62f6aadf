/**
 * A GGUF URL that cannot be read keeps the user's configuration and says why (404, not a GGUF,
 * network error); a GGUF whose declared sizes exceed the limits still gives way to the default
 * model (hostile input, src/schemas/limits.ts). The URL input takes https only, so the browser's
 * requests to https://gguf.test/ are forwarded to a real HTTP server on 127.0.0.1 (route.fetch);
 * the network error is a request the browser aborts.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, siteNamed } from "../helpers/browser.ts";
import { encodeGguf, kv } from "../helpers/gguf-writer.ts";
import { qwen3Model } from "../helpers/gguf-models.ts";
import { DEFAULT_STATE, stateToQuery } from "../../src/lib/calculator/state.ts";

const m = qwen3Model();
const files: Record<string, Uint8Array> = {
  "/page.html": new TextEncoder().encode("<!doctype html><html><body>" + "x".repeat(4096) + "</body></html>"),
  "/huge.gguf": encodeGguf({ ...m, metadata: { ...m.metadata, "qwen3.block_count": kv.u32(2 ** 32 - 1) } }).bytes,
};

let browser: Browser;
let server: Server;
let base: string;
before(async () => {
  browser = await launchBrowser();
  server = createServer((req, res) => {
    const cors = { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Content-Range" };
    const file = files[req.url ?? ""];
    if (!file) {
      res.writeHead(404, "Not Found", cors).end("no such file");
      return;
    }
    const r = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "")!;
    const start = Number(r[1]);
    const end = Math.min(Number(r[2]), file.length - 1);
    res.writeHead(206, { ...cors, "Content-Range": `bytes ${start}-${end}/${file.length}` });
    res.end(file.subarray(start, end + 1));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await browser?.close();
  await new Promise<void>((r) => server.close(() => r()));
});

/** The user's own question, not the example: another model, context and V type. */
const mine = stateToQuery({ ...DEFAULT_STATE, model: "llama-3.1-8b", ctx: 65536, typeV: "q8_0" });

async function open(page: Page): Promise<string> {
  await page.route("https://gguf.test/**", async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/offline.gguf") return route.abort("internetdisconnected");
    const headers = { ...route.request().headers() };
    await route.fulfill({ response: await route.fetch({ url: `${base}${path}`, headers }) });
  });
  await page.goto(`${siteNamed("root").url}calculator/?${mine}`, { waitUntil: "load" });
  await page.waitForSelector('.calc[data-ready="true"][data-pending="false"]', { timeout: 20_000 });
  return page.locator(".calc__subtitle").innerText();
}

async function readUrl(page: Page, url: string): Promise<string> {
  await page.locator("#calc-gguf-url").fill(url);
  await page.getByRole("button", { name: "Read header" }).click();
  await page.locator(".calc-notices").waitFor();
  await page.waitForSelector('.calc[data-ready="true"][data-pending="false"]');
  await page.waitForFunction(() => !/[?&]m=gguf/.test(location.search));
  return page.locator(".calc-notices").innerText();
}

const cases: [string, RegExp][] = [
  ["missing.gguf", /missing\.gguf: the server answered HTTP 404 \(not found\)\. Your settings are unchanged/],
  ["page.html", /page\.html: it is not a GGUF file/],
  ["offline.gguf", /offline\.gguf: network error/],
];
for (const [name, reason] of cases)
  test(`a GGUF URL that fails (${name}) says why and keeps the user's model, context and K/V types`, async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    const subtitle = await open(page);
    const cells = await page.getByTestId("calc-cells").innerText();
    const notice = await readUrl(page, `https://gguf.test/${name}`);
    assert.match(notice, reason);
    assert.doesNotMatch(notice, /default model/);
    assert.equal(await page.locator(".calc__subtitle").innerText(), subtitle);
    assert.equal(await page.getByTestId("calc-cells").innerText(), cells);
    assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get("m")), "llama-3.1-8b");
    assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get("ctv")), "q8_0");
    assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get("c")), "65536");
    // the browser itself logs the failed request; nothing else may fail
    assert.deepEqual(
      errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e)),
      [],
    );
    await page.close();
  });

test("a GGUF URL declaring 2^32−1 layers: the limit named, and the default model (hostile input)", async () => {
  const page = await browser.newPage();
  const subtitle = await open(page);
  const notice = await readUrl(page, "https://gguf.test/huge.gguf");
  assert.match(notice, /block_count: 4294967295 is above the limit of 4096 .*Showing the default model/);
  await page.waitForFunction(() => !/[?&]m=llama-3\.1-8b/.test(location.search));
  assert.notEqual(await page.locator(".calc__subtitle").innerText(), subtitle);
  await page.close();
});
