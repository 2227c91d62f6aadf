import assert from "node:assert/strict";
import { test } from "node:test";
import { joinBase, stripBase } from "../../../src/lib/paths.ts";

test("joinBase puts the deploy base in front of internal paths", () => {
  assert.equal(joinBase("/", "/runs/"), "/runs/");
  assert.equal(joinBase("/context-ceiling/", "/runs/"), "/context-ceiling/runs/");
  assert.equal(joinBase("/context-ceiling", "runs/"), "/context-ceiling/runs/");
});

test("joinBase leaves external links and fragments alone", () => {
  assert.equal(joinBase("/x/", "https://example.org/a"), "https://example.org/a");
  assert.equal(joinBase("/x/", "#top"), "#top");
  assert.equal(joinBase("/x/", "mailto:a@b.c"), "mailto:a@b.c");
});

test("stripBase inverts joinBase", () => {
  assert.equal(stripBase("/context-ceiling/", joinBase("/context-ceiling/", "/models/")), "/models/");
  assert.equal(stripBase("/", "/models/"), "/models/");
});
