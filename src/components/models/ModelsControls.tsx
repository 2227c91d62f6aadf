/**
 * /models controls (client only: without JavaScript the static table stands alone). Sorts and
 * filters the server-rendered rows in place; on a machine, memory or K/V type change it loads the
 * engine and the architectures lazily (src/views/models/use-machine-table.ts) and rewrites each
 * row's largest context and calculator link. The state lives in the URL (hw, b, tot, be as the
 * calculator's, kv, sort, min, q), written 200 ms after the last change, and is restored from it.
 * `data-state` on the wrapper is set once the rows on screen show that state (every step after an
 * input is a layout effect: they change in the input's own task and the next frame paints them);
 * `data-complete` is set to the same state once every row of the table shows it, a few frames
 * later (src/views/models/table-frames.ts), and removed while a change is still being applied.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
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
import { parseMinCtx, viewState, type SortDir, type TableColumn } from "../../lib/catalog/table-view.ts";
import { fitsFrozen, freezeColumns, keepColumnsFrozen } from "../../views/models/table-columns.ts";
import {
  attachSortButtons,
  markSorted,
  planRows,
  readRows,
  writeAnswer,
  type DomRow,
  type RowPlan,
} from "../../views/models/table-dom.ts";
import { showInFrames } from "../../views/models/table-frames.ts";

interface Props {
  rows: readonly TableRowRef[];
  /** The static page's machine (its budget choice). */
  machine: ModelsMachine;
  machines: readonly MachineOption[];
  catalogUrl: string;
  calcPath: string;
  kvTypes: readonly string[];
}

const GiB = 2 ** 30;
type Sort = { col: TableColumn | null; dir: SortDir };
const memText = (bytes: number | null): string => (bytes === null ? "" : String(Math.round((bytes / GiB) * 100) / 100));

function defaultsOf(machine: ModelsMachine): ModelsUrlState {
  return { machine, kv: "f16", sort: null, dir: "asc", minText: "", text: "" };
}

/**
 * The page URL follows the state, 200 ms after the last change (as the calculator's permalink):
 * browsers throttle the history API and a call costs milliseconds, too much for the change's frame.
 */
function useUrlWriter(): (q: string) => void {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (q) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (q !== location.search.slice(1)) history.replaceState(history.state, "", q ? `?${q}` : location.pathname);
    }, 200);
  };
}

/** The DOM rows, read once, with each recompute's answers written into them. */
function useDomRows(results: readonly KvRowResult[] | null, calcPath: string, onSort: (c: TableColumn) => void) {
  const [rows, setRows] = useState<DomRow[] | null>(null);
  useLayoutEffect(() => {
    let off = () => {};
    const start = () => {
      const t = tableEl();
      if (!t?.tBodies[0]) return;
      setRows(readRows(t.tBodies[0]));
      const detach = attachSortButtons(t, onSort);
      // after the buttons (the header the reader sees), before any URL state moves or hides a row
      const unfreeze = keepColumnsFrozen(t);
      off = () => {
        unfreeze();
        detach();
      };
    };
    // The island (before the table) can start while the parser is still in the table: its rows are
    // read once they are all there, else the last ones would never follow a sort or a filter.
    if (document.readyState !== "loading") start();
    else document.addEventListener("DOMContentLoaded", start, { once: true });
    return () => {
      document.removeEventListener("DOMContentLoaded", start);
      off();
    };
    // once: the table is the server's
  }, []);
  useLayoutEffect(() => {
    if (!results) return;
    const byId = new Map(results.map((r) => [r.id, r]));
    setRows((rs) => rs && rs.map((row) => (byId.has(row.id) ? writeAnswer(row, byId.get(row.id)!, calcPath) : row)));
  }, [results, calcPath]);
  return rows;
}

/**
 * Shows a view's rows — those on screen now, the rest in later frames — and marks the wrapper:
 * `data-state` once the window's rows show it, `data-complete` once every row does. Returns the cancel.
 */
function applyView(t: HTMLTableElement, w: Element, plan: RowPlan, sort: Sort, viewed: string): () => void {
  markSorted(t, sort);
  w.removeAttribute("data-complete");
  const cancel = showInFrames(t.tBodies[0], plan, () => {
    if (!fitsFrozen(t)) freezeColumns(t);
    w.setAttribute("data-complete", viewed);
  });
  if (!fitsFrozen(t)) freezeColumns(t);
  w.setAttribute("data-state", viewed);
  return cancel;
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
  const [sort, setSort] = useState<Sort>({ col: init.sort, dir: init.dir });
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
  const writeUrl = useUrlWriter();
  const pending = useRef(() => {});
  useEffect(() => () => pending.current(), []);

  // A layout effect: the rows on screen change in the input's own task, painted by the next frame;
  // the rest of the table follows in later frames (table-frames.ts), cancelled by the next change.
  useLayoutEffect(() => {
    const t = tableEl();
    const w = wrap.current;
    if (!rows || !t || !showing || !w) return;
    const state: ModelsUrlState = { machine, kv, sort: sort.col, dir: sort.dir, minText, text };
    writeUrl(writeModelsUrl(state, defaults));
    // a newer view cancels the rest of the one before (not a recompute under way: the rest goes on)
    pending.current();
    const viewed = `m=${machineToken(machine)};${viewState(kv, sort.col, sort.dir, filter)}`;
    pending.current = applyView(t, w, planRows(rows, sort, filter), sort, viewed);
    // writeUrl is a fresh closure each render over the same timer
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
