/**
 * A report's "Rests on" lines are plain strings in the frontmatter; a source they cite is written
 * `[text](/path/#anchor)` (a site page, linked through the deploy base) or `[text](https://…)` (a
 * public page). Nothing else is linked — no other scheme, no protocol-relative URL — so
 * frontmatter cannot inject a script URL.
 */
export interface InlinePart {
  readonly text: string;
  /** Site path (starting with "/") or https URL, when this part is a link. */
  readonly href?: string;
  /** True for an https URL (not passed through the deploy base). */
  readonly external?: boolean;
}

const LINK = /\[([^\]]+)\]\((\/(?!\/)[A-Za-z0-9/_.#-]*|https:\/\/[A-Za-z0-9/_.#%~:@+=&?-]+)\)/g;

export function inlineLinks(line: string): InlinePart[] {
  const parts: InlinePart[] = [];
  let last = 0;
  for (const m of line.matchAll(LINK)) {
    if (m.index > last) parts.push({ text: line.slice(last, m.index) });
    parts.push(m[2].startsWith("https://") ? { text: m[1], href: m[2], external: true } : { text: m[1], href: m[2] });
    last = m.index + m[0].length;
  }
  if (last < line.length) parts.push({ text: line.slice(last) });
  return parts;
}
