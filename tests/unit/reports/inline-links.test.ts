import assert from "node:assert/strict";
import { test } from "node:test";
import { inlineLinks } from "../../../src/components/reports/inline-links.ts";

test("a [text](/path/#anchor) in a Rests-on line becomes a link part, the rest stays text", () => {
  assert.deepEqual(inlineLinks("Engine rules: [the memory model](/docs/memory-model/#swa), v0.5.0"), [
    { text: "Engine rules: " },
    { text: "the memory model", href: "/docs/memory-model/#swa" },
    { text: ", v0.5.0" },
  ]);
  assert.deepEqual(inlineLinks("no link here"), [{ text: "no link here" }]);
});

test("only site paths are linked: external or script URLs stay text", () => {
  for (const line of ["[x](https://example.org/)", "[x](javascript:alert(1))", "[x](//evil.example/)"])
    assert.ok(
      inlineLinks(line).every((p) => p.href === undefined || p.href.startsWith("/")),
      line,
    );
  assert.equal(inlineLinks("[x](//evil.example/)")[0].href, undefined);
});
