/**
 * Runs: the listing (newest first, facets, pages), each run's page (points, charts, raw files,
 * JSON), and the promise that ingesting a run and rebuilding is all it takes to publish it —
 * proved on a temporary copy of data/ built into a temporary outDir.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { dataDir } from "../../src/content-layer/data-dir.ts";
import { rawFileHref } from "../../src/lib/runs/raw-files.ts";
import {
  REPO_ROOT,
  collectErrors,
  fetchHtml as html,
  launchBrowser,
  newPage,
  screenshot,
  siteNamed,
} from "../helpers/browser.ts";
import { buildFrom, copyData, ingestInto, treeHash } from "../helpers/temp-site.ts";

const root = siteNamed("root");
const sub = siteNamed("sub");

interface RunFile {
  id: string;
  date?: string;
  title: string;
  points: Array<{
    id: string;
    status: string;
    config: Record<string, unknown>;
    measured: Record<string, { bytes: number }>;
  }>;
  provenance: { raw_files: Array<{ path: string; sha256: string; bytes: number }> };
}

// The data the served builds were made from (CC_DATA_DIR, else data/).
const DATA = dataDir(process.env, REPO_ROOT);
const RUNS_DIR = path.join(DATA, "runs");
const RUNS: RunFile[] = existsSync(RUNS_DIR)
  ? readdirSync(RUNS_DIR)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(path.join(RUNS_DIR, f), "utf8")) as RunFile)
  : [];

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe("the runs listing", () => {
  test("lists every ingested run, newest first", async () => {
    const page = await html(`${root.url}runs/`);
    const ids = [...page.matchAll(/<a href="\/runs\/([^/"]+)\/">/g)]
      .map((m) => m[1])
      .filter((id) => RUNS.some((r) => r.id === id));
    assert.equal(ids.length, RUNS.length, "every run is listed once on the first page");
    const dates = ids.map((id) => RUNS.find((r) => r.id === id)!.date ?? "");
    assert.deepEqual(dates, [...dates].sort().reverse(), "newest first");
  });

  test("each facet page lists only the runs with that model, hardware or K/V type", async () => {
    const page = await html(`${root.url}runs/`);
    const facets = [
      ...new Set([...page.matchAll(/href="\/runs\/(model|hardware|kv)\/([^/"]+)\/"/g)].map((m) => `${m[1]}/${m[2]}`)),
    ];
    assert.ok(facets.length >= 3, `found ${facets.length} facet links`);
    for (const f of facets) {
      const list = await html(`${root.url}runs/${f}/`);
      const listed = [...list.matchAll(/<td><a href="\/runs\/([^/"]+)\/">/g)].map((m) => m[1]);
      assert.ok(listed.length >= 1, `${f} lists a run`);
      if (f.startsWith("kv/")) {
        const [k, v] = f.slice(3).split("-");
        for (const id of listed) {
          const run = RUNS.find((r) => r.id === id)!;
          assert.ok(
            run.points.some((p) => p.config.type_k === k && p.config.type_v === v),
            `${id} measured ${k}/${v}`,
          );
        }
      }
    }
  });
});

describe("each run's page", () => {
  for (const run of RUNS) {
    test(`${run.id}: every point and metric in the table, a chart, raw files byte-exact, the JSON`, async () => {
      const page = await newPage(browser);
      const errors = collectErrors(page);
      const res = await page.goto(`${sub.url}runs/${run.id}/`, { waitUntil: "load" });
      assert.equal(res?.status(), 200);
      assert.equal(await page.locator("h1").textContent(), run.title);
      // One tbody per point, one row per (point, metric measured anywhere in the run).
      const metrics = new Set(run.points.flatMap((p) => Object.keys(p.measured)));
      assert.equal(await page.locator(".points-table tbody").count(), run.points.length);
      assert.equal(await page.locator(".points-table tbody tr").count(), run.points.length * metrics.size);
      for (const p of run.points) {
        const body = page.locator(`tbody[id="point-${p.id}"]`);
        const kv = p.measured.kv_bytes;
        if (kv) assert.match((await body.textContent()) ?? "", new RegExp(`${(kv.bytes / 2 ** 20).toFixed(2)} MiB`));
      }
      assert.ok((await page.locator(".run-chart svg").count()) >= 1, "at least one chart");
      await screenshot(page, `run-${run.id}`);
      assert.deepEqual(errors, []);
      await page.close();

      for (const f of run.provenance.raw_files) {
        const href = `${sub.url}${rawFileHref(run.id, f).slice(1)}`;
        const r = await fetch(href);
        assert.equal(r.status, 200, href);
        const body = Buffer.from(await r.arrayBuffer());
        assert.equal(body.length, f.bytes, `${f.path} size`);
        assert.equal(createHash("sha256").update(body).digest("hex"), f.sha256, `${f.path} sha256`);
      }
      const json = await fetch(`${sub.url}runs/${run.id}/run.json`);
      assert.equal(json.status, 200);
      assert.equal(await json.text(), readFileSync(path.join(RUNS_DIR, `${run.id}.json`), "utf8"));
    });
  }

  test("the H100 run's KV cache equals the engine's figure at every point", async () => {
    const h100 = RUNS.find((r) => r.id.includes("h100"));
    assert.ok(h100, "the H100 run is ingested");
    const page = await html(`${root.url}runs/${h100.id}/`);
    const kvRows = [...page.matchAll(/KV cache<div class="small muted">kv\.bytes<\/div><\/td>(.*?)<\/tr>/gs)];
    assert.equal(kvRows.length, h100.points.length);
    for (const [, row] of kvRows) assert.match(row, />exact</);
  });
});

describe("publishing a run: ingest into a copy of data/, rebuild, find it", () => {
  test("the ingested fixture run gets its page, its points and the top of the listing; data/ is untouched", async () => {
    const before = treeHash(DATA);
    const data = copyData();
    const fixture = path.join(REPO_ROOT, "tests/fixtures/reports/e2e-fixture-run.json");
    const ing = ingestInto(data, [fixture]);
    assert.equal(ing.status, 0, ing.stderr + ing.stdout);
    const fx = JSON.parse(readFileSync(fixture, "utf8")) as { id: string; title: string };
    assert.ok(existsSync(path.join(data, "runs", `${fx.id}.json`)), "ingest wrote the run into the copy");

    const built = buildFrom(data);
    assert.equal(built.status, 0, built.stderr.slice(-4000));
    const pageFile = path.join(built.outDir, "runs", fx.id, "index.html");
    assert.ok(existsSync(pageFile), "the run has its page");
    const page = readFileSync(pageFile, "utf8");
    assert.ok(page.includes(fx.title.replace(/&/g, "&amp;")), "the page carries the run's title");
    // The fixture's points: f16 at 4096 (640 MiB = 40 layers × 2 × 1024 × 2 B × 4096) and
    // q8_0 at 16384 (1360 MiB = 40 × 2 × 1088 B × 16384): measured and calculated agree.
    assert.equal((page.match(/<tbody id="point-/g) ?? []).length, 2);
    assert.equal((page.match(/640\.00 MiB/g) ?? []).length, 2, "640 MiB measured and calculated");
    assert.equal((page.match(/1360\.00 MiB/g) ?? []).length, 2, "1360 MiB measured and calculated");
    const list = readFileSync(path.join(built.outDir, "runs", "index.html"), "utf8");
    const first = /<td><a href="\/runs\/([^/"]+)\/">/.exec(list)?.[1];
    assert.equal(first, fx.id, "the newest run heads the listing");
    assert.equal(
      readFileSync(path.join(built.outDir, "runs", fx.id, "run.json"), "utf8"),
      readFileSync(path.join(data, "runs", `${fx.id}.json`), "utf8"),
    );
    assert.ok(existsSync(path.join(built.outDir, "runs", "model", "qwen3-14b", "index.html")));
    assert.equal(treeHash(DATA), before, "the data directory the site builds from is byte-identical");
    console.log(`# temp build from a copy of data/: ${built.seconds.toFixed(1)} s`);
  });
});
