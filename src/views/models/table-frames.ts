/**
 * A change of the /models/ table's rows (sort, filter, new answers) in frames: the frame that
 * answers the input gets only the rows the reader sees — the table's new order and visibility from
 * its top down to just past the window's bottom — and the rest of the table follows in the next
 * frames, in chunks sized to ≈ CHUNK_MS of measured work a frame, each change cancelling the rest
 * of the one before. Showing or moving a row makes the browser build its layout again (≈ 0.15 ms
 * a row at 1×, 80 rows brought back by clearing a filter ≈ 12–20 ms): one window of rows (5–15 at
 * 1280×900) fits the first frame, the whole table does not.
 *
 * The first frame is right where the reader looks: every row above and in the window is in its
 * final place and state, so the rows still to come are all below the window's bottom and nothing
 * above the reader moves afterwards. `done` is called once the whole table shows the plan (anchors,
 * find in page, print and screen readers get every row then, a few frames later).
 */
import { applyPrefix, type RowPlan } from "./table-dom.ts";

/** A later frame's share of the rows: its measured work (the rows' moves and layout) is kept near this. */
const CHUNK_MS = 8;
/** Rows in the first later frame (≈ 2 ms at 1×, ≈ 7 at 4× CPU throttling), then sized by CHUNK_MS. */
const CHUNK = 12;
/** Shown rows applied past the window's bottom in the first frame. */
const MARGIN = 2;

/** Whether the table already shows the whole plan (order and visibility). */
function complete(tbody: HTMLTableSectionElement, plan: RowPlan): boolean {
  const mine = new Set<Element>(plan.ordered.map((r) => r.el));
  const kids = [...tbody.children].filter((el) => mine.has(el));
  return plan.ordered.every((r, i) => kids[i] === r.el && r.el.hidden === plan.hide[i]);
}

/** The plan's length up to and including its `shown`-th shown row (all of it if it has fewer). */
function prefixOf(plan: RowPlan, shown: number): number {
  let seen = 0;
  for (let i = 0; i < plan.ordered.length; i++) if (!plan.hide[i] && ++seen >= shown) return i + 1;
  return plan.ordered.length;
}

/** Shown rows that fill the window from the table's top, from the layout before the change (clean). */
function rowsForWindow(tbody: HTMLTableSectionElement): number {
  const top = tbody.getBoundingClientRect().top;
  const row = [...tbody.rows].find((r) => !r.hidden);
  const h = Math.max(row?.getBoundingClientRect().height ?? 0, 16);
  return Math.max(0, Math.ceil((window.innerHeight - top) / h)) + MARGIN;
}

/**
 * Applies the plan's rows down to past the window's bottom, checked on the new layout (rows taller
 * than the estimate: more rows, until the last one applied ends below the window). Returns the
 * plan rows applied.
 */
function applyOnScreen(tbody: HTMLTableSectionElement, plan: RowPlan): number {
  let shown = rowsForWindow(tbody);
  for (;;) {
    const n = prefixOf(plan, shown);
    applyPrefix(tbody, plan, n);
    if (n >= plan.ordered.length) return n;
    const last = plan.ordered.slice(0, n).findLast((_, i) => !plan.hide[i]);
    if (!last || last.el.getBoundingClientRect().bottom > window.innerHeight) return n;
    shown *= 2;
  }
}

/** Shows the plan: the window's rows now, the rest in later frames; returns the cancel. */
export function showInFrames(tbody: HTMLTableSectionElement, plan: RowPlan, done: () => void): () => void {
  let applied = applyOnScreen(tbody, plan);
  let chunk = CHUNK;
  let frame = 0;
  const step = () => {
    const t0 = performance.now();
    applied += chunk;
    applyPrefix(tbody, plan, applied);
    if (applied >= plan.ordered.length || complete(tbody, plan)) return done();
    // the layout this frame does anyway, done now to size the next chunk on this machine's speed
    tbody.getBoundingClientRect();
    const ms = performance.now() - t0;
    chunk = Math.max(8, Math.min(4 * chunk, Math.round((chunk * CHUNK_MS) / Math.max(ms, 0.5))));
    frame = requestAnimationFrame(step);
  };
  if (complete(tbody, plan)) done();
  // the first callback runs before the frame that paints the window's rows: the rest starts after it
  else frame = requestAnimationFrame(() => (frame = requestAnimationFrame(step)));
  return () => cancelAnimationFrame(frame);
}
