/**
 * HTML escaping for markup built as strings (run pages drawn in worker threads), the same rules
 * as Astro's own rendering so a string-built fragment reads byte for byte like the component it
 * replaces: text escapes & < > ' ", attribute values & and " (always double-quoted).
 */
const TEXT = /[&<>'"]/g;
const HAS_TEXT_SPECIAL = /[&<>'"]/; // no g flag: .test must not carry lastIndex between calls
const TEXT_ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&quot;" };

/** Text content: nothing a reader's data holds can open a tag or an entity. */
export function escapeText(value: string | number): string {
  const s = String(value);
  return HAS_TEXT_SPECIAL.test(s) ? s.replace(TEXT, (c) => TEXT_ENTITY[c]) : s;
}

/** A double-quoted attribute value. */
export function escapeAttr(value: string | number): string {
  const s = String(value);
  return s.includes("&") || s.includes('"') ? s.replace(/&/g, "&amp;").replace(/"/g, "&quot;") : s;
}
