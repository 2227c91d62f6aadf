/**
 * A long `<select>`'s options as one HTML string, for `dangerouslySetInnerHTML`: the island then
 * hydrates the select without an option vnode (Preact leaves inner HTML alone while hydrating, and
 * the string's identity keeps it untouched on later renders), while the page's HTML is byte for
 * byte what preact-render-to-string writes for the same `<option>` vnodes (options-html.test.ts).
 * The `selected` mark is the server's (the first paint, before any script); afterwards the select's
 * `value` property chooses, as it does for option vnodes. Bench: /calculator/ time to interactive.
 *
 * Until the island's first live answer is painted such a select (all of them below the fold) holds
 * its selected option only (`selectHtml` with `all` false): the page has a few hundred elements
 * fewer to parse, style and lay out before it is interactive; the lists come in the next task
 * (use-lists.ts), and the island is `data-ready` only then. Without JavaScript these controls are
 * hidden anyway (Calculator.astro's noscript style).
 */

export interface OptionItem {
  value: string;
  text: string;
}

/** A flat option or a group of them (`<optgroup label>`). */
export type OptionEntry = OptionItem | { label: string; options: readonly OptionItem[] };

/** preact-render-to-string's escaping, for text and attribute values alike. */
function escapeHtml(s: string): string {
  return s.replace(/["&<]/g, (c) => (c === '"' ? "&quot;" : c === "&" ? "&amp;" : "&lt;"));
}

function optionHtml(o: OptionItem, selected: string): string {
  const sel = o.value === selected ? " selected" : "";
  const value = o.value === "" ? " value" : ` value="${escapeHtml(o.value)}"`;
  return `<option${sel}${value}>${escapeHtml(o.text)}</option>`;
}

export function optionsHtml(entries: readonly OptionEntry[], selected: string): string {
  let out = "";
  for (const e of entries)
    out +=
      "options" in e
        ? `<optgroup label="${escapeHtml(e.label)}">${e.options.map((o) => optionHtml(o, selected)).join("")}</optgroup>`
        : optionHtml(e, selected);
  return out;
}

/** The entry whose value is `value` (none if absent, as the full list then shows no selection). */
function selectedOnly(entries: readonly OptionEntry[], value: string): OptionItem[] {
  for (const e of entries) {
    const o = "options" in e ? e.options.find((x) => x.value === value) : e.value === value ? e : undefined;
    if (o) return [o];
  }
  return [];
}

/** The select's inner HTML: every entry once the lists are in (`all`), else the selected one. */
export function selectHtml(entries: readonly OptionEntry[], value: string, all: boolean): { __html: string } {
  return { __html: optionsHtml(all ? entries : selectedOnly(entries, value), value) };
}
