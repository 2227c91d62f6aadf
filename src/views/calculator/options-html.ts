/**
 * A long `<select>`'s options as one HTML string, for `dangerouslySetInnerHTML`: the island then
 * hydrates the select without an option vnode (Preact leaves inner HTML alone while hydrating, and
 * the string's identity keeps it untouched on later renders), while the page's HTML is byte for
 * byte what preact-render-to-string writes for the same `<option>` vnodes (options-html.test.ts).
 * The `selected` mark is the server's (the first paint, before any script); afterwards the select's
 * `value` property chooses, as it does for option vnodes. Bench: /calculator/ time to interactive.
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
