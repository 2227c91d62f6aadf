/** The memory-breakdown table printed at exit (`llama_memory_breakdown_print`). */
import { RE_BREAKDOWN_HEAD, RE_BREAKDOWN_DEV, RE_BREAKDOWN_HOST, splitDeviceName } from "./patterns.ts";
import { type ParserState, context } from "./state.ts";

export function handleBreakdown(s: ParserState, t: string, n: number): boolean {
  if (/memory breakdown/.test(t)) {
    const h = RE_BREAKDOWN_HEAD.exec(t);
    s.breakdownOpen = { rows: [], prefix: h ? h[1] : "", line: n };
    context(s, n).breakdown = s.breakdownOpen;
    return true;
  }
  if (!s.breakdownOpen) return false;
  let m = RE_BREAKDOWN_DEV.exec(t);
  if (m) {
    const { name, description } = splitDeviceName(m[1]);
    s.breakdownOpen.rows.push({
      name,
      description,
      kind: "device",
      totalMiB: Number(m[2]),
      freeMiB: Number(m[3]),
      selfMiB: Number(m[4]),
      modelMiB: Number(m[5]),
      contextMiB: Number(m[6]),
      computeMiB: Number(m[7]),
      unaccountedMiB: Number(m[8]),
      line: n,
    });
    return true;
  }
  m = RE_BREAKDOWN_HOST.exec(t);
  if (m) {
    const { name, description } = splitDeviceName(m[1]);
    s.breakdownOpen.rows.push({
      name,
      description,
      kind: "host",
      selfMiB: Number(m[2]),
      modelMiB: Number(m[3]),
      contextMiB: Number(m[4]),
      computeMiB: Number(m[5]),
      line: n,
    });
    return true;
  }
  return false;
}
