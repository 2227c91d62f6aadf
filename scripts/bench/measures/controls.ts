/**
 * Every calculator control, one at a time: change → numbers and chart committed (the island's
 * `calc:input` → `calc:updated` marks), p95 per control, in headless Chromium on the built site;
 * the same under 4× CPU throttling (DevTools `Emulation.setCPUThrottlingRate`), plus the
 * throttled time to interactive of /calculator/ (navigation start → the live chart drawn by the
 * hydrated island with its engine: written by the chart writer or drawn by Plot, the same markup).
 * Issue 14: ≤ 16 ms p95 per control, ≤ 64 ms throttled, TTI ≤ 1 s throttled. `ttiInput` checks
 * that the page is interactive then, not just drawn: on another load, a slider input given at the
 * moment the live chart appears (queued behind whatever the page still does, Plot's chunk
 * included) → its numbers and chart committed, within the throttled per-control budget.
 * The controls: context slider, K and V types, model, weights, engine, machine, budget preset,
 * total memory, and the PC builder (on/off, GPU 0, system RAM, -ts over two GPUs, -sm). The
 * suggestions arrive one task after `calc:updated` (data-pending stays "true" until they do), so
 * they are not in these figures; a model whose architecture's runs file is still on its way is
 * marked once its measured points are drawn (fetch included).
 */
import type { Browser, Page } from "playwright-core";
import type { ServedSite } from "../../test/sites.ts";
import { quantile } from "../stats.ts";
import { browserSite } from "../browser-site.ts";
import type { Figure, Measure } from "../measure.ts";

/** A control: the element (by id suffix), the event its handler listens to, how many changes. */
export interface Control {
  key: string;
  selector: string;
  event: "input" | "change";
  events: number;
  /** Values to cycle through; null = every enabled option of the select (a checkbox toggles). */
  values: string[] | null;
  /** Clicks that bring the control on screen: `click` unless `unless` is there (the PC builder, a 2nd GPU). */
  prepare?: { click: string; unless: string }[];
}

const PC_ON = { click: 'input[id$="-pc-on"]', unless: 'input[id$="-pc-on"]:checked' };
const TWO_GPUS = { click: 'button[id$="-pc-add-gpu"]', unless: 'select[id$="-pc-gpu1"]' };

export const CONTROLS: Control[] = [
  { key: "slider", selector: 'input[type="range"][id$="-ctx-range"]', event: "input", events: 60, values: null },
  { key: "typeK", selector: 'select[id$="-ctk"]', event: "change", events: 30, values: null },
  { key: "typeV", selector: 'select[id$="-ctv"]', event: "change", events: 30, values: null },
  { key: "model", selector: 'select[id$="-model"]', event: "change", events: 30, values: null },
  { key: "weights", selector: 'select[id$="-ftype"]', event: "change", events: 30, values: null },
  { key: "engine", selector: 'select[id$="-engine"]', event: "change", events: 12, values: null },
  { key: "machine", selector: 'select[id$="-hw"]', event: "change", events: 30, values: null },
  { key: "budget", selector: 'select[id$="-budget"]', event: "change", events: 20, values: null },
  {
    key: "total",
    selector: 'input[id$="-total"]',
    event: "change",
    events: 20,
    values: ["24GB", "32GB", "48GB", "64GiB", "96GB", "128GB", "16GiB"],
  },
  // The PC builder (placement over several devices): on/off, a GPU, system RAM, -ts, -sm.
  { key: "pcOn", selector: 'input[id$="-pc-on"]', event: "change", events: 12, values: null },
  {
    key: "gpu",
    selector: 'select[id$="-pc-gpu0"]',
    event: "change",
    events: 20,
    values: null,
    prepare: [PC_ON],
  },
  {
    key: "ram",
    selector: 'input[id$="-pc-ram"]',
    event: "change",
    events: 20,
    values: ["16", "32", "64", "128", "96"],
    prepare: [PC_ON],
  },
  {
    key: "ts",
    selector: 'input[id$="-pc-ts"]',
    event: "change",
    events: 20,
    values: ["1,1", "3,1", "1,3", "2,1"],
    prepare: [PC_ON, TWO_GPUS],
  },
  { key: "sm", selector: 'select[id$="-pc-sm"]', event: "change", events: 10, values: null, prepare: [PC_ON] },
];
/**
 * The PC builder's controls (issue 15), driven after "A PC with GPUs" is ticked and a second GPU
 * added: each change re-places the model on every device (verdict, largest context, chart).
 */
const PC_CONTROLS: Control[] = [
  {
    key: "pcGpuSize",
    selector: 'input[id$="-pc-gpu0-gib"]',
    event: "change",
    events: 12,
    values: ["16", "24", "32", "12", "48"],
  },
  { key: "pcTs", selector: 'input[id$="-pc-ts"]', event: "change", events: 12, values: ["1,1", "3,1", "1,2", ""] },
  { key: "pcSplit", selector: 'select[id$="-pc-sm"]', event: "change", events: 8, values: null },
  { key: "pcMoe", selector: 'select[id$="-pc-moe"]', event: "change", events: 9, values: null },
  { key: "pcRam", selector: 'input[id$="-pc-ram"]', event: "change", events: 12, values: ["32", "64", "128", "16"] },
  { key: "pcGpu", selector: 'select[id$="-pc-gpu0"]', event: "change", events: 20, values: null },
];
const WARMUP = 4;

/** Tick "A PC with GPUs" and add a second GPU, waiting on the panel's state (not on time). */
async function enablePc(page: Page): Promise<void> {
  await page.check('input[id$="-pc-on"]');
  await page.waitForSelector('.calc-pc-panel[data-machine="pc"]');
  await page.click('[id$="-pc-add-gpu"]');
  await page.waitForSelector('[id$="-pc-gpu1"]');
}

/** Runs in the page (serialised by Playwright): change one control repeatedly, time each commit. */
export async function driveControl(c: Control & { warmup: number }): Promise<{ ms: number[]; unmatched: number }> {
  const frame = () => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now())));
  const waitFor = async (sel: string) => {
    for (let k = 0; k < 3000 && !document.querySelector(sel); k++) await frame();
    return document.querySelector<HTMLInputElement | HTMLSelectElement>(sel);
  };
  for (const p of c.prepare ?? []) {
    if (document.querySelector(p.unless)) continue;
    document.querySelector<HTMLElement>(p.click)?.click();
    await waitFor(p.unless);
  }
  const el = await waitFor(c.selector);
  if (!el) throw new Error(`control ${c.selector} not found`);
  const toggle = el instanceof HTMLInputElement && el.type === "checkbox";
  const valuesOf = (): string[] => {
    if (c.values) return c.values;
    if (toggle) return ["on", "off"];
    if (el instanceof HTMLSelectElement) return [...el.options].filter((o) => !o.disabled).map((o) => o.value);
    const max = Number((el as HTMLInputElement).max);
    return Array.from({ length: max + 1 }, (_, i) => String(i));
  };
  const out = { ms: [] as number[], unmatched: 0 };
  let pos = 0;
  for (let i = 0; i < c.warmup + c.events; i++) {
    const values = valuesOf();
    // the next value that differs from the current one (ranges: 1–3 steps on, wrapping)
    const stride = el instanceof HTMLInputElement && el.type === "range" ? 1 + (i % 3) : 1;
    pos = (pos + stride) % values.length;
    if (values[pos] === el.value) pos = (pos + 1) % values.length;
    performance.clearMarks("calc:input");
    performance.clearMarks("calc:updated");
    await frame();
    if (toggle) el.checked = !el.checked;
    else el.value = values[pos];
    el.dispatchEvent(new Event(c.event, { bubbles: true }));
    await frame();
    // up to 60 frames: a model change may wait for its architecture's runs file (a fetch); the
    // figure is mark to mark, so the cap only decides when a change counts as unmatched
    for (let k = 0; k < 60 && performance.getEntriesByName("calc:updated").length === 0; k++) await frame();
    const inp = performance.getEntriesByName("calc:input");
    const upd = performance.getEntriesByName("calc:updated");
    if (i < c.warmup) continue;
    if (inp.length === 0 || upd.length === 0) out.unmatched++;
    else out.ms.push(upd[upd.length - 1].startTime - inp[0].startTime);
  }
  return out;
}

const LIVE = '[data-testid="calc-chart-live"]:not([hidden]) svg';

type Settled = { live: number; updated: number | null };

/**
 * Open /calculator/ (throttled or not) and wait for the hydrated island; ms from navigation start.
 * `inputAtLive`: a slider input is queued (a task) the moment the live chart appears, and the
 * page is settled once its `calc:updated` mark is set. The page reports both through a promise
 * from an init script: no Playwright selector or polling script is injected while the page loads
 * (that script's evaluation was ≈45 ms of the page's main thread at 4× before the live chart).
 */
async function openCalculator(
  browser: Browser,
  url: string,
  rate: number,
  inputAtLive = false,
): Promise<{ page: Page; tti: number; updated: number | null }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript(
    ([sel, input]) => {
      const w = window as unknown as { __settled: Promise<Settled> };
      const slide = () => {
        const el = document.querySelector<HTMLInputElement>('input[type="range"][id$="-ctx-range"]')!;
        el.value = String(Number(el.value) + 1);
        el.dispatchEvent(new Event("input", { bubbles: true }));
      };
      w.__settled = new Promise<Settled>((resolve, reject) => {
        setTimeout(() => reject(new Error("no live chart (or no calc:updated) within 60 s")), 60_000);
        new MutationObserver((_, mo) => {
          if (!document.querySelector(sel)) return;
          const live = performance.now();
          mo.disconnect();
          if (!input) return resolve({ live, updated: null });
          new PerformanceObserver((list) => {
            const m = list.getEntriesByName("calc:updated")[0];
            if (m) resolve({ live, updated: m.startTime });
          }).observe({ type: "mark" });
          setTimeout(slide, 0);
        }).observe(document, { subtree: true, childList: true, attributes: true });
      });
    },
    [LIVE, inputAtLive] as const,
  );
  if (rate > 1) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  }
  await page.goto(`${url}calculator/`, { waitUntil: "load" });
  const settled = await page.evaluate(() => (window as unknown as { __settled: Promise<Settled> }).__settled);
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
  return { page, tti: settled.live, updated: settled.updated };
}

/** A 4× load with a slider input at the live chart's appearance: ms from then to its calc:updated. */
async function inputAtTti(browser: Browser, url: string): Promise<number> {
  const { page, tti, updated } = await openCalculator(browser, url, 4, true);
  await page.close();
  return updated! - tti;
}

export function controlInteractions(rate: 1 | 4): Measure {
  const budget = rate === 1 ? 16 : 64;
  const figures: Figure[] = [...CONTROLS, ...PC_CONTROLS].flatMap((c) => [
    { key: `${c.key}P50`, unit: "ms" },
    {
      key: `${c.key}P95`,
      unit: "ms",
      budget: {
        value: budget,
        cmp: "<=",
        source: `issue 14: every control ≤ ${budget} ms p95${rate > 1 ? " at 4× CPU throttling" : ""}`,
      },
    },
  ]);
  figures.push({
    key: "unmatched",
    unit: "events",
    budget: { value: 0, cmp: "<=", source: "every change updates the page" },
  });
  if (rate > 1)
    figures.push(
      {
        key: "tti",
        unit: "ms",
        budget: { value: 1000, cmp: "<=", source: "issue 14: /calculator/ interactive ≤ 1 s at 4× CPU throttling" },
      },
      {
        key: "ttiInput",
        unit: "ms",
        budget: {
          value: 64,
          cmp: "<=",
          source: "an input at the TTI moment is answered within the 4× per-control budget",
        },
      },
    );
  return {
    name: `interaction: /calculator/ every control → numbers and chart committed, headless Chromium${rate > 1 ? `, ${rate}× CPU throttling` : ""}`,
    quick: false,
    repeats: { full: 3, quick: 1 },
    ...browserSite,
    figures,
    sample: async (ctx) => {
      const ttiInput =
        rate > 1 ? await inputAtTti(ctx.state.browser as Browser, (ctx.state.served as ServedSite).url) : 0;
      const { page, tti } = await openCalculator(
        ctx.state.browser as Browser,
        (ctx.state.served as ServedSite).url,
        rate,
      );
      try {
        const out: Record<string, number> = { unmatched: 0 };
        if (rate > 1) Object.assign(out, { tti, ttiInput });
        const drive = async (c: Control): Promise<void> => {
          const r = await page.evaluate(driveControl, { ...c, warmup: WARMUP });
          if (r.ms.length === 0) throw new Error(`${c.key}: no calc:input/calc:updated pair`);
          const sorted = [...r.ms].sort((a, b) => a - b);
          out[`${c.key}P50`] = quantile(sorted, 0.5);
          out[`${c.key}P95`] = quantile(sorted, 0.95);
          out.unmatched += r.unmatched;
        };
        for (const c of CONTROLS) await drive(c);
        await enablePc(page);
        for (const c of PC_CONTROLS) await drive(c);
        return out;
      } finally {
        await page.close();
      }
    },
  };
}
