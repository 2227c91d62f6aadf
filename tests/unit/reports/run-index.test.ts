import assert from "node:assert/strict";
import { test } from "node:test";
import {
  allListPages,
  facetCounts,
  facetSlug,
  kvSlug,
  listPath,
  paginate,
  runsWithFacet,
  sortNewestFirst,
} from "../../../src/lib/runs/run-index.ts";
import type { RunSummary } from "../../../src/lib/runs/run-index.ts";

function run(id: string, date: string, model: string, hw: string, kv: string[]): RunSummary {
  return {
    id,
    date,
    title: id,
    model: { key: model, label: model.toUpperCase() },
    hardware: { key: hw, label: hw },
    kv,
    points: kv.length,
    flagged: 0,
  };
}

const RUNS = [
  run("b", "2026-03-30", "qwen3-14b", "apple-m3-max-36gb", ["f16/f16", "turbo4/turbo4"]),
  run("c", "2026-11-26", "qwen3-14b", "NVIDIA H100 80GB HBM3", ["f16/f16", "q8_0/q4_0"]),
  run("a", "2026-11-26", "llama-3.1-8b", "NVIDIA H100 80GB HBM3", ["q8_0/q8_0"]),
  run("d", "", "qwen3-14b", "x", ["f16/f16"]),
];

test("newest first, ties by id, undated runs last", () => {
  assert.deepEqual(
    sortNewestFirst(RUNS).map((r) => r.id),
    ["a", "c", "b", "d"],
  );
});

test("K/V pairs and free-text hardware become URL-safe facet slugs", () => {
  assert.equal(kvSlug("q8_0/q4_0"), "q8_0-q4_0");
  assert.equal(facetSlug("kv", "q8_0/q4_0"), "q8_0-q4_0");
  assert.equal(facetSlug("hardware", "NVIDIA H100 80GB HBM3"), "nvidia-h100-80gb-hbm3");
  assert.equal(facetSlug("model", "qwen3.5-27b"), "qwen3.5-27b");
  assert.equal(facetSlug("hardware", "—"), "unknown");
});

test("facet counts: most runs first; a run counts once per K/V pair it measured", () => {
  const kv = facetCounts(RUNS, "kv");
  assert.deepEqual(kv[0], { kind: "kv", key: "f16/f16", slug: "f16-f16", label: "f16/f16", count: 3 });
  const models = facetCounts(RUNS, "model");
  assert.deepEqual(
    models.map((m) => [m.slug, m.count]),
    [
      ["qwen3-14b", 3],
      ["llama-3.1-8b", 1],
    ],
  );
  assert.deepEqual(
    runsWithFacet(RUNS, "hardware", "nvidia-h100-80gb-hbm3").map((r) => r.id),
    ["c", "a"],
  );
});

test("pagination: page 1 at the listing's root, later pages under page/N/, prev/next linked", () => {
  const many = Array.from({ length: 120 }, (_, i) => run(`r${i}`, "2026-01-01", "m", "h", ["f16/f16"]));
  const pages = paginate(many, 50);
  assert.equal(pages.length, 3);
  assert.deepEqual(
    pages.map((p) => [p.path, p.runs.length, p.prev, p.next]),
    [
      ["/runs/", 50, undefined, "/runs/page/2/"],
      ["/runs/page/2/", 50, "/runs/", "/runs/page/3/"],
      ["/runs/page/3/", 20, "/runs/page/2/", undefined],
    ],
  );
  assert.equal(listPath(2, { kind: "kv", slug: "f16-f16" }), "/runs/kv/f16-f16/page/2/");
  assert.equal(paginate([], 50).length, 1, "an empty listing still has its page");
  assert.throws(() => paginate(many, 0), /positive integer/);
});

test("every list page has a unique path; ten thousand runs make a few hundred list pages", () => {
  const kvs = ["f16/f16", "q8_0/q8_0", "q4_0/q4_0", "turbo4/turbo4"];
  const big = Array.from({ length: 10_000 }, (_, i) =>
    run(`r${i}`, `2026-${String((i % 12) + 1).padStart(2, "0")}-01`, `m${i % 20}`, `h${i % 10}`, [kvs[i % 4]]),
  );
  const pages = allListPages(big, 50);
  const paths = new Set(pages.map((p) => p.path));
  assert.equal(paths.size, pages.length);
  // 200 unfiltered + 20 models × 10 + 10 hardware × 20 + 4 K/V types × 50 = 800
  assert.equal(pages.length, 800);
});
