/**
 * macOS `footprint` (examples: tests/fixtures/ingest/log-formats/footprint/): the text report (sizes with 1024-based `KB`/`MB`/
 * `GB`, or exact `B` with `-f bytes`) and the JSON written by `--json <file>` (exact bytes,
 * optionally wrapped in `samples`). phys_footprint counts dirty and compressed non-file-backed
 * memory; clean mmapped weights are not in it (docs/memory-model.md#metal-budget).
 */
import { WarningSink, binarySize, lines, type ParseWarning } from "./common.ts";

export interface FootprintCategory {
  dirty?: number;
  clean?: number;
  reclaimable?: number;
  swapped?: number;
  wired?: number;
  regions?: number;
}

export interface FootprintProcess {
  name: string;
  pid: number;
  footprintBytes?: number;
  physFootprintBytes?: number;
  physFootprintPeakBytes?: number;
  pageSize?: number;
  categories: Record<string, FootprintCategory>;
  total?: FootprintCategory;
  /** True when every size was printed in bytes (`-f bytes` or JSON); else ±half a printed unit. */
  exact: boolean;
  line: number;
}

export interface FootprintFacts {
  tool: "footprint";
  format: "text" | "json";
  processes: FootprintProcess[];
  errors: string[];
  warnings: ParseWarning[];
}

const SIZE = String.raw`([\d.]+)\s*(B|KB|MB|GB|TB)\b`;
const RE_HEAD = new RegExp(
  String.raw`^(.*?)\s*\[(\d+)\]:\s*(?:\d+-bit\s+)?Footprint:\s*${SIZE}(?:\s*\((\d+) bytes per page\))?`,
);
const RE_SIZE_G = new RegExp(SIZE, "g");
const RE_AUX = new RegExp(String.raw`^\s*(phys_footprint(?:_peak)?):\s*${SIZE}`);
const RE_ERROR = /^footprint:\s*(.*)$/;

function colKey(name: string): keyof FootprintCategory | undefined {
  const k = name.toLowerCase();
  return k === "dirty" || k === "clean" || k === "reclaimable" || k === "swapped" || k === "wired" ? k : undefined;
}

/** Parse `footprint` text output (one or more processes). */
export function parseFootprintText(text: string): FootprintFacts {
  const w = new WarningSink();
  const f: FootprintFacts = { tool: "footprint", format: "text", processes: [], errors: [], warnings: [] };
  let proc: FootprintProcess | undefined;
  let sizeCols: (keyof FootprintCategory | undefined)[] = [];
  for (const [raw, n] of lines(text)) {
    const l = raw.replace(/\r$/, "");
    if (!l.trim() || /^=+$/.test(l.trim()) || /^\s*-+(\s+-+)*\s*$/.test(l)) continue;
    const err = RE_ERROR.exec(l);
    if (err) {
      f.errors.push(err[1]);
      continue;
    }
    let m = RE_HEAD.exec(l);
    if (m) {
      const unit = m[4];
      proc = {
        name: m[1].trim(),
        pid: Number(m[2]),
        footprintBytes: binarySize(m[3], unit),
        pageSize: m[5] === undefined ? undefined : Number(m[5]),
        categories: {},
        exact: unit === "B",
        line: n,
      };
      f.processes.push(proc);
      continue;
    }
    if (/\bDirty\b/.test(l) && /\bCategory\b/.test(l)) {
      sizeCols = l
        .trim()
        .split(/\s+/)
        .filter((x) => x !== "Regions" && x !== "Category")
        .map(colKey);
      continue;
    }
    m = RE_AUX.exec(l);
    if (m && proc) {
      const v = binarySize(m[2], m[3]);
      if (m[1] === "phys_footprint") proc.physFootprintBytes = v;
      else proc.physFootprintPeakBytes = v;
      if (m[3] !== "B") proc.exact = false;
      continue;
    }
    if (proc && sizeCols.length) {
      const sizes = [...l.matchAll(RE_SIZE_G)];
      const rest = /(\d+)\s+(\S.*?)\s*$/.exec(
        l.slice(sizes.length ? sizes[sizes.length - 1].index! + sizes[sizes.length - 1][0].length : 0),
      );
      if (sizes.length === sizeCols.length && rest) {
        const cat: FootprintCategory = { regions: Number(rest[1]) };
        sizes.forEach((s, i) => {
          const k = sizeCols[i];
          if (k) cat[k] = binarySize(s[1], s[2]);
          if (s[2] !== "B") proc!.exact = false;
        });
        if (rest[2] === "TOTAL") proc.total = cat;
        else proc.categories[rest[2]] = cat;
        continue;
      }
    }
    if (/^Auxiliary data:/.test(l.trim())) continue;
    if (/\d\s*(B|KB|MB|GB)\b/.test(l)) w.add(n, l, "looks like a footprint row but does not parse");
  }
  if (f.processes.length === 0 && f.errors.length === 0) w.add(0, "", "no 'name [pid]: … Footprint:' header found");
  f.warnings = w.list();
  return f;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);
const numOrUndef = (x: unknown): number | undefined =>
  typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : undefined;

/** Parse the JSON written by `footprint --json <file>` / `-j <file>`. */
export function parseFootprintJson(text: string): FootprintFacts {
  const w = new WarningSink();
  const f: FootprintFacts = { tool: "footprint", format: "json", processes: [], errors: [], warnings: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    w.add(1, text.slice(0, 80), `footprint JSON does not parse: ${(e as Error).message}`);
    f.warnings = w.list();
    return f;
  }
  if (!isObj(doc)) {
    w.add(1, "", "footprint JSON is not an object");
    f.warnings = w.list();
    return f;
  }
  const unit = numOrUndef(doc["bytes per unit"]) ?? 1;
  if (Array.isArray(doc.errors)) for (const e of doc.errors) f.errors.push(String(e));
  const lists: unknown[] = [];
  if (Array.isArray(doc.processes)) lists.push(doc.processes);
  if (Array.isArray(doc.samples))
    for (const s of doc.samples) if (isObj(s) && Array.isArray(s.processes)) lists.push(s.processes);
  const byPid = new Map<number, FootprintProcess>();
  for (const list of lists as unknown[][]) {
    for (const p of list) {
      if (!isObj(p)) continue;
      const pid = numOrUndef(p.pid) ?? -1;
      const aux = isObj(p.auxiliary) ? p.auxiliary : {};
      const fp = numOrUndef(p.footprint);
      const cur =
        byPid.get(pid) ??
        ({ name: String(p.name ?? "?"), pid, categories: {}, exact: true, line: 1 } as FootprintProcess);
      const scale = (x: number | undefined) => (x === undefined ? undefined : x * unit);
      const max = (a: number | undefined, b: number | undefined) =>
        a === undefined ? b : b === undefined ? a : Math.max(a, b);
      cur.footprintBytes = max(cur.footprintBytes, scale(fp));
      cur.physFootprintBytes = max(cur.physFootprintBytes, scale(numOrUndef(aux.phys_footprint)));
      cur.physFootprintPeakBytes = max(cur.physFootprintPeakBytes, scale(numOrUndef(aux.phys_footprint_peak)));
      if (isObj(p.categories)) {
        let dirty = 0;
        for (const [name, c] of Object.entries(p.categories)) {
          if (!isObj(c)) continue;
          const cat: FootprintCategory = {};
          for (const k of ["dirty", "clean", "reclaimable", "swapped", "wired", "regions"] as const) {
            const v = numOrUndef(c[k]);
            if (v !== undefined) cat[k] = k === "regions" ? v : v * unit;
          }
          dirty += cat.dirty ?? 0;
          const prev = cur.categories[name];
          cur.categories[name] = prev && (prev.dirty ?? 0) > (cat.dirty ?? 0) ? prev : cat;
        }
        if (!cur.total || (cur.total.dirty ?? 0) < dirty) cur.total = { dirty };
      }
      byPid.set(pid, cur);
    }
  }
  f.processes = [...byPid.values()];
  if (f.processes.length === 0) w.add(1, "", "footprint JSON has no processes");
  f.warnings = w.list();
  return f;
}
