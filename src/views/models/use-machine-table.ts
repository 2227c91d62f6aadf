/**
 * The /models/ island's engine side: loads the engine module and the catalog's architectures
 * (/calculator/catalog.json) on first use — never before an interaction or a URL that asks for
 * another machine or K/V type — and recomputes every row for a (machine, K/V type).
 */
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { KvRowResult } from "../../lib/catalog/kv-recompute.ts";
import type * as MachineTable from "../../lib/catalog/machine-table.ts";
import { machineToken, type ModelsMachine } from "../../lib/catalog/models-url.ts";

type Lib = typeof MachineTable;

export interface Loaded {
  readonly lib: Lib;
  readonly cat: MachineTable.MachineCatalog;
  readonly rows: ReturnType<Lib["prepareRows"]>;
}

/** One load per page: the module and the JSON in parallel, the architectures parsed once. */
export function useLoader(catalogUrl: string, rows: readonly MachineTable.TableRowRef[]): () => Promise<Loaded> {
  const p = useRef<Promise<Loaded> | null>(null);
  return () =>
    (p.current ??= Promise.all([
      import("../../lib/catalog/machine-table.ts"),
      fetch(catalogUrl).then((r) => {
        if (!r.ok) throw new Error(`${catalogUrl}: HTTP ${r.status}`);
        return r.json() as Promise<MachineTable.MachineCatalog>;
      }),
    ]).then(([lib, cat]) => ({ lib, cat, rows: lib.prepareRows(cat, rows) })));
}

export const tableKey = (m: ModelsMachine, kv: string): string => `${machineToken(m)};${kv}`;

export interface TableResult {
  /** Key of the (machine, K/V) the results are for; the page's own until a recompute. */
  readonly shown: string;
  readonly results: readonly KvRowResult[] | null;
  readonly error: string | null;
}

/** Recomputes when (machine, kv) differs from what is shown; `initial` is the static page's key. */
export function useMachineTable(
  load: () => Promise<Loaded>,
  machine: ModelsMachine,
  kv: string,
  initial: string,
): TableResult {
  const [res, setRes] = useState<TableResult>({ shown: initial, results: null, error: null });
  const want = tableKey(machine, kv);
  useLayoutEffect(() => {
    if (want === res.shown && res.error === null) return;
    let live = true;
    load()
      .then(({ lib, cat, rows }) => {
        if (!live) return;
        const t = lib.tableForMachine(cat, rows, machine, kv);
        setRes(t.error === null ? { shown: want, results: t.rows, error: null } : { ...res, error: t.error });
      })
      .catch((e: unknown) => live && setRes({ ...res, error: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
    // res is read for the fallback only: the effect runs once per wanted key.
  }, [want]);
  return res;
}
