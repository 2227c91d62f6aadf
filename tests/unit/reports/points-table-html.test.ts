/**
 * The run page's points table, built as a string in worker threads: the rows and cells the page
 * shows, and every string that comes from a run file (or the engine's messages about it) escaped,
 * so a hostile run file cannot put markup on its page.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeAttr, escapeText } from "../../../src/lib/html.ts";
import type { CellView, PointView, RunView } from "../../../src/lib/runs/run-view.ts";
import { pointsTableHtml } from "../../../src/views/runs/points-table-html.ts";

const HOSTILE = `"><script>alert('x')</script>&amp;`;

function cell(over: Partial<CellView>): CellView {
  return {
    metric: "kv_bytes",
    measured: 640 * 2 ** 20,
    calculated: 640 * 2 ** 20,
    deltaPct: 0,
    flag: "exact",
    lowersCeiling: false,
    component: "kv.bytes",
    exactExpected: true,
    basis: null,
    baselineBytes: null,
    reason: null,
    ...over,
  };
}

function point(over: Partial<PointView>): PointView {
  return {
    id: "p1",
    status: "ok",
    ctx: 4096,
    allocated: 4096,
    kv: "f16/f16",
    fa: "on",
    series: "f16/f16 FA on",
    cells: [cell({})],
    assumed: [],
    error: null,
    ...over,
  };
}

test("escaping follows Astro's rules: text & < > ' \", attributes & and \"", () => {
  assert.equal(escapeText(HOSTILE), "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;");
  assert.equal(escapeAttr(HOSTILE), "&quot;><script>alert('x')</script>&amp;amp;");
  assert.equal(escapeText("plain 1.5 MiB"), "plain 1.5 MiB");
  assert.equal(escapeText("a<b"), escapeText("a<b"), "no state carried between calls");
});

test("one row group per point, one row per metric, flags and estimates marked", () => {
  const view: RunView = {
    profile: { name: "llama.cpp", revision: "2025-11-07" },
    metrics: ["kv_bytes", "compute_bytes"],
    error: null,
    points: [
      point({
        id: "a",
        cells: [
          cell({}),
          cell({ metric: "compute_bytes", exactExpected: false, flag: "over", deltaPct: 20, lowersCeiling: true }),
        ],
      }),
      point({
        id: "b",
        ctx: 5000,
        allocated: null,
        cells: [
          cell({ measured: null, flag: "not-measured", deltaPct: null }),
          cell({ metric: "compute_bytes", flag: "within" }),
        ],
      }),
    ],
  };
  const html = pointsTableHtml(view);
  assert.equal(html.match(/<tbody /g)?.length, 2);
  assert.equal(html.match(/<tr>/g)?.length, 5, "header row + 2 × 2 metric rows");
  assert.match(html, /<tbody id="point-a"><tr><th scope="rowgroup" rowspan="2"><div>4K · f16\/f16 · FA on<\/div>/);
  assert.match(html, /<div>5000 · f16\/f16 · FA on<\/div><div class="small muted">allocation not logged<\/div>/);
  assert.match(html, /<td class="num estimate">640\.00 MiB<\/td>/);
  assert.match(html, /<td class="verdict-no">&gt; 15 % over<div class="small">lowers the context ceiling<\/div><\/td>/);
  assert.match(html, /<td class="num"><span class="not-measured">not measured<\/span><\/td>/);
  assert.match(html, /<td class>within 15 %<\/td>/);
});

test("strings from the run file and the engine's messages are escaped, never markup", () => {
  const view: RunView = {
    profile: null,
    metrics: ["kv_bytes"],
    error: null,
    points: [
      point({
        id: HOSTILE,
        status: "failed",
        kv: HOSTILE,
        fa: HOSTILE,
        error: HOSTILE,
        assumed: [HOSTILE],
        cells: [cell({ component: HOSTILE, reason: HOSTILE, flag: "not-applicable" })],
      }),
    ],
  };
  const html = pointsTableHtml(view);
  // in a double-quoted attribute only " could end the value; it is escaped, so the id stays one value
  const id = `<tbody id="point-${escapeAttr(HOSTILE)}">`;
  assert.ok(html.includes(id));
  assert.doesNotMatch(escapeAttr(HOSTILE), /"/);
  assert.doesNotMatch(html.replace(id, ""), /<script/);
  assert.equal(html.split(escapeText(HOSTILE)).length - 1, 6, "kv, fa, error, assumed, component, reason");
});
