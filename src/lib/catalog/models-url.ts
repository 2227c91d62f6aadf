/**
 * The /models/ page's state in its URL (pure, zod-free: it ships in the page's first script):
 * the machine with the calculator's parameter names (hw, b, tot, be), the K/V type, the sort and
 * the filters. Only what differs from the page's own defaults is written.
 */
import { CALC_BACKENDS, type CalcBackend } from "../calculator/state.ts";
import { TABLE_COLUMNS, type SortDir, type TableColumn } from "./table-view.ts";

export interface ModelsMachine {
  readonly hardware: string;
  readonly budget: string;
  readonly totalBytes: number | null;
  readonly backend: CalcBackend;
}

export interface ModelsUrlState {
  readonly machine: ModelsMachine;
  readonly kv: string;
  readonly sort: TableColumn | null;
  readonly dir: SortDir;
  readonly minText: string;
  readonly text: string;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** Largest memory the page accepts (bytes): 16 TiB. */
const MAX_TOTAL = 16 * 2 ** 40;

/** The state a URL query asks for; anything not understood keeps the page's default. */
export function readModelsUrl(search: string, defaults: ModelsUrlState, kvTypes: readonly string[]): ModelsUrlState {
  const q = new URLSearchParams(search);
  const id = (k: string, d: string) => {
    const v = q.get(k);
    return v !== null && (v === "" || ID.test(v)) ? v : d;
  };
  const tot = Number(q.get("tot"));
  const be = q.get("be") as CalcBackend | null;
  const [col, dir] = (q.get("sort") ?? "").split("-");
  const sort = (TABLE_COLUMNS as readonly string[]).includes(col) ? (col as TableColumn) : defaults.sort;
  return {
    machine: {
      hardware: id("hw", defaults.machine.hardware),
      budget: id("b", defaults.machine.budget),
      totalBytes:
        q.has("tot") && Number.isInteger(tot) && tot > 0 && tot <= MAX_TOTAL ? tot : defaults.machine.totalBytes,
      backend: be !== null && CALC_BACKENDS.includes(be) ? be : defaults.machine.backend,
    },
    kv: kvTypes.includes(q.get("kv") ?? "") ? q.get("kv")! : defaults.kv,
    sort,
    dir: sort === null ? defaults.dir : dir === "desc" ? "desc" : "asc",
    minText: /^\d{1,9}$/.test(q.get("min") ?? "") ? q.get("min")! : defaults.minText,
    text: (q.get("q") ?? defaults.text).slice(0, 100),
  };
}

/** The query (no `?`) for a state: only what differs from the defaults. */
export function writeModelsUrl(s: ModelsUrlState, defaults: ModelsUrlState): string {
  const q = new URLSearchParams();
  const m = s.machine;
  const d = defaults.machine;
  if (m.hardware !== d.hardware) q.set("hw", m.hardware);
  if (m.budget !== d.budget) q.set("b", m.budget);
  if (m.totalBytes !== d.totalBytes && m.totalBytes !== null) q.set("tot", String(m.totalBytes));
  if (m.backend !== d.backend) q.set("be", m.backend);
  if (s.kv !== defaults.kv) q.set("kv", s.kv);
  if (s.sort !== null) q.set("sort", `${s.sort}-${s.dir}`);
  if (s.minText !== "") q.set("min", s.minText);
  if (s.text !== "") q.set("q", s.text);
  return q.toString();
}

/** The machine as one token of the committed state string. */
export function machineToken(m: ModelsMachine): string {
  return `${m.hardware}|${m.budget}|${m.totalBytes ?? ""}|${m.backend}`;
}

/**
 * The calculator's "every model on this machine" link: /models/ with the calculator's machine and
 * budget (and its K/V type when K and V are the same), all written out so any /models/ page reads them.
 */
export function modelsQueryFor(s: ModelsMachine & { readonly typeK: string; readonly typeV: string }): string {
  const q = new URLSearchParams({ hw: s.hardware, b: s.budget, be: s.backend });
  if (s.totalBytes !== null) q.set("tot", String(s.totalBytes));
  if (s.typeK === s.typeV) q.set("kv", s.typeK);
  return q.toString();
}
