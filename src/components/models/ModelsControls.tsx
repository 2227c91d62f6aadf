/**
 * /models controls (client only: without JavaScript the static table stands alone). Sorts and
 * filters the server-rendered rows in place; on a machine, memory or K/V type change it loads the
 * engine and the architectures lazily (src/views/models/use-machine-table.ts) and rewrites each
 * row's largest context and calculator link. The state lives in the URL (hw, b, tot, be as the
 * calculator's, kv, sort, min, q) and is restored from it. `data-state` on the wrapper is set only
 * once the rows show that state.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { KvRowResult } from "../../lib/catalog/kv-recompute.ts";
import type { TableRowRef } from "../../lib/catalog/machine-table.ts";
import {
  machineToken,
  readModelsUrl,
  writeModelsUrl,
  type ModelsMachine,
  type ModelsUrlState,
} from "../../lib/catalog/models-url.ts";
import { tableKey, useLoader, useMachineTable } from "../../views/models/use-machine-table.ts";
import ModelsForm, { type MachineOption } from "./ModelsForm.tsx";
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
  rows: readonly TableRowRef[];
  /** The static page's machine (its budget choice). */
  machine: ModelsMachine;
  machines: readonly MachineOption[];
  catalogUrl: string;
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

const GiB = 2 ** 30;
const memText = (bytes: number | null): string => (bytes === null ? "" : String(Math.round((bytes / GiB) * 100) / 100));

function defaultsOf(machine: ModelsMachine): ModelsUrlState {
  return { machine, kv: "f16", sort: null, dir: "asc", minText: "", text: "" };
}

/** The DOM rows, read once, with each recompute's answers written into them. */
function useDomRows(results: readonly KvRowResult[] | null, calcPath: string, onSort: (c: TableColumn) => void) {
  const [rows, setRows] = useState<DomRow[] | null>(null);
  useEffect(() => {
    const t = tableEl();
    if (!t?.tBodies[0]) return;
    setRows(readRows(t.tBodies[0]));
    return attachSortButtons(t, onSort);
    // once: the table is the server's
  }, []);
  useEffect(() => {
    if (!results) return;
    const byId = new Map(results.map((r) => [r.id, r]));
    setRows((rs) => rs && rs.map((row) => (byId.has(row.id) ? writeAnswer(row, byId.get(row.id)!, calcPath) : row)));
  }, [results, calcPath]);
  return rows;
}

const tableEl = () => document.querySelector<HTMLTableElement>("table.models-table");

export default function ModelsControls({
  rows: refs,
  machine: pageMachine,
  machines,
  catalogUrl,
  calcPath,
  kvTypes,
}: Props) {
  const defaults = useMemo(() => defaultsOf(pageMachine), [pageMachine]);
  const init = useMemo(() => readModelsUrl(location.search, defaults, kvTypes), [defaults, kvTypes]);
  const [machine, setMachine] = useState(init.machine);
  const [mem, setMem] = useState(memText(init.machine.totalBytes));
  const [kv, setKv] = useState(init.kv);
  const [sort, setSort] = useState<{ col: TableColumn | null; dir: SortDir }>({ col: init.sort, dir: init.dir });
  const [minText, setMinText] = useState(init.minText);
  const [text, setText] = useState(init.text);
  const wrap = useRef<HTMLDivElement>(null);
  const load = useLoader(catalogUrl, refs);
  const table = useMachineTable(load, machine, kv, tableKey(pageMachine, "f16"));
  const rows = useDomRows(table.results, calcPath, (col) =>
    setSort((s) => ({ col, dir: s.col === col && s.dir === "asc" ? "desc" : "asc" })),
  );
  const filter = useMemo(() => ({ minCtx: parseMinCtx(minText), text }), [minText, text]);
  const showing = table.shown === tableKey(machine, kv);

  useEffect(() => {
    const t = tableEl();
    if (!rows || !t || !showing) return;
    showRows(t, rows, sort, filter);
    const state: ModelsUrlState = { machine, kv, sort: sort.col, dir: sort.dir, minText, text };
    const q = writeModelsUrl(state, defaults);
    history.replaceState(history.state, "", q ? `?${q}` : location.pathname);
    wrap.current?.setAttribute("data-state", `m=${machineToken(machine)};${viewState(kv, sort.col, sort.dir, filter)}`);
  }, [rows, sort, filter, showing, machine, kv, minText, text, defaults]);

  const pickHardware = (id: string) =>
    load()
      .then(({ lib, cat }) => {
        const m = lib.pickMachine(cat, machine, id);
        setMachine(m);
        setMem(memText(m.totalBytes));
      })
      .catch(() => setMachine((m) => ({ ...m, hardware: id })));
  const setMemory = (v: string) => {
    setMem(v);
    const gib = Number(v);
    const bytes = v.trim() !== "" && Number.isFinite(gib) && gib > 0 ? Math.round(gib * GiB) : null;
    setMachine((m) => ({ ...m, totalBytes: bytes }));
  };
  return (
    <ModelsForm
      wrap={wrap}
      machines={machines}
      hardware={machine.hardware}
      pickHardware={pickHardware}
      mem={mem}
      setMem={setMemory}
      kv={kv}
      setKv={setKv}
      minText={minText}
      setMinText={setMinText}
      text={text}
      setText={setText}
      kvTypes={kvTypes}
      busy={!showing && table.error === null}
      error={table.error}
    />
  );
}
