/**
 * macOS `vmmap --summary <pid>` (tests/fixtures/ingest/log-formats/vmmap/): the `Physical footprint` lines (1024-based
 * `K`/`M`/`G` suffixes, one decimal) and the region table (VIRTUAL RESIDENT DIRTY SWAPPED …).
 */
import { WarningSink, binarySize, lines, type ParseWarning } from "./common.ts";

export interface VmmapRegion {
  virtual?: number;
  resident?: number;
  dirty?: number;
  swapped?: number;
  line: number;
}

export interface VmmapFacts {
  tool: "vmmap";
  process?: string;
  pid?: number;
  physFootprintBytes?: number;
  physFootprintPeakBytes?: number;
  /** Half of the last printed digit, in bytes (e.g. `1.2G` → ±0.05 GiB). */
  resolutionBytes?: number;
  regions: Record<string, VmmapRegion>;
  warnings: ParseWarning[];
}

const SZ = String.raw`(\d+(?:\.\d+)?)([KMGT]?)B?`;
const RE_FOOT = new RegExp(String.raw`^Physical footprint( \(peak\))?:\s*${SZ}\s*$`);
const RE_ROW = new RegExp(String.raw`^(\S.*?)\s+${SZ}\s+${SZ}\s+${SZ}\s+${SZ}(?:\s|$)`);
const RE_PROC = /^Process:\s+(.+?)\s+\[(\d+)\]/;

function res(value: string, unit: string): number {
  const dot = value.indexOf(".");
  const decimals = dot < 0 ? 0 : value.length - dot - 1;
  return Math.round((binarySize("1", unit) ?? 1) * 0.5 * 10 ** -decimals);
}

export function parseVmmap(text: string): VmmapFacts {
  const w = new WarningSink();
  const f: VmmapFacts = { tool: "vmmap", regions: {}, warnings: [] };
  let inTable = false;
  for (const [raw, n] of lines(text)) {
    const l = raw.replace(/\r$/, "");
    if (!l.trim()) {
      inTable = false;
      continue;
    }
    let m = RE_PROC.exec(l);
    if (m) {
      f.process = m[1];
      f.pid = Number(m[2]);
      continue;
    }
    m = RE_FOOT.exec(l.trim());
    if (m) {
      const v = binarySize(m[2], m[3]);
      if (m[1]) f.physFootprintPeakBytes = v;
      else f.physFootprintBytes = v;
      f.resolutionBytes = Math.max(f.resolutionBytes ?? 0, res(m[2], m[3]));
      continue;
    }
    if (/^REGION TYPE\b/.test(l)) {
      inTable = true;
      continue;
    }
    if (!inTable) {
      if (/^Physical footprint/.test(l)) w.add(n, l, "Physical footprint line does not parse");
      continue;
    }
    if (/^=+/.test(l.trim())) continue;
    m = RE_ROW.exec(l);
    if (m) {
      f.regions[m[1].trim()] = {
        virtual: binarySize(m[2], m[3]),
        resident: binarySize(m[4], m[5]),
        dirty: binarySize(m[6], m[7]),
        swapped: binarySize(m[8], m[9]),
        line: n,
      };
    }
  }
  if (f.physFootprintBytes === undefined && f.physFootprintPeakBytes === undefined)
    w.add(0, "", "no 'Physical footprint:' line found");
  f.warnings = w.list();
  return f;
}
