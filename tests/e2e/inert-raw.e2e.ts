/**
 * Nothing a stranger uploads is published as active content: a run folder carrying evil.svg,
 * evil.html, evil.xml, evil.js (each with a script that marks the page and beacons home) plus
 * names with `=`, `:` and no extension is ingested into a copy of data/, built, and served by a
 * static server that types files by extension like the common hosts. Every raw link is then
 * opened in Chromium: each answers 200 as text/plain with the stored bytes, no script runs, and
 * the same HTML served under its own name does run (the control: this test can fail).
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { REPO_ROOT, launchBrowser } from "../helpers/browser.ts";
import { serveStatic, type StaticServer } from "../helpers/static-server.ts";
import { buildFrom, copyData, ingestInto, tempDir, treeHash } from "../helpers/temp-site.ts";
import { dataDir } from "../../src/content-layer/data-dir.ts";

const MARK = `document.title = "PWNED"; try { localStorage.setItem("pwned", "1"); } catch {} fetch("/pwned");`;
const PAYLOADS: Record<string, string> = {
  "evil.html": `<!doctype html><title>evil</title><script>${MARK}</script><img src=x onerror='${MARK}'>`,
  "evil.svg": `<svg xmlns="http://www.w3.org/2000/svg" onload='${MARK}'><script>${MARK}</script></svg>`,
  "evil.xml": `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>${MARK}</script></html>`,
  "evil.xhtml": `<html xmlns="http://www.w3.org/1999/xhtml"><body><script>${MARK}</script></body></html>`,
  "evil.js": MARK,
  "k=v:w.html": `<script>${MARK}</script>`,
  NOEXT: `<script>${MARK}</script>`,
};

let browser: Browser;
let server: StaticServer;
let outDir: string;
let runId: string;
const DATA = dataDir(process.env, REPO_ROOT);
const dataBefore = treeHash(DATA);

before(async () => {
  browser = await launchBrowser();
  const data = copyData();
  const input = path.join(tempDir("cc-evil-"), "evil-run");
  mkdirSync(input);
  copyFileSync(
    path.join(REPO_ROOT, "tests/fixtures/ingest/log-formats/llama-cpp/kv-current.log"),
    path.join(input, "llama.log"),
  );
  for (const [name, body] of Object.entries(PAYLOADS)) writeFileSync(path.join(input, name), body);
  const ing = ingestInto(data, [input], ["--no-check", "--json"]);
  assert.equal(ing.status, 0, ing.stderr + ing.stdout);
  runId = (JSON.parse(ing.stdout) as { runs: Array<{ id: string }> }).runs[0].id;
  const built = buildFrom(data);
  assert.equal(built.status, 0, built.stderr.slice(-4000));
  outDir = built.outDir;
  // the control: the same payload published under its own name, as the old build did
  mkdirSync(path.join(outDir, "control"));
  writeFileSync(path.join(outDir, "control", "evil.html"), PAYLOADS["evil.html"]);
  server = await serveStatic(outDir);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens `url` in a fresh page; returns whether a payload marked it. */
async function marked(url: string): Promise<boolean> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  try {
    await page.goto(url, { waitUntil: "load" });
    const title = await page.evaluate(() => document.title);
    const stored = await page.evaluate(() => {
      try {
        return localStorage.getItem("pwned");
      } catch {
        return null;
      }
    });
    return title === "PWNED" || stored === "1";
  } finally {
    await ctx.close();
  }
}

test("the control payload under its own name runs (the check can fail)", async () => {
  assert.equal(await marked(`${server.url}control/evil.html`), true);
});

test("every raw file of an uploaded run is an inert text/plain download; no script runs", async () => {
  const id = runId;
  const run = JSON.parse(readFileSync(path.join(outDir, "runs", id, "run.json"), "utf8")) as {
    provenance: { raw_files: Array<{ path: string; bytes: number }> };
  };
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${server.url}runs/${id}/`, { waitUntil: "load" });
  const links = await page.$$eval("table.raw-files a[download]", (as) =>
    as.map((a) => ({ href: (a as HTMLAnchorElement).href, name: a.getAttribute("download") ?? "" })),
  );
  await ctx.close();
  assert.deepEqual(
    links.map((l) => l.name).sort(),
    run.provenance.raw_files.map((f) => f.path.split("/").pop()).sort(),
    "one link per raw file, downloading under its own name",
  );
  for (const name of Object.keys(PAYLOADS))
    assert.ok(
      links.some((l) => l.name === name),
      name,
    );
  for (const l of links) {
    const res = await fetch(l.href);
    assert.equal(res.status, 200, `${l.name}: ${l.href}`);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/, l.name);
    const body = await res.text();
    if (l.name in PAYLOADS) assert.equal(body, PAYLOADS[l.name], `${l.name}: stored bytes`);
    assert.equal(await marked(l.href), false, `${l.name} ran a script at ${l.href}`);
  }
  assert.deepEqual(
    server.beacons.filter((b) => !b.includes("/control/")),
    [],
    "no beacon from a published raw file",
  );
  assert.equal(treeHash(DATA), dataBefore, "data/ untouched");
});
