/** Human-readable output of `npm run calc`: the breakdown table (the budget answer: ./budget-output.ts). */
import type { RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import type { Breakdown } from "../../src/schemas/breakdown.ts";
import { GiB, MiB } from "../../src/lib/units.ts";

const mib = (b: number): string => (b / MiB).toFixed(2);
const gib = (b: number): string => (b / GiB).toFixed(2);

function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join("  ")).join("\n");
}

/**
 * Where a cache's layers live, from its per-layer rows and the buffers' host flags: with -ngl
 * partial offload or --no-kv-offload some or all KV is in host memory, and the pool says so.
 */
function placedRows(
  label: string,
  layers: readonly { device: string; bytes: number }[],
  buffers: readonly { name: string; host: boolean }[],
  total: number,
): string[][] {
  const by = new Map<string, number>();
  for (const l of layers) by.set(l.device, (by.get(l.device) ?? 0) + l.bytes);
  const host = (name: string) => buffers.find((b) => b.name === name)?.host ?? name.startsWith("CPU");
  const names = [...by.keys()];
  if (names.length <= 1) return [[label, names.length && host(names[0]) ? "host" : "device", mib(total), gib(total)]];
  const rows: string[][] = [[label, "split", mib(total), gib(total)]];
  for (const n of names)
    rows.push([`  of which on ${n}`, host(n) ? "host" : "device", mib(by.get(n)!), gib(by.get(n)!)]);
  return rows;
}

export function render(b: Breakdown, config: RuntimeConfig, source: string): string {
  const out: string[] = [];
  const ctx = b.context;
  out.push(
    `${b.model.name ?? b.model.arch} (${b.model.arch}) from ${source} · ${b.engine.name} ${b.engine.revision} · ${config.backend}`,
  );
  out.push(
    `context: requested ${ctx.requested}${ctx.n_ctx_total_requested !== ctx.requested ? ` (total ${ctx.n_ctx_total_requested})` : ""} → ${ctx.allocated_cells} cells allocated; n_ctx_seq ${ctx.n_ctx_seq} × ${ctx.n_stream} stream(s); n_seq ${ctx.n_seq}, ${ctx.kv_unified ? "unified KV" : "per-sequence KV streams"}`,
  );
  out.push(
    `effective: K ${b.effective.type_k}, V ${b.effective.type_v}, flash attention ${b.effective.flash_attn ? "on" : "off"}, n_ubatch ${b.effective.n_ubatch}`,
  );
  out.push("");
  const rows: string[][] = [["component", "pool", "MiB", "GiB"]];
  const kvBuffers = b.kv.per_device;
  for (const c of b.kv.caches) {
    const label = `KV ${c.kind} (${c.cells} cells × ${c.n_stream}, ${c.layers} layers) K ${c.type_k} ${mib(c.k_bytes)} + V ${c.type_v ?? "-"} ${mib(c.v_bytes)}`;
    const layers = c.rows.map((r) => ({ device: r.device, bytes: r.k_bytes + r.v_bytes }));
    rows.push(...placedRows(label, layers, kvBuffers, c.bytes));
    if (c.extra_bytes) {
      const pool = kvBuffers.length > 0 && kvBuffers.every((x) => x.host) ? "host" : "device";
      rows.push([`  + TurboQuant rotation buffers`, pool, mib(c.extra_bytes), gib(c.extra_bytes)]);
    }
  }
  if (b.recurrent.bytes > 0) {
    const r = b.recurrent;
    const label = `recurrent state (${r.layers} layers, ${r.cells} cells) R ${mib(r.r_bytes)} + S ${mib(r.s_bytes)}`;
    const layers = r.rows.map((x) => ({ device: x.device, bytes: x.r_bytes + x.s_bytes }));
    rows.push(...placedRows(label, layers, r.per_device, r.bytes));
  }
  for (const w of b.weights.per_device)
    rows.push([
      `weights ${w.name} (${b.weights.source}${b.weights.ftype ? `, ${b.weights.ftype}` : ""}${b.weights.estimate ? ", estimate" : ""})`,
      w.host ? "host" : "device",
      mib(w.bytes),
      gib(w.bytes),
    ]);
  rows.push([`output buffer ${b.output.name}`, "host", mib(b.output.bytes), gib(b.output.bytes)]);
  for (const c of b.compute.per_backend)
    rows.push([`compute ${c.name} (estimate)`, c.host ? "host" : "device", mib(c.bytes), gib(c.bytes)]);
  for (const p of b.overhead.parts)
    rows.push([`overhead: ${p.name} (estimate)`, p.host ? "host" : "device", mib(p.bytes), gib(p.bytes)]);
  rows.push(["total device", "", mib(b.total.device_bytes), gib(b.total.device_bytes)]);
  rows.push(["total host", "", mib(b.total.host_bytes), gib(b.total.host_bytes)]);
  rows.push(["total", "", mib(b.total.bytes), gib(b.total.bytes)]);
  out.push(table(rows));
  out.push("");
  out.push(`line: ${b.bytes_per_token} B per allocated cell + ${mib(b.fixed_bytes)} MiB fixed`);
  for (const n of b.notes) out.push(`${n.level === "warning" ? "warning" : "note"}: ${n.message}`);
  return out.join("\n");
}
