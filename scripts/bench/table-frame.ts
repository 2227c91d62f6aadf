/**
 * The /models/ live table ("every model on this machine") in a real page: change one control of
 * the table at a time and time each change from the input to the table updated and laid out, in
 * two figures.
 *
 * On-screen rows committed (`ms`, `frames`: what the one-frame budget applies to): from just before
 * `dispatchEvent` to the moment the controls' `data-state` names the new state — ModelsControls
 * sets it once every row from the table's top to past the window's bottom shows that state, the
 * rest of the table following in later frames (src/views/models/table-frames.ts) — plus a forced
 * style and layout of the table there (`getBoundingClientRect`), so the figure holds the main
 * thread's whole share of the frame that paints it. The next animation frame itself is not waited
 * for: it is vsync-bound (~16.7 ms at 60 Hz whatever the work). Instead `frames` counts the
 * animation frames that began before the on-screen rows were committed: 0 = the very next frame
 * paints them, i.e. the change lands within one frame.
 *
 * Whole table complete (`completeMs`, `completeFrames`): from the same start to the moment
 * `data-complete` names the new state (every row in its place and visibility), again with a forced
 * layout there. It spans the later frames (vsync-bound waits included), so it is reported, not
 * held to the one-frame budget. The next change starts only once the table is complete.
 *
 * A change whose table never commits or completes (within `patience` frames) counts as unmatched;
 * a page error or the controls' "could not recompute" message throws.
 */
import type { Page } from "playwright-core";

/** A control of the live table: its element, the event its handler listens to, the values to cycle. */
export interface TableControl {
  key: string;
  /** For `click`, `%s` is replaced by each value (the sort buttons). */
  selector: string;
  event: "input" | "change" | "click";
  events: number;
  /** Values to cycle through; null = every option of the select. */
  values: string[] | null;
}

export const CONTROLS_SEL = '[data-testid="models-controls"]';

/** Every control of the /models/ table: the machine (GPU preset), its memory, the K/V type, the filters, the sort. */
export const TABLE_CONTROLS: TableControl[] = [
  { key: "machine", selector: "[data-testid=models-machine]", event: "change", events: 30, values: null },
  {
    key: "memory",
    selector: "[data-testid=models-memory]",
    event: "input",
    events: 20,
    values: ["12", "24", "40", "64", "96", "192", "16"],
  },
  { key: "kv", selector: "[data-testid=models-kv]", event: "change", events: 24, values: null },
  {
    key: "minCtx",
    selector: "[data-testid=models-min-ctx]",
    event: "input",
    events: 12,
    values: ["8192", "32768", "131072", ""],
  },
  {
    key: "text",
    selector: "[data-testid=models-text]",
    event: "input",
    events: 12,
    values: ["qwen", "llama", "gemma", ""],
  },
  {
    key: "sort",
    selector: 'button[data-sort="%s"]',
    event: "click",
    events: 12,
    values: ["ctx", "params", "model", "kv", "ctx"],
  },
];

export interface DriveResult {
  /** Input → on-screen rows committed and laid out, per change after the warm-up. */
  ms: number[];
  /** Animation frames that began between the input and that commit, per change. */
  frames: number[];
  /** Input → every row of the table committed (`data-complete`) and laid out, per change. */
  completeMs: number[];
  /** Animation frames that began between the input and the table complete, per change. */
  completeFrames: number[];
  unmatched: number;
}

/** Runs in the page (serialised by Playwright): change one control repeatedly, time each commit. */
export async function driveTableControl(
  c: TableControl & { warmup: number; patience: number; controlsSel: string },
): Promise<DriveResult> {
  const frame = () => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now())));
  const wrap = document.querySelector<HTMLElement>(c.controlsSel);
  const table = document.querySelector<HTMLTableElement>("table.models-table");
  if (!wrap || !table) throw new Error("/models/: the live table's controls or the table are missing");
  const first = c.event === "click" ? c.selector.replace("%s", c.values?.[0] ?? "") : c.selector;
  for (let k = 0; k < 3000 && !document.querySelector(first); k++) await frame();
  const el = document.querySelector<HTMLInputElement | HTMLSelectElement>(first);
  if (!el) throw new Error(`/models/: control ${first} not found`);
  const values = c.values ?? (el instanceof HTMLSelectElement ? [...el.options].map((o) => o.value) : []);
  if (values.length < 2 && c.event !== "click") throw new Error(`/models/: ${c.key} has fewer than two values`);
  const out: DriveResult = { ms: [], frames: [], completeMs: [], completeFrames: [], unmatched: 0 };
  let pos = 0;
  for (let i = 0; i < c.warmup + c.events; i++) {
    pos = (pos + 1) % values.length;
    if (c.event !== "click" && values[pos] === el.value) pos = (pos + 1) % values.length;
    await frame();
    const before = wrap.dataset.state;
    let done = -1;
    let complete = -1;
    const mo = new MutationObserver(() => {
      const state = wrap.dataset.state;
      if (done < 0 && state !== before) {
        table.getBoundingClientRect(); // style and layout of the on-screen rows, now
        done = performance.now();
      }
      if (done >= 0 && complete < 0 && wrap.dataset.complete === state) {
        table.getBoundingClientRect(); // and of the whole table
        complete = performance.now();
      }
    });
    mo.observe(wrap, { attributes: true, attributeFilter: ["data-state", "data-complete"] });
    const t0 = performance.now();
    if (c.event === "click") document.querySelector<HTMLElement>(c.selector.replace("%s", values[pos]))?.click();
    else {
      el.value = values[pos];
      el.dispatchEvent(new Event(c.event, { bubbles: true }));
    }
    let frames = 0;
    let completeFrames = 0;
    // the warm-up's first change loads the engine and the catalog: more patience there
    const patience = i < c.warmup ? c.patience * 10 : c.patience;
    while (complete < 0 && completeFrames < patience) {
      await frame();
      if (done < 0) frames++;
      if (complete < 0) completeFrames++;
    }
    mo.disconnect();
    if (i < c.warmup) continue;
    if (done < 0 || complete < 0) out.unmatched++;
    else {
      out.ms.push(done - t0);
      out.frames.push(frames);
      out.completeMs.push(complete - t0);
      out.completeFrames.push(completeFrames);
    }
  }
  return out;
}

/** Drives one control on an open /models/ page; throws on a page error or a recompute error. */
export async function driveOnPage(
  page: Page,
  c: TableControl,
  errors: readonly string[],
  opts: { warmup: number; patience: number },
): Promise<DriveResult> {
  const r = await page.evaluate(driveTableControl, { ...c, ...opts, controlsSel: CONTROLS_SEL });
  if (errors.length) throw new Error(`/models/ ${c.key}: page errors: ${errors.join("; ")}`);
  const failed = await page.$eval(CONTROLS_SEL, (w) => w.querySelector(".verdict-no")?.textContent ?? null);
  if (failed) throw new Error(`/models/ ${c.key}: ${failed}`);
  return r;
}

/** Collects a page's uncaught errors and console errors (the measure fails on any). */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  return errors;
}
