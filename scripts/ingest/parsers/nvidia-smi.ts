/**
 * `nvidia-smi --query-gpu=… --format=csv` and `--query-compute-apps=…` output (tests/fixtures/ingest/log-formats/nvidia-smi/).
 * Separator `", "`, header names carry the unit (`memory.used [MiB]`), values carry it again
 * unless `nounits`. Without a header the columns cannot be known: such a file is refused with a
 * warning rather than guessed. `process_name` may contain commas: extra fields are joined back
 * into it. memory.used excludes the driver-reserved memory and includes the CUDA context.
 */
import { MiB } from "../../../src/lib/units.ts";
import { WarningSink, lines, type ParseWarning } from "./common.ts";

export interface NvidiaSmiColumn {
  name: string;
  unit?: string;
}

export interface NvidiaSmiPeak {
  mib: number;
  bytes: number;
  line: number;
  timestamp?: string;
}

export interface NvidiaSmiFacts {
  tool: "nvidia-smi";
  kind: "gpu" | "apps" | "unknown";
  columns: NvidiaSmiColumn[];
  samples: number;
  /** Per GPU index (`"0"` when the query has no index column). */
  gpus: Record<
    string,
    {
      name?: string;
      usedPeak?: NvidiaSmiPeak;
      usedMinMiB?: number;
      usedFirstMiB?: number;
      usedLastMiB?: number;
      totalMiB?: number;
      reservedMiB?: number;
      freeMinMiB?: number;
      driverVersion?: string;
      pciBusId?: string;
    }
  >;
  /** Per process id, the peak of `used_gpu_memory`. */
  apps: Record<string, { name?: string; peak: NvidiaSmiPeak }>;
  noProcesses: boolean;
  warnings: ParseWarning[];
}

const RE_HEADER_COL = /^(.+?)(?:\s*\[(.+)\])?$/;

function num(value: string): number | undefined {
  const m = /^\s*(-?[\d.]+)\s*(MiB|%|W|C)?\s*$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** The header row: columns with their units, and what kind of query it was. */
function readHeader(f: NvidiaSmiFacts, cells: string[]): NvidiaSmiColumn[] {
  const header = cells.map((c) => {
    const m = RE_HEADER_COL.exec(c.trim())!;
    return { name: m[1].trim(), unit: m[2] };
  });
  f.columns = header;
  const names = header.map((h) => h.name);
  f.kind =
    names.includes("used_gpu_memory") || names.includes("used_memory")
      ? "apps"
      : names.some((x) => x.startsWith("memory.") || x === "index")
        ? "gpu"
        : "unknown";
  return header;
}

/** `process_name` may contain commas: extra fields are joined back into it. */
function joinProcessName(cells: string[], header: NvidiaSmiColumn[]): string[] {
  if (cells.length <= header.length) return cells;
  const pi = header.findIndex((h) => h.name === "process_name");
  if (pi < 0) return cells;
  const extra = cells.length - header.length;
  return [...cells.slice(0, pi), cells.slice(pi, pi + extra + 1).join(", "), ...cells.slice(pi + extra + 1)];
}

type Get = (name: string) => string | undefined;

/** A `--query-compute-apps` row: the peak of used_gpu_memory per process. */
function appRow(f: NvidiaSmiFacts, w: WarningSink, get: Get, n: number, l: string): void {
  const pid = get("pid") ?? "?";
  const usedStr = get("used_gpu_memory") ?? get("used_memory");
  const used = usedStr === undefined ? undefined : num(usedStr);
  if (used === undefined) {
    if (usedStr !== "[N/A]") w.add(n, l, `used_gpu_memory "${usedStr}" is not a number of MiB`);
    return;
  }
  const cur = f.apps[pid];
  if (!cur || used > cur.peak.mib)
    f.apps[pid] = { name: get("process_name"), peak: { mib: used, bytes: used * MiB, line: n } };
}

/** A `--query-gpu` row: identity, memory.used (peak, min, first, last), total, reserved, free. */
function gpuRow(f: NvidiaSmiFacts, w: WarningSink, get: Get, n: number, l: string): void {
  const index = get("index") ?? "0";
  const g = (f.gpus[index] ??= {});
  const name = get("name");
  if (name) g.name = name;
  const drv = get("driver_version");
  if (drv) g.driverVersion = drv;
  const pci = get("pci.bus_id");
  if (pci) g.pciBusId = pci;
  const usedStr = get("memory.used");
  if (usedStr !== undefined) {
    const used = num(usedStr);
    if (used === undefined) w.add(n, l, `memory.used "${usedStr}" is not a number of MiB`);
    else {
      if (!g.usedPeak || used > g.usedPeak.mib)
        g.usedPeak = { mib: used, bytes: used * MiB, line: n, timestamp: get("timestamp") };
      g.usedMinMiB = Math.min(g.usedMinMiB ?? used, used);
      g.usedFirstMiB ??= used;
      g.usedLastMiB = used;
    }
  }
  const total = get("memory.total");
  if (total !== undefined && num(total) !== undefined) g.totalMiB = num(total);
  const reserved = get("memory.reserved");
  if (reserved !== undefined && num(reserved) !== undefined) g.reservedMiB = num(reserved);
  const free = get("memory.free");
  if (free !== undefined && num(free) !== undefined) g.freeMinMiB = Math.min(g.freeMinMiB ?? Infinity, num(free)!);
}

export function parseNvidiaSmiCsv(text: string): NvidiaSmiFacts {
  const w = new WarningSink();
  const f: NvidiaSmiFacts = {
    tool: "nvidia-smi",
    kind: "unknown",
    columns: [],
    samples: 0,
    gpus: {},
    apps: {},
    noProcesses: false,
    warnings: [],
  };
  let header: NvidiaSmiColumn[] | undefined;
  for (const [raw, n] of lines(text)) {
    const l = raw.replace(/\r$/, "").trim();
    if (!l || l.startsWith("$ ") || l.startsWith("#")) continue;
    if (/^No running processes found/i.test(l)) {
      f.noProcesses = true;
      continue;
    }
    const cells = l.split(/,\s*/);
    if (!header) {
      if (cells.every((c) => /^-?[\d.]+(\s*(MiB|%))?$/.test(c.trim()))) {
        w.add(n, l, "nvidia-smi CSV without a header row: its columns cannot be known (use --format=csv)");
        break;
      }
      header = readHeader(f, cells);
      continue;
    }
    const row = joinProcessName(cells, header);
    if (row.length !== header.length) {
      w.add(n, l, `expected ${header.length} comma-separated fields, found ${row.length}`);
      continue;
    }
    const cols = header;
    const get: Get = (name) => {
      const i = cols.findIndex((h) => h.name === name);
      return i < 0 ? undefined : row[i].trim();
    };
    f.samples++;
    if (f.kind === "apps") appRow(f, w, get, n, l);
    else gpuRow(f, w, get, n, l);
  }
  f.warnings = w.list();
  return f;
}
