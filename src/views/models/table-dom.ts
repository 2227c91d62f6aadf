/**
 * The /models/ table's rows in the DOM: the server renders them, the island (ModelsControls.tsx)
 * reads them once and then only touches what a change alters — an answer whose text differs, a
 * row whose place or visibility differs. Rewriting or re-inserting all ~80 rows on every change
 * made the browser restyle and lay out the whole table each time (≈ 25 ms a change, most of the
 * /models/ frame in `npm run bench`); unchanged rows now cost nothing.
 */
import type { KvRowResult } from "../../lib/catalog/kv-recompute.ts";
import {
  TABLE_COLUMNS,
  rowVisible,
  rowsInPlace,
  sortRows,
  type SortDir,
  type TableColumn,
  type ViewFilter,
  type ViewRow,
} from "../../lib/catalog/table-view.ts";

export interface DomRow extends ViewRow {
  readonly el: HTMLTableRowElement;
  /** The answer box and the calculator link, found once (not per row on every change). */
  readonly box: HTMLElement | null;
  readonly link: HTMLAnchorElement | null;
  /** What the answer cell shows now (null: the server's markup, not yet rewritten). */
  readonly shown: string | null;
}

const NUMERIC = new Set<TableColumn>(["params", "kv", "fixed", "ctx"]);

export function readRows(tbody: HTMLTableSectionElement): DomRow[] {
  return [...tbody.rows].map((el) => {
    const keys = {} as Record<TableColumn, string | number | null>;
    TABLE_COLUMNS.forEach((c, i) => {
      if (NUMERIC.has(c)) {
        const v = el.dataset[c];
        keys[c] = v === undefined || v === "" ? null : Number(v);
      } else keys[c] = (el.cells[i]?.textContent ?? "").trim();
    });
    return {
      id: el.id,
      name: el.dataset.name ?? "",
      family: el.dataset.family ?? "",
      ctx: keys.ctx as number | null,
      keys,
      el,
      box: el.querySelector<HTMLElement>("[data-ctx-answer]"),
      link: el.querySelector<HTMLAnchorElement>("[data-testid=models-calc-link]"),
      shown: null,
    };
  });
}

/** Everything the answer cell's markup depends on. */
const answerKey = (r: KvRowResult): string =>
  JSON.stringify([r.answer, r.nCtx === null, r.refusal, r.limitedBy, r.beyond]);

/** The single text node of `el` set to `text`, written only where it differs. */
function setText(el: Element, text: string): void {
  const t = el.firstChild as Text;
  if (t.data !== text) t.data = text;
}

/**
 * Whether the box already has the markup `fillAnswer` would build for this answer, texts aside:
 * then only the texts change, and the browser keeps the box's elements (no restyle, no new boxes).
 */
function sameShape(box: HTMLElement, cls: string, title: string | null, lines: number): boolean {
  const kids = [...box.children];
  if (box.childNodes.length !== kids.length || kids.length !== 1 + lines) return false;
  const [main, ...rest] = kids;
  const single = (el: Element) => el.childNodes.length === 1 && el.firstChild?.nodeType === Node.TEXT_NODE;
  return (
    main.tagName === "SPAN" &&
    (main.getAttribute("class") ?? "") === cls &&
    main.getAttribute("title") === title &&
    single(main) &&
    rest.every((d) => d.tagName === "DIV" && d.getAttribute("class") === "small muted" && single(d))
  );
}

function fillAnswer(box: HTMLElement, r: KvRowResult): void {
  const lines = [r.limitedBy, r.beyond].filter((l): l is string => !!l);
  const cls = r.nCtx === null ? (r.refusal ? "not-measured" : "verdict-no") : "";
  if (sameShape(box, cls, r.refusal, lines.length)) {
    const [main, ...rest] = box.children;
    setText(main, r.answer);
    rest.forEach((d, i) => setText(d, lines[i]));
    return;
  }
  box.replaceChildren();
  const main = document.createElement("span");
  main.textContent = r.answer;
  if (cls) main.className = cls;
  if (r.refusal) main.title = r.refusal;
  box.append(main);
  for (const line of lines) {
    const d = document.createElement("div");
    d.className = "small muted";
    d.textContent = line;
    box.append(d);
  }
}

/** Writes a row's largest context and calculator link, leaving the DOM alone where nothing changed. */
export function writeAnswer(row: DomRow, r: KvRowResult, calcPath: string): DomRow {
  const key = answerKey(r);
  if (key !== row.shown && row.box) fillAnswer(row.box, r);
  const link = row.link;
  const href = `${calcPath}?${r.query}`;
  if (link && link.getAttribute("href") !== href) link.setAttribute("href", href);
  const ctx = r.nCtx === null ? "" : String(r.nCtx);
  if (row.el.dataset.ctx !== ctx) row.el.dataset.ctx = ctx;
  return { ...row, ctx: r.nCtx, keys: { ...row.keys, ctx: r.nCtx }, shown: key };
}

/** Turns each column header into a sort button; returns the cleanup. */
export function attachSortButtons(t: HTMLTableElement, onSort: (col: TableColumn) => void): () => void {
  const heads = [...(t.tHead?.rows[0]?.cells ?? [])];
  const off = heads.map((th, i) => {
    const col = TABLE_COLUMNS[i];
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "models-sort";
    btn.dataset.sort = col;
    btn.append(...th.childNodes);
    th.append(btn);
    const click = () => onSort(col);
    btn.addEventListener("click", click);
    return () => btn.removeEventListener("click", click);
  });
  return () => off.forEach((f) => f());
}

/** The complete picture a (sort, filter) asks for: every row in its new place, hidden or shown. */
export interface RowPlan {
  readonly ordered: readonly DomRow[];
  readonly hide: readonly boolean[];
}

export function planRows(
  rows: readonly DomRow[],
  sort: { col: TableColumn | null; dir: SortDir },
  filter: ViewFilter,
): RowPlan {
  const ordered = sort.col ? sortRows(rows, sort.col, sort.dir) : rows;
  return { ordered, hide: ordered.map((r) => !rowVisible(r, filter)) };
}

/**
 * Puts the rows in `ordered` order with their `hide` states. Of the rows shown before and after,
 * only those outside the longest run already in order are moved (rowsInPlace): the browser rebuilds
 * every shown row inserted anew, so a sort that re-inserted every row cost a whole-table rebuild.
 * `hidden` is written only where it changes.
 */
function placeRows(tbody: HTMLTableSectionElement, ordered: readonly DomRow[], hide: readonly boolean[]): void {
  const place = new Map<Element, number>();
  [...tbody.children].forEach((el, i) => place.set(el, i));
  // Only rows shown before and after cost a rebuild when moved: the others (hidden, or shown
  // now and built anew anyway) move for free, so the rows left in place are chosen among them.
  const costly = ordered.flatMap((r, i) => (!hide[i] && !r.el.hidden && place.has(r.el) ? [i] : []));
  const kept = rowsInPlace(costly.map((i) => place.get(ordered[i].el)!));
  const keep = new Set(costly.filter((_, k) => kept[k]));
  let next: HTMLTableRowElement | null = null;
  for (let i = ordered.length - 1; i >= 0; i--) {
    const r = ordered[i];
    if (!keep.has(i) && r.el.nextElementSibling !== next) tbody.insertBefore(r.el, next);
    if (r.el.hidden !== hide[i]) r.el.hidden = hide[i];
    next = r.el;
  }
}

/**
 * Applies the plan's first `count` rows (order and visibility) at the top of the table; the other
 * rows keep their current order and visibility after them. `count` ≥ the plan's length applies it
 * all: the whole table then shows the plan, whatever earlier partial calls left.
 */
export function applyPrefix(tbody: HTMLTableSectionElement, plan: RowPlan, count: number): void {
  const n = Math.min(count, plan.ordered.length);
  const head = plan.ordered.slice(0, n);
  const inHead = new Set(head.map((r) => r.el));
  const byEl = new Map(plan.ordered.map((r) => [r.el as Element, r]));
  const rest = [...tbody.children].flatMap((el) => {
    const r = byEl.get(el);
    return r && !inHead.has(r.el) ? [r] : [];
  });
  // a moved row loses the focus of a link inside it: given back, where the row is still shown
  const focused = tbody.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
  placeRows(tbody, [...head, ...rest], [...plan.hide.slice(0, n), ...rest.map((r) => r.el.hidden === true)]);
  if (focused && document.activeElement !== focused && !focused.closest("tr")?.hidden)
    focused.focus({ preventScroll: true });
}

/** Marks the sorted column's header (aria-sort), written only where it changes. */
export function markSorted(t: HTMLTableElement, sort: { col: TableColumn | null; dir: SortDir }): void {
  [...(t.tHead?.rows[0]?.cells ?? [])].forEach((th, i) => {
    const want = TABLE_COLUMNS[i] !== sort.col ? null : sort.dir === "asc" ? "ascending" : "descending";
    if (th.getAttribute("aria-sort") === want) return;
    if (want === null) th.removeAttribute("aria-sort");
    else th.setAttribute("aria-sort", want);
  });
}
