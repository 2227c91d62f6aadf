/**
 * Calculator notices come from a link someone shared: 12 000 unknown parameters would otherwise
 * be 12 000 lines (490 KB of text). Shown notices are de-duplicated, each cut to a readable
 * length, at most MAX_NOTICES of them, and the rest counted in one line. Pure.
 */
export const MAX_NOTICES = 12;
export const MAX_NOTICE_CHARS = 300;

export function capNotices(notices: readonly string[]): string[] {
  const unique = [
    ...new Set(notices.map((n) => (n.length > MAX_NOTICE_CHARS ? `${n.slice(0, MAX_NOTICE_CHARS)}…` : n))),
  ];
  if (unique.length <= MAX_NOTICES) return unique;
  const rest = unique.length - (MAX_NOTICES - 1);
  return [...unique.slice(0, MAX_NOTICES - 1), `…and ${rest} more notices like these (not shown).`];
}
