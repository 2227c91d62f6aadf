/**
 * The /models table's interactive view (pure): sort by a column, filter by context and by a
 * name/family text, and the committed state string the page exposes for tests and permalinks.
 */

export const TABLE_COLUMNS = ["model", "family", "params", "layout", "kv", "fixed", "ctx", "status", "source"] as const;
export type TableColumn = (typeof TABLE_COLUMNS)[number];
export type SortDir = "asc" | "desc";

export interface ViewRow {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  /** Largest context at the current K/V type; null when none fits or it cannot be computed. */
  readonly ctx: number | null;
  /** Sort key per column (numbers for numeric columns); null sorts last in both directions. */
  readonly keys: Readonly<Record<TableColumn, string | number | null>>;
}

export interface ViewFilter {
  /** Keep rows whose largest context is ≥ this many tokens (0: keep all, even those that do not fit). */
  readonly minCtx: number;
  /** Case-insensitive substring of the name or family ("" keeps all). */
  readonly text: string;
}

function compareKeys(a: string | number | null, b: string | number | null): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

/** Rows sorted by one column (stable; missing values last whatever the direction). */
export function sortRows<R extends ViewRow>(rows: readonly R[], col: TableColumn, dir: SortDir): R[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...rows].sort((x, y) => {
    const a = x.keys[col];
    const b = y.keys[col];
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    return sign * compareKeys(a, b);
  });
}

/** Whether a row passes the filter. */
export function rowVisible(row: ViewRow, f: ViewFilter): boolean {
  if (f.minCtx > 0 && (row.ctx === null || row.ctx < f.minCtx)) return false;
  const q = f.text.trim().toLowerCase();
  return q === "" || row.name.toLowerCase().includes(q) || row.family.toLowerCase().includes(q);
}

/** A minimum-context input's value as tokens (blank, negative or not a number: 0, no filter). */
export function parseMinCtx(v: string): number {
  const n = Math.floor(Number(v));
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The committed state, e.g. `kv=q8_0;sort=ctx-desc;min=32768;q=qwen`. */
export function viewState(kv: string, col: TableColumn | null, dir: SortDir, f: ViewFilter): string {
  return `kv=${kv};sort=${col ? `${col}-${dir}` : "none"};min=${f.minCtx};q=${f.text.trim().toLowerCase()}`;
}

/**
 * Which rows can stay where they are when the rows go from their current order to a new one:
 * `from[i]` is the current position of the row that goes to place i. The rows left in place are a
 * longest increasing run of `from` (O(n log n)), so moving the others — and only them — gives the
 * new order with the fewest moves. A moved row is rebuilt by the browser (style, layout, text), so
 * each one saved is work saved.
 */
export function rowsInPlace(from: readonly number[]): boolean[] {
  // tails[k]: index i in `from` of the smallest last value of an increasing run of length k + 1
  const tails: number[] = [];
  const prev = new Array<number>(from.length).fill(-1);
  from.forEach((v, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (from[tails[mid]] < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  });
  const keep = new Array<boolean>(from.length).fill(false);
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) keep[i] = true;
  return keep;
}
