import assert from "node:assert/strict";
import { test } from "node:test";
import * as Plot from "@observablehq/plot";
import { renderPlotToString } from "../../../src/charts/render.ts";

test("a line and dot plot renders to a standalone SVG string without a browser", () => {
  const data = [
    { x: 2048, y: 1 },
    { x: 8192, y: 2 },
    { x: 32768, y: 5 },
  ];
  const svg = renderPlotToString({
    x: { type: "log", label: "context" },
    marks: [Plot.line(data, { x: "x", y: "y" }), Plot.dot(data, { x: "x", y: "y" })],
  });
  assert.match(svg, /^<svg /);
  assert.match(svg, /xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<circle /g) ?? []).length, 3, "one circle per data point");
  assert.match(svg, /<path [^>]*d="M/);
  assert.match(svg, /context/);
});

test("a plot with a title renders as a figure with escaped text", () => {
  const html = renderPlotToString({
    title: "KV < budget & weights",
    marks: [Plot.barY([{ a: "x", b: 1 }], { x: "a", y: "b" })],
  });
  assert.match(html, /^<figure/);
  assert.match(html, /KV &lt; budget &amp; weights/);
  assert.match(html, /<rect /);
});
