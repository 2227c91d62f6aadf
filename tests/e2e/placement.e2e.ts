/**
 * The calculator's machine builder in a real browser: a PC with two 24 GiB GPUs built through the
 * UI, a 70B model that needs both, one bar per device equal to the engine's placement computed
 * here, the binding device marked, and "fit it for me" giving the solver's flags. Waits on the
 * island's committed state (`data-state`), never on time.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, newPage, screenshot, siteNamed } from "../helpers/browser.ts";
import { waitCommitted } from "./calculator-page.ts";
import { loadCatalog } from "../unit/calculator/load-catalog.ts";
import { buildTensorTable, normaliseFtype } from "../../src/lib/engine/index.ts";
import { fitMachine, placeModel } from "../../src/lib/engine/placement/index.ts";
import { ArchitectureSchema } from "../../src/schemas/architecture.ts";
import { DEFAULT_MACHINE, encodeMachine, machinePlacement } from "../../src/lib/calculator/placement-machine.ts";
import { placementConfig } from "../../src/lib/calculator/placement-view.ts";
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../../src/lib/calculator/state.ts";
import { CUDA_F16 } from "../helpers/calc-states.ts";

const catalog = loadCatalog();
const arch = ArchitectureSchema.parse(catalog.models.find((m) => m.id === "llama-3.1-70b")!.architecture);
const GiB = 2 ** 30;
const BASE: CalcState = {
  ...DEFAULT_STATE,
  model: "llama-3.1-70b",
  ...CUDA_F16,
  ctx: 8192,
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

/** Bars as shown: device → total and bytes per kind (data attributes). */
async function shownBars(page: Page) {
  return page.locator(".calc-bars__row").evaluateAll((rows) =>
    rows.map((r) => ({
      name: r.getAttribute("data-device")!,
      total: Number(r.getAttribute("data-bytes")),
      binding: r.getAttribute("data-binding") === "true",
      parts: Object.fromEntries(
        [...r.querySelectorAll("[data-kind]")].map((s) => [
          s.getAttribute("data-kind"),
          Number(s.getAttribute("data-bytes")),
        ]),
      ) as Record<string, number>,
    })),
  );
}

describe("calculator: machine builder and placement", () => {
  test("two GPUs built in the UI: bars per device are the engine's, the binding one marked, fit = the solver's flags", async () => {
    const page = await newPage(browser, { viewport: { width: 1280, height: 1400 } });
    const errors = collectErrors(page);
    await page.goto(`${siteNamed("root").url}calculator/?${stateToQuery(BASE)}`, { waitUntil: "load" });
    await waitState(page, BASE);
    await page.getByLabel(/A PC with GPUs/).check();
    const one = { ...BASE, machine: encodeMachine(DEFAULT_MACHINE) };
    await waitState(page, one);
    await page.getByRole("button", { name: "Add a GPU" }).click();
    const two: CalcState = { ...BASE, machine: "g:24576,24576;ram:65536" };
    await waitState(page, two);

    const spec = { ...DEFAULT_MACHINE, gpus: [DEFAULT_MACHINE.gpus[0], DEFAULT_MACHINE.gpus[0]] };
    const table = buildTensorTable(arch, normaliseFtype("Q4_K_M"));
    const config = placementConfig({ arch, tensors: null }, two);
    const r = placeModel(arch, config, machinePlacement(spec), table);
    const bars = await shownBars(page);
    const want = r.devices.filter((d) => d.bytes > 0 || d.name !== "host");
    assert.deepEqual(
      bars.map((b) => [b.name, b.total]),
      want.map((d) => [d.name, d.bytes]),
    );
    for (const b of bars) {
      const mine = r.buffers.filter((x) => x.device === b.name);
      const sum = (kinds: string[]) =>
        mine.filter((x) => kinds.includes(x.kind)).reduce((a, x) => a + (x.touched_bytes ?? x.bytes), 0);
      assert.equal(b.parts.weights ?? 0, sum(["weights"]), `${b.name} weights`);
      assert.equal(b.parts.kv ?? 0, sum(["kv", "recurrent"]), `${b.name} KV`);
      assert.equal(b.parts.compute ?? 0, sum(["compute"]), `${b.name} compute`);
    }
    // The model needs both cards: more weights than one holds, and each holds a share.
    const gpuBars = bars.filter((b) => b.name.startsWith("CUDA"));
    assert.equal(gpuBars.length, 2);
    assert.ok(gpuBars.every((b) => b.parts.weights > 8 * GiB));
    assert.ok(gpuBars.reduce((a, b) => a + b.parts.weights, 0) > 24 * GiB);
    // Binding: the device with the least headroom (equal cards: the least share free).
    const room = want
      .filter((d) => d.budget_bytes !== undefined)
      .map((d) => [d.name, d.budget_bytes! - d.bytes] as const);
    const least = room.reduce((a, b) => (b[1] < a[1] ? b : a))[0];
    assert.deepEqual(
      bars.filter((b) => b.binding).map((b) => b.name),
      [least],
    );
    await screenshot(page, "calculator-two-gpus");

    // "Fit it for me": the solver's -ngl, -ts and context become the state.
    const fit = fitMachine(arch, config, machinePlacement(spec), table, { max_ctx: arch.context_length! })!;
    await page.getByRole("button", { name: "Fit it for me" }).click();
    const fitted: CalcState = {
      ...two,
      nGpuLayers: fit.n_gpu_layers,
      ctx: fit.n_ctx,
      machine: encodeMachine({ ...spec, tensorSplit: fit.tensor_split }),
    };
    await waitState(page, fitted);
    assert.equal(await page.getByTestId("calc-fit").locator("code").innerText(), fit.flags.join(" "));
    const cmd = await page.getByTestId("calc-cmd-llama-server").innerText();
    assert.ok(cmd.includes(`-ngl ${fit.n_gpu_layers} -ts ${fit.tensor_split.join(",")}`), cmd);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a hostile machine link is refused with a notice and the one-device calculator stays", async () => {
    const page = await newPage(browser);
    await page.goto(`${siteNamed("root").url}calculator/?pc=${encodeURIComponent("g:24576;rpc:evil host:1@1")}`, {
      waitUntil: "load",
    });
    await waitState(page, DEFAULT_STATE);
    assert.match(await page.locator(".calc-notices").innerText(), /Ignored pc=.*host:port@MiB/);
    assert.equal(await page.locator(".calc-pc-panel").getAttribute("data-machine"), "one");
    await page.close();
  });
});
