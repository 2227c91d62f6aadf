/**
 * The /models/ table's columns, frozen at the widths the browser first gave them. With automatic
 * table layout every change to the rows — a sort's moved rows, a filter's shown ones, a machine's
 * new answers — made the browser measure every cell's text again to size the columns (≈ 30 ms a
 * sort on a loaded machine). Once the page has laid the table out, its column widths are written
 * down (a <colgroup> in px, the table's width in px, `table-layout: fixed`): the page looks the
 * same, pixel for pixel, and later changes lay out only the rows they touch.
 *
 * The widths follow the reader's window: when the table's container changes width (resize, zoom)
 * or a font finishes loading, the columns are measured again by the browser's own layout, every
 * row shown. A new answer that would not fit its frozen column (a word wider than the column) is
 * caught after each change (`fitsFrozen`) and also re-measures. No-JS readers keep the static
 * table, laid out automatically.
 */

const FROZEN = "data-frozen";

/** Back to automatic layout: the colgroup, width and layout mode this module wrote are removed. */
function thaw(t: HTMLTableElement): void {
  t.querySelector(`colgroup[${FROZEN}]`)?.remove();
  t.style.removeProperty("width");
  t.style.removeProperty("table-layout");
}

/**
 * Measures the columns as automatic layout sizes them with every row shown (a filter's hidden rows
 * too, so that showing them later fits), then fixes those widths.
 */
export function freezeColumns(t: HTMLTableElement): void {
  thaw(t);
  const hidden = [...t.tBodies[0].rows].filter((r) => r.hidden);
  hidden.forEach((r) => (r.hidden = false));
  const widths = [...(t.tHead?.rows[0]?.cells ?? [])].map((c) => c.getBoundingClientRect().width);
  const width = t.getBoundingClientRect().width;
  hidden.forEach((r) => (r.hidden = true));
  if (widths.length === 0) return;
  const cols = document.createElement("colgroup");
  cols.setAttribute(FROZEN, "");
  for (const w of widths) {
    const col = document.createElement("col");
    col.style.width = `${w}px`;
    cols.append(col);
  }
  t.prepend(cols);
  t.style.width = `${width}px`;
  t.style.tableLayout = "fixed";
}

/** Whether every shown answer fits its frozen column (to call after a change, layout done or not). */
export function fitsFrozen(t: HTMLTableElement): boolean {
  if (!t.querySelector(`colgroup[${FROZEN}]`)) return true;
  for (const row of t.tBodies[0].rows) {
    if (row.hidden) continue;
    const box = row.querySelector<HTMLElement>("[data-ctx-answer]");
    if (box && box.scrollWidth > box.clientWidth) return false;
  }
  return true;
}

/**
 * Where the page's scrollbar takes room (classic scrollbars), the page keeps that room while a
 * filter leaves it shorter than the window: else the table's container narrows and widens as the
 * scrollbar comes and goes, and each time the columns are measured again (every row shown and
 * laid out, twice). Overlay or hidden scrollbars take no room: nothing to keep, nothing set.
 * Returns whether it is kept now (by this call or an earlier one).
 */
function keepScrollbarRoom(): boolean {
  const root = document.documentElement;
  if (root.style.getPropertyValue("scrollbar-gutter") === "stable") return true;
  if (window.innerWidth <= root.clientWidth) return false;
  root.style.setProperty("scrollbar-gutter", "stable");
  return true;
}

/** Freezes the columns now and again whenever the container's width changes or a font loads. */
export function keepColumnsFrozen(t: HTMLTableElement): () => void {
  freezeColumns(t);
  let room = keepScrollbarRoom();
  const box = t.parentElement ?? t;
  let width = box.clientWidth;
  const ro = new ResizeObserver(() => {
    if (box.clientWidth === width) return;
    width = box.clientWidth;
    freezeColumns(t);
    // a page that opened short (a filter in its URL) shows its scrollbar only later
    if (!room) room = keepScrollbarRoom();
  });
  ro.observe(box);
  const refreeze = () => freezeColumns(t);
  document.fonts?.addEventListener("loadingdone", refreeze);
  return () => {
    ro.disconnect();
    document.fonts?.removeEventListener("loadingdone", refreeze);
    if (room) document.documentElement.style.removeProperty("scrollbar-gutter");
    thaw(t);
  };
}
