/**
 * A failed GGUF URL load says why and keeps the user's configuration, except for a header
 * whose declared sizes exceed the limits (hostile input: the default model). Each case is read
 * by the real header reader from a real HTTP server on 127.0.0.1 (the browser's URL input
 * accepts https only; tests/e2e/gguf-url-failure.e2e.ts covers the island).
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { loadGgufUrl } from "../../../src/lib/calculator/gguf-load.ts";
import { classifyGgufFailure } from "../../../src/lib/calculator/gguf-failure.ts";
import { encodeGguf, kv } from "../../helpers/gguf-writer.ts";
import { qwen3Model } from "../../helpers/gguf-models.ts";

const m = qwen3Model();
const files: Record<string, Uint8Array> = {
  "/good.gguf": encodeGguf(m).bytes,
  "/page.html": new TextEncoder().encode("<!doctype html><html><body>" + "x".repeat(4096) + "</body></html>"),
  "/huge.gguf": encodeGguf({ ...m, metadata: { ...m.metadata, "qwen3.block_count": kv.u32(2 ** 32 - 1) } }).bytes,
};

let server: Server;
let base: string;
before(async () => {
  server = createServer((req, res) => {
    const file = files[req.url ?? ""];
    if (!file) {
      res.writeHead(404, "Not Found").end("no such file");
      return;
    }
    const r = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "")!;
    const start = Number(r[1]);
    const end = Math.min(Number(r[2]), file.length - 1);
    res.writeHead(206, { "Content-Range": `bytes ${start}-${end}/${file.length}` });
    res.end(file.subarray(start, end + 1));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const failureOf = async (url: string) => {
  try {
    await loadGgufUrl(url);
  } catch (e) {
    return classifyGgufFailure(url, e);
  }
  throw new Error(`${url} loaded`);
};

describe("a failed GGUF URL load", () => {
  test("the control: a real GGUF loads", async () => {
    assert.equal((await loadGgufUrl(`${base}/good.gguf`)).architecture.block_count, 4);
  });

  test("404: says the server answered 404, keeps the configuration", async () => {
    const f = await failureOf(`${base}/missing.gguf`);
    assert.equal(f.kind, "http");
    assert.equal(f.keepConfig, true);
    assert.match(f.notice, /missing\.gguf: the server answered HTTP 404 \(not found\)\. Your settings are unchanged/);
  });

  test("an HTML page: says it is not a GGUF file, keeps the configuration", async () => {
    const f = await failureOf(`${base}/page.html`);
    assert.equal(f.kind, "not-gguf");
    assert.equal(f.keepConfig, true);
    assert.match(f.notice, /page\.html: it is not a GGUF file/);
  });

  test("nothing listening: a network error, keeps the configuration", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const f = await failureOf(`http://127.0.0.1:${port}/x.gguf`);
    assert.equal(f.kind, "network");
    assert.equal(f.keepConfig, true);
    assert.match(f.notice, /network error/);
  });

  test("declared sizes over the limits: the default model, with the limit named", async () => {
    const f = await failureOf(`${base}/huge.gguf`);
    assert.equal(f.kind, "over-limit");
    assert.equal(f.keepConfig, false);
    assert.match(f.notice, /block_count: 4294967295 is above the limit of 4096 .*Showing the default model/);
  });
});
