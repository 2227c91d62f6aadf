/**
 * The /runs/ listing as pure data: newest first, one facet at a time (model, hardware, K/V type),
 * paginated into static pages so that ten thousand runs build as a few hundred list pages and
 * need no client JavaScript to filter. Pages and the sitemap both read their paths from here.
 */

/** What the listing needs to know of one run (reduced from the run file by run-summary.ts). */
export interface RunSummary {
  id: string;
  /** ISO date (YYYY-MM-DD or a full timestamp) of the measurement. */
  date: string;
  title: string;
  model: { key: string; label: string };
  hardware: { key: string; label: string };
  /** K/V type pairs measured, `${type_k}/${type_v}`, sorted, unique. */
  kv: string[];
  points: number;
  /** Points whose measurement is more than 15 % above the calculated value. */
  flagged: number;
}

export type FacetKind = "model" | "hardware" | "kv";

export const FACET_LABEL: Record<FacetKind, string> = {
  model: "Model",
  hardware: "Hardware",
  kv: "K/V cache type",
};

export const PAGE_SIZE = 50;

/** Newest first; ties broken by id so the order is stable whatever order the loader gave. */
export function sortNewestFirst<T extends { date: string; id: string }>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => (a.date === b.date ? a.id.localeCompare(b.id) : a.date < b.date ? 1 : -1));
}

/** A K/V pair as a URL segment: `q8_0/q4_0` → `q8_0-q4_0` (type names never contain `-`). */
export function kvSlug(pair: string): string {
  return pair.replace("/", "-");
}

/** A facet value as a URL path segment: lower-case letters, digits, `.`, `_` and `-` only. */
export function facetSlug(kind: FacetKind, key: string): string {
  const s = kind === "kv" ? kvSlug(key) : key;
  const slug = s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug === "" ? "unknown" : slug;
}

function facetValues(run: RunSummary, kind: FacetKind): Array<{ key: string; label: string }> {
  if (kind === "model") return [run.model];
  if (kind === "hardware") return [run.hardware];
  return run.kv.map((k) => ({ key: k, label: k }));
}

export interface FacetValue {
  kind: FacetKind;
  key: string;
  slug: string;
  label: string;
  count: number;
}

// Every list page shows the counts of every facet over all runs: computed once per runs array
// (pages share the memoised array), not once per page — 1 000 list pages × 10 000 runs otherwise.
const facetMemo = new WeakMap<readonly RunSummary[], Map<FacetKind, FacetValue[]>>();

/** Every value of a facet with its run count, most runs first, then by label. */
export function facetCounts(runs: readonly RunSummary[], kind: FacetKind): FacetValue[] {
  let byKind = facetMemo.get(runs);
  if (!byKind) facetMemo.set(runs, (byKind = new Map()));
  let values = byKind.get(kind);
  if (!values) byKind.set(kind, (values = countFacet(runs, kind)));
  return values;
}

function countFacet(runs: readonly RunSummary[], kind: FacetKind): FacetValue[] {
  const bySlug = new Map<string, FacetValue>();
  for (const run of runs) {
    for (const v of facetValues(run, kind)) {
      const slug = facetSlug(kind, v.key);
      const prior = bySlug.get(slug);
      if (prior) prior.count++;
      else bySlug.set(slug, { kind, key: v.key, slug, label: v.label, count: 1 });
    }
  }
  return [...bySlug.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

export function runsWithFacet(runs: readonly RunSummary[], kind: FacetKind, slug: string): RunSummary[] {
  return runs.filter((r) => facetValues(r, kind).some((v) => facetSlug(kind, v.key) === slug));
}

/** Site path (before the deploy base) of list page `page` (1-based) of a listing. */
export function listPath(page: number, facet?: { kind: FacetKind; slug: string }): string {
  const root = facet ? `/runs/${facet.kind}/${facet.slug}/` : "/runs/";
  return page <= 1 ? root : `${root}page/${page}/`;
}

export interface ListPage {
  /** 1-based. */
  page: number;
  lastPage: number;
  total: number;
  runs: RunSummary[];
  facet?: FacetValue;
  path: string;
  prev?: string;
  next?: string;
}

/** Splits an already-sorted list into pages of `size`; an empty list still has one (empty) page. */
export function paginate(runs: readonly RunSummary[], size: number = PAGE_SIZE, facet?: FacetValue): ListPage[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`page size must be a positive integer, got ${size}`);
  const lastPage = Math.max(1, Math.ceil(runs.length / size));
  const f = facet ? { kind: facet.kind, slug: facet.slug } : undefined;
  return Array.from({ length: lastPage }, (_, i) => {
    const page = i + 1;
    return {
      page,
      lastPage,
      total: runs.length,
      runs: runs.slice(i * size, page * size),
      facet,
      path: listPath(page, f),
      prev: page > 1 ? listPath(page - 1, f) : undefined,
      next: page < lastPage ? listPath(page + 1, f) : undefined,
    };
  });
}

/** Every list page of the site: the unfiltered listing and each value of each facet. */
export function allListPages(runs: readonly RunSummary[], size: number = PAGE_SIZE): ListPage[] {
  const sorted = sortNewestFirst(runs);
  const pages = paginate(sorted, size);
  for (const kind of ["model", "hardware", "kv"] as FacetKind[]) {
    for (const value of facetCounts(sorted, kind)) {
      pages.push(...paginate(runsWithFacet(sorted, kind, value.slug), size, value));
    }
  }
  return pages;
}
