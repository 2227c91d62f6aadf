/**
 * The headline answer follows the machine (issue 18 item 2, issue 15): with a PC of two 24 GiB
 * GPUs the verdict box's largest context is the engine's for that placement (computed here with
 * placedContext), limited by the device named; the chart draws the devices' memory lines; and on
 * one 16 GiB GPU the experts-on-CPU suggestion, applied in one click, makes Qwen3-30B-A3B fit.
 * Waits on the island's committed state (`data-state`, `data-pending`), never on time.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, newPage, screenshot, siteNamed, UI_TIMEOUT } from "../helpers/browser.ts";
import { waitCommitted } from "./calculator-page.ts";
import { loadCatalog } from "../unit/calculator/load-catalog.ts";
import { buildTensorTable, normaliseFtype } from "../../src/lib/engine/index.ts";
import { placedContext } from "../../src/lib/engine/placement/context.ts";
import { ArchitectureSchema } from "../../src/schemas/architecture.ts";
import { gpuCatalog, machinePlacement, parseMachine } from "../../src/lib/calculator/placement-machine.ts";
import { placementConfig } from "../../src/lib/calculator/placement-view.ts";
import { computeView } from "../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../../src/lib/calculator/state.ts";
import { CUDA_F16 } from "../helpers/calc-states.ts";

const catalog = loadCatalog();
const archOf = (id: string) => ArchitectureSchema.parse(catalog.models.find((m) => m.id === id)!.architecture);
const BASE: CalcState = {
  ...DEFAULT_STATE,
  ...CUDA_F16,
  unified: false,
};

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function waitState(page: Page, s: CalcState): Promise<void> {
  await waitCommitted(page, s, { ready: true });
}

describe("calculator: the answer comes from the machine", () => {
  test("70B on two 24 GiB GPUs: largest context = the engine's for the placement, limited by the device named", async () => {
    const machine = "g:nvidia-rtx-4090,nvidia-rtx-4090;ram:65536";
    const s: CalcState = { ...BASE, model: "llama-3.1-70b", ftype: "Q4_K_M", ctx: 8192, machine };
    const page = await newPage(browser, { viewport: { width: 1280, height: 1400 } });
    const errors = collectErrors(page);
    await page.goto(`${siteNamed("root").url}calculator/?${stateToQuery(s)}`, { waitUntil: "load" });
    await waitState(page, s);

    const arch = archOf("llama-3.1-70b");
    const parsed = parseMachine(machine, gpuCatalog(catalog.hardware));
    assert.ok(parsed.ok);
    const want = placedContext(
      arch,
      placementConfig({ arch, tensors: null }, s),
      machinePlacement(parsed.spec),
      buildTensorTable(arch, normaliseFtype("Q4_K_M")),
      { cap: arch.context_length! },
    );
    assert.ok(want.n_ctx !== null && want.limited_by.startsWith("CUDA"));
    const line = page.getByTestId("calc-largest");
    assert.equal(Number(await line.getAttribute("data-ctx")), want.n_ctx);
    assert.equal(await line.getAttribute("data-limited-by"), want.limited_by);
    const n = Number(want.limited_by.slice(4)) + 1;
    assert.match(
      await line.innerText(),
      new RegExp(
        `Largest context ${want.n_ctx!.toLocaleString("en-US")}.*limited by ${want.limited_by} \\(NVIDIA GeForce RTX 4090 #${n}\\)`,
      ),
    );
    assert.match(await page.getByTestId("calc-verdict").innerText(), /CUDA[01] \(NVIDIA GeForce RTX 4090 #[12]\)/);
    // the chart draws the devices' memory line, the binding one named
    await page.waitForFunction(
      (dev) => [...document.querySelectorAll(".calc svg text")].some((t) => t.textContent?.includes(`${dev} binds`)),
      want.limited_by,
      { timeout: UI_TIMEOUT },
    );
    await screenshot(page, "calculator-pc-answer");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("Qwen3-30B-A3B on a 16 GiB GPU: the --n-cpu-moe suggestion applied in one click fits", async () => {
    const s: CalcState = {
      ...BASE,
      model: "qwen3-30b-a3b",
      ftype: "Q4_K_M",
      ctx: 32768,
      hardware: "nvidia-rtx-4060-ti-16gb",
      budget: "generic-gpu",
    };
    const view = computeView({ state: s, catalog, loaded: null, extraRuns: [] });
    assert.equal(view.c.verdict.kind, "no");
    const moe = view.c.suggestions!.find((x) => x.key === "moe")!;
    const page = await newPage(browser, { viewport: { width: 1280, height: 1400 } });
    const errors = collectErrors(page);
    await page.goto(`${siteNamed("root").url}calculator/?${stateToQuery(s)}`, { waitUntil: "load" });
    await waitState(page, s);
    const item = page.locator('[data-testid="calc-suggestions"] li[data-key="moe"]');
    assert.match(await item.innerText(), new RegExp(moe.command.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    await item.getByRole("button", { name: "Apply" }).click();
    await waitState(page, { ...s, ...moe.patch });
    const kind = await page.getByTestId("calc-verdict").getAttribute("class");
    assert.match(kind!, /calc-verdict--(fits|tight)/);
    assert.match(await page.getByTestId("calc-cmd-llama-server").innerText(), /--n-cpu-moe \d+/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
