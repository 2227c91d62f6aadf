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
