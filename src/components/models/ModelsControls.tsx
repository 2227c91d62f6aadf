/**
 * /models controls (client only: without JavaScript the static table stands alone). Sorts and
 * filters the server-rendered rows in place, and on a K/V type change loads the engine lazily and
 * rewrites each row's largest context and calculator link. `data-state` on the wrapper is set
 * only once the rows show that state.
 */
import type { RefObject } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { KvRowResult, KvTableInput } from "../../lib/catalog/kv-recompute.ts";
import {
  TABLE_COLUMNS,
  parseMinCtx,
  rowVisible,
  sortRows,
  viewState,
  type SortDir,
  type TableColumn,
  type ViewFilter,
  type ViewRow,
} from "../../lib/catalog/table-view.ts";

interface Props {
  table: KvTableInput;
  calcPath: string;
  kvTypes: readonly string[];
}

interface DomRow extends ViewRow {
  readonly el: HTMLTableRowElement;
}

const NUMERIC = new Set<TableColumn>(["params", "kv", "fixed", "ctx"]);

function readRows(tbody: HTMLTableSectionElement): DomRow[] {
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
    };
  });
}

function writeAnswer(row: DomRow, r: KvRowResult, calcPath: string): DomRow {
  const box = row.el.querySelector<HTMLElement>("[data-ctx-answer]");
  if (box) {
    box.replaceChildren();
    const main = document.createElement("span");
    main.textContent = r.answer;
    if (r.nCtx === null) main.className = r.refusal ? "not-measured" : "verdict-no";
    if (r.refusal) main.title = r.refusal;
    box.append(main);
    for (const line of [r.limitedBy, r.beyond]) {
      if (!line) continue;
      const d = document.createElement("div");
      d.className = "small muted";
      d.textContent = line;
      box.append(d);
    }
  }
  const link = row.el.querySelector<HTMLAnchorElement>("[data-testid=models-calc-link]");
  if (link) link.href = `${calcPath}?${r.query}`;
  row.el.dataset.ctx = r.nCtx === null ? "" : String(r.nCtx);
  return { ...row, ctx: r.nCtx, keys: { ...row.keys, ctx: r.nCtx } };
}

/** Turns each column header into a sort button; returns the cleanup. */
function attachSortButtons(t: HTMLTableElement, onSort: (col: TableColumn) => void): () => void {
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

/** Puts the rows in the table in sorted order, hides those the filter drops, marks the sorted header. */
function showRows(
  t: HTMLTableElement,
  rows: readonly DomRow[],
  sort: { col: TableColumn | null; dir: SortDir },
  filter: ViewFilter,
): void {
  const tbody = t.tBodies[0];
  const ordered = sort.col ? sortRows(rows, sort.col, sort.dir) : rows;
  for (const r of ordered) {
    r.el.hidden = !rowVisible(r, filter);
    tbody.append(r.el);
  }
  [...(t.tHead?.rows[0]?.cells ?? [])].forEach((th, i) => {
    if (TABLE_COLUMNS[i] === sort.col) th.setAttribute("aria-sort", sort.dir === "asc" ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  });
}

export default function ModelsControls({ table, calcPath, kvTypes }: Props) {
  const [kv, setKv] = useState("f16");
  const [shownKv, setShownKv] = useState("f16");
  const [sort, setSort] = useState<{ col: TableColumn | null; dir: SortDir }>({
    col: null,
    dir: "asc",
  });
  const [minText, setMinText] = useState("");
  const [text, setText] = useState("");
  const [rows, setRows] = useState<DomRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const tableEl = () => document.querySelector<HTMLTableElement>("table.models-table");

  useEffect(() => {
    const t = tableEl();
    if (!t?.tBodies[0]) return;
    setRows(readRows(t.tBodies[0]));
    return attachSortButtons(t, (col) =>
      setSort((s) => ({
        col,
        dir: s.col === col && s.dir === "asc" ? "desc" : "asc",
      })),
    );
  }, []);

  useEffect(() => {
    if (kv === shownKv || !rows) return;
    let live = true;
    import("../../lib/catalog/kv-recompute.ts")
      .then(({ tableAtKv }) => {
        if (!live) return;
        const byId = new Map(tableAtKv(table, kv).map((r) => [r.id, r]));
        setRows(rows.map((row) => (byId.has(row.id) ? writeAnswer(row, byId.get(row.id)!, calcPath) : row)));
        setShownKv(kv);
        setError(null);
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [kv, shownKv, rows, table, calcPath]);

  const filter = useMemo(() => ({ minCtx: parseMinCtx(minText), text }), [minText, text]);

  useEffect(() => {
    const t = tableEl();
    if (!rows || !t || kv !== shownKv) return;
    showRows(t, rows, sort, filter);
    wrap.current?.setAttribute("data-state", viewState(shownKv, sort.col, sort.dir, filter));
  }, [rows, sort, filter, kv, shownKv]);

  return (
    <ControlsForm
      wrap={wrap}
      kv={kv}
      setKv={setKv}
      minText={minText}
      setMinText={setMinText}
      text={text}
      setText={setText}
      kvTypes={kvTypes}
      busy={kv !== shownKv && !error}
      error={error}
    />
  );
}

interface FormProps {
  wrap: RefObject<HTMLDivElement>;
  kv: string;
  setKv: (v: string) => void;
  minText: string;
  setMinText: (v: string) => void;
  text: string;
  setText: (v: string) => void;
  kvTypes: readonly string[];
  busy: boolean;
  error: string | null;
}

function ControlsForm({ wrap, kv, setKv, minText, setMinText, text, setText, kvTypes, busy, error }: FormProps) {
  return (
    <div class="models-controls" ref={wrap} data-testid="models-controls">
      <label>
        K/V type{" "}
        <select value={kv} onChange={(e) => setKv(e.currentTarget.value)} data-testid="models-kv">
          {kvTypes.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <label>
        Context ≥{" "}
        <input
          type="number"
          min={0}
          step={1024}
          inputMode="numeric"
          value={minText}
          onInput={(e) => setMinText(e.currentTarget.value)}
          data-testid="models-min-ctx"
        />{" "}
        tokens
      </label>
      <label>
        Name or family{" "}
        <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} data-testid="models-text" />
      </label>
      {busy && <span class="small muted">computing…</span>}
      {error && <span class="verdict-no">could not recompute: {error}</span>}
    </div>
  );
}
