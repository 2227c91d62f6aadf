/**
 * A report's "Rests on" lines are plain strings in the frontmatter; an internal page they cite is
 * written `[text](/path/#anchor)` and rendered as a link through the deploy base. Only site paths
 * are linked: anything else stays text, so frontmatter cannot inject an arbitrary URL.
 */
export interface InlinePart {
  readonly text: string;
  /** Site path (starting with "/"), when this part is a link. */
  readonly href?: string;
}

const LINK = /\[([^\]]+)\]\((\/(?!\/)[A-Za-z0-9/_.#-]*)\)/g;

export function inlineLinks(line: string): InlinePart[] {
  const parts: InlinePart[] = [];
  let last = 0;
  for (const m of line.matchAll(LINK)) {
    if (m.index > last) parts.push({ text: line.slice(last, m.index) });
    parts.push({ text: m[1], href: m[2] });
    last = m.index + m[0].length;
  }
  if (last < line.length) parts.push({ text: line.slice(last) });
  return parts;
}
