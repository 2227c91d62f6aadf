/**
 * A run's points as a table, built as a string (run pages are assembled in worker threads, see
 * run-body.ts): one row per point and metric, with the measured bytes, the engine's figure, the
 * delta and the flag (ingest's cross-check: > 15 % flagged; measured above by more than 15 %
 * lowers the context ceiling). Every value from the run file is escaped (src/lib/html.ts).
 */
import { escapeAttr, escapeText } from "../../lib/html.ts";
import { formatTokens, mib, pct } from "../../lib/format.ts";
import {
  FLAG_PERCENT,
  METRIC_LABEL,
  type CellView,
  type Flag,
  type PointView,
  type RunView,
} from "../../lib/runs/run-view.ts";

const FLAG_TEXT: Record<Flag, string> = {
  exact: "exact",
  within: `within ${FLAG_PERCENT} %`,
  over: `> ${FLAG_PERCENT} % over`,
  under: `> ${FLAG_PERCENT} % under`,
  "not-measured": "not measured",
  unchecked: "not compared",
  "not-applicable": "not applicable",
};
const FLAG_CLASS: Record<Flag, string> = {
  exact: "verdict-fits",
  within: "",
  over: "verdict-no",
  under: "verdict-tight",
  "not-measured": "not-measured",
  unchecked: "not-measured",
  "not-applicable": "not-measured",
};

const HEAD =
  '<div class="table-wrap"><table class="points-table"><thead><tr><th scope="col">Point</th><th scope="col">Metric</th>' +
  '<th scope="col" class="num">Measured</th><th scope="col" class="num">Calculated</th>' +
  '<th scope="col" class="num">Delta</th><th scope="col">Flag</th></tr></thead>';

const NOTE =
  '<p class="small muted">MiB = 2²⁰ bytes. Calculated in italics: an estimate (compute buffers, runtime overhead, ' +
  "weights from parameters); upright: deterministic in llama.cpp, expected to match to the printed digit. An " +
  "uncalibrated estimate (no measured run of this backend backs it) is flagged but never lowers the context " +
  "ceiling. Delta = (measured − calculated) ÷ calculated.</p>";

const ctx = (n: number | null) => (n === null ? "?" : n % 1024 === 0 ? formatTokens(n) : String(n));
const div = (cls: string, text: string) => `<div class="${cls}">${escapeText(text)}</div>`;

/** The row group's header cell: context, K/V, flash attention, allocation, errors, assumptions. */
function pointHeader(p: PointView): string {
  const alloc = p.allocated !== null ? `${p.allocated} cells allocated` : "allocation not logged";
  return (
    `<th scope="rowgroup" rowspan="${p.cells.length}">` +
    `<div>${escapeText(ctx(p.ctx))} · ${escapeText(p.kv)} · FA ${escapeText(p.fa)}</div>` +
    `<div class="small muted">${escapeText(alloc)}${p.status !== "ok" ? escapeText(` · ${p.status}`) : ""}</div>` +
    (p.error ? div("small verdict-no", p.error) : "") +
    (p.assumed.length > 0 ? `<div class="small muted">assumed: ${escapeText(p.assumed.join(", "))}</div>` : "") +
    "</th>"
  );
}

function cellRow(c: CellView): string {
  const metric =
    `<td>${escapeText(METRIC_LABEL[c.metric])}${div("small muted", c.component)}` +
    (c.baselineBytes !== null
      ? div("small muted", `less ${mib(c.baselineBytes)} of the process before the model load`)
      : "") +
    "</td>";
  const measured = `<td class="num">${c.measured === null ? '<span class="not-measured">not measured</span>' : escapeText(mib(c.measured))}</td>`;
  const calculated =
    `<td class="num${c.exactExpected ? "" : " estimate"}">` +
    (c.calculated === null ? '<span class="not-measured">cannot compute</span>' : escapeText(mib(c.calculated))) +
    (c.basis === "uncalibrated estimate" ? '<div class="small muted">uncalibrated estimate</div>' : "") +
    "</td>";
  const delta = `<td class="num">${c.deltaPct === null ? "—" : escapeText(pct(c.deltaPct, 2))}</td>`;
  const cls = FLAG_CLASS[c.flag];
  const flag =
    `<td class${cls ? `="${cls}"` : ""}>${escapeText(FLAG_TEXT[c.flag])}` +
    (c.lowersCeiling ? '<div class="small">lowers the context ceiling</div>' : "") +
    (c.reason ? div("small muted", c.reason) : "") +
    "</td>";
  return metric + measured + calculated + delta + flag;
}

/** The table and its note, as Astro rendered RunPointsTable.astro (same markup). */
export function pointsTableHtml(view: RunView): string {
  const bodies = view.points.map(
    (p) =>
      `<tbody id="point-${escapeAttr(p.id)}">` +
      p.cells.map((c, i) => `<tr>${i === 0 ? pointHeader(p) : ""}${cellRow(c)}</tr>`).join("") +
      "</tbody>",
  );
  return `${HEAD}${bodies.join("")}</table></div>${NOTE}`;
}
