/**
 * Joins a site-internal path onto the deploy base (`/` or `/sub/path/`). Every internal link
 * goes through here so the site works when published under a sub-path (GitHub Pages).
 * Pure: the base is passed in, so tests can exercise any base without Vite.
 */
export function joinBase(base: string, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//") || path.startsWith("#")) return path;
  const b = base.endsWith("/") ? base : `${base}/`;
  const p = path.startsWith("/") ? path.slice(1) : path;
  return `${b}${p}`;
}

/** Strips the deploy base from a pathname; the inverse of joinBase for internal paths. */
export function stripBase(base: string, pathname: string): string {
  const b = base.endsWith("/") ? base : `${base}/`;
  return pathname.startsWith(b) ? `/${pathname.slice(b.length)}` : pathname;
}
