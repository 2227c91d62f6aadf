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
  for (const c of b.kv.caches) {
    rows.push([
      `KV ${c.kind} (${c.cells} cells × ${c.n_stream}, ${c.layers} layers) K ${c.type_k} ${mib(c.k_bytes)} + V ${c.type_v ?? "-"} ${mib(c.v_bytes)}`,
      "device",
      mib(c.bytes),
      gib(c.bytes),
    ]);
    if (c.extra_bytes) rows.push([`  + TurboQuant rotation buffers`, "device", mib(c.extra_bytes), gib(c.extra_bytes)]);
  }
  if (b.recurrent.bytes > 0)
    rows.push([
      `recurrent state (${b.recurrent.layers} layers, ${b.recurrent.cells} cells) R ${mib(b.recurrent.r_bytes)} + S ${mib(b.recurrent.s_bytes)}`,
      "device",
      mib(b.recurrent.bytes),
      gib(b.recurrent.bytes),
    ]);
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
