import assert from "node:assert/strict";
import { test } from "node:test";
import { inlineLinks } from "../../../src/lib/reports/inline-links.ts";

test("a [text](/path/#anchor) in a Rests-on line becomes a link part, the rest stays text", () => {
  assert.deepEqual(inlineLinks("Engine rules: [the memory model](/docs/memory-model/#swa), v0.5.0"), [
    { text: "Engine rules: " },
    { text: "the memory model", href: "/docs/memory-model/#swa" },
    { text: ", v0.5.0" },
  ]);
  assert.deepEqual(inlineLinks("no link here"), [{ text: "no link here" }]);
});

test("https links are external; script, http and protocol-relative URLs stay text", () => {
  assert.deepEqual(inlineLinks("[fork](https://github.com/TheTom/llama-cpp-turboquant)"), [
    { text: "fork", href: "https://github.com/TheTom/llama-cpp-turboquant", external: true },
  ]);
  for (const line of [
    "[x](javascript:alert(1))",
    "[x](//evil.example/)",
    "[x](http://example.org/)",
    "[x](data:text/html,1)",
  ])
    assert.equal(inlineLinks(line)[0].href, undefined, line);
});
