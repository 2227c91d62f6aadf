/**
 * `ollama ps` (tests/fixtures/ingest/log-formats/ollama-ps/): a tablewriter table; columns are split on 2+ spaces and
 * mapped by header name (CONTEXT exists only in newer builds). SIZE is decimal (`HumanBytes`:
 * `5.5 GB`, `%d GB` from 10 GB), so its resolution is ±0.05 GB below 10 GB and ±0.5 GB above.
 */
import { GB, parseBytes } from "../../../src/lib/units.ts";
import { WarningSink, lines, type ParseWarning } from "./common.ts";

export interface OllamaPsRow {
  name: string;
  id?: string;
  sizeBytes?: number;
  sizeResolutionBytes?: number;
  processor?: { cpuPercent: number; gpuPercent: number } | "unknown";
  context?: number;
  until?: string;
  line: number;
}

export interface OllamaPsFacts {
  tool: "ollama-ps";
  rows: OllamaPsRow[];
  warnings: ParseWarning[];
}

function processor(s: string): OllamaPsRow["processor"] {
  let m = /^(\d+)%\s+(GPU|CPU)$/.exec(s);
  if (m)
    return m[2] === "GPU"
      ? { cpuPercent: 100 - Number(m[1]), gpuPercent: Number(m[1]) }
      : { cpuPercent: Number(m[1]), gpuPercent: 100 - Number(m[1]) };
  m = /^(\d+)%\/(\d+)%\s+CPU\/GPU$/.exec(s);
  if (m) return { cpuPercent: Number(m[1]), gpuPercent: Number(m[2]) };
  return "unknown";
}

export function parseOllamaPs(text: string): OllamaPsFacts {
  const w = new WarningSink();
  const f: OllamaPsFacts = { tool: "ollama-ps", rows: [], warnings: [] };
  let header: string[] | undefined;
  for (const [raw, n] of lines(text)) {
    const l = raw.replace(/\r$/, "");
    if (!l.trim()) continue;
    const cells = l.trim().split(/\s{2,}/);
    if (!header) {
      if (!cells.includes("NAME")) {
        w.add(n, l, "expected the 'NAME  ID  SIZE  PROCESSOR …' header");
        break;
      }
      header = cells;
      continue;
    }
    if (cells.length !== header.length) {
      w.add(n, l, `expected ${header.length} columns (${header.join(", ")}), found ${cells.length}`);
      continue;
    }
    const get = (h: string) => {
      const i = header!.indexOf(h);
      return i < 0 ? undefined : cells[i];
    };
    const row: OllamaPsRow = { name: get("NAME")!, id: get("ID"), until: get("UNTIL"), line: n };
    const size = get("SIZE");
    if (size !== undefined) {
      try {
        row.sizeBytes = parseBytes(size);
        const v = Number(size.split(/\s/)[0]);
        row.sizeResolutionBytes = /\./.test(size)
          ? 0.05 * (row.sizeBytes / v)
          : row.sizeBytes >= 10 * GB
            ? 0.5 * GB
            : 0.5 * (row.sizeBytes / v);
      } catch {
        w.add(n, l, `SIZE "${size}" is not a size such as "5.5 GB"`);
      }
    }
    const p = get("PROCESSOR");
    if (p !== undefined) row.processor = processor(p);
    const c = get("CONTEXT");
    if (c !== undefined) {
      if (/^\d+$/.test(c)) row.context = Number(c);
      else w.add(n, l, `CONTEXT "${c}" is not a token count`);
    }
    f.rows.push(row);
  }
  f.warnings = w.list();
  return f;
}
