/**
 * The calculator's long selects carry their options as one HTML string (options-html.ts): the page
 * must read exactly as it did with option vnodes, i.e. as preact-render-to-string writes a
 * `<select value>` with `<option>` children (the selected mark, bare empty values, escaping).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { h, type ComponentChild } from "preact";
import { renderToString } from "preact-render-to-string";
import {
  optionsHtml,
  selectHtml,
  type OptionEntry,
  type OptionItem,
} from "../../../src/views/calculator/options-html.ts";
import { loadCatalog } from "./load-catalog.ts";

const option = (o: OptionItem): ComponentChild => h("option", { key: o.value, value: o.value }, o.text);
const vnodes = (entries: readonly OptionEntry[]): ComponentChild[] =>
  entries.map((e) =>
    "options" in e ? h("optgroup", { key: e.label, label: e.label }, e.options.map(option)) : option(e),
  );
/** The select as option vnodes and as one string, both through preact-render-to-string. */
function both(entries: readonly OptionEntry[], value: string): [string, string] {
  return [
    renderToString(h("select", { id: "s", value }, vnodes(entries))),
    renderToString(h("select", { id: "s", value, dangerouslySetInnerHTML: { __html: optionsHtml(entries, value) } })),
  ];
}

test("options as one string read as the option vnodes did: selected mark, empty value, escaping", () => {
  const odd: OptionEntry[] = [
    { value: "", text: "none: use the budget's stated total" },
    { label: 'A "group" & <more>', options: [{ value: 'a"b&c<d>', text: 'x < y & "z" > w' }] },
    { value: "plain", text: "Plain · 27B (3B active)" },
  ];
  for (const value of ["", 'a"b&c<d>', "plain", "absent"]) {
    const [vdom, html] = both(odd, value);
    assert.equal(html, vdom, value);
  }
  assert.match(both(odd, "plain")[1], /<option selected value="plain">/);
});

test("the catalog's hardware, draft models, K/V and weights types: the same page", () => {
  const cat = loadCatalog();
  const hw = cat.hardware.map((x) => ({ value: x.id, text: x.name }));
  const models = cat.models.map((m) => ({ value: m.id, text: m.name }));
  const groups: OptionEntry[] = [
    { value: "", text: "none" },
    { label: "first half", options: hw.slice(0, 20) },
    { label: "rest", options: hw.slice(20) },
  ];
  for (const [entries, value] of [
    [groups, hw[3].value],
    [groups, ""],
    [models, models[40].value],
  ] as const) {
    const [vdom, html] = both(entries, value);
    assert.equal(html, vdom);
  }
});

test("before the lists are in, a select holds its selected option only (none if the value is absent)", () => {
  const entries: OptionEntry[] = [
    { value: "", text: "none" },
    {
      label: "g",
      options: [
        { value: "a", text: "A" },
        { value: "b", text: "B & b" },
      ],
    },
  ];
  assert.equal(selectHtml(entries, "b", false).__html, '<option selected value="b">B &amp; b</option>');
  assert.equal(selectHtml(entries, "", false).__html, "<option selected value>none</option>");
  assert.equal(selectHtml(entries, "zz", false).__html, "");
  assert.equal(selectHtml(entries, "b", true).__html, optionsHtml(entries, "b"));
});
