/**
 * Beside the model, in a real browser. The vision box: an mmproj GGUF written by tests/helpers/mmproj-models.ts is
 * picked through the file chooser (header only), and the breakdown, total and commands equal
 * what the engine computes here for the same state and projector. The draft picker: a linked draft
 * and one changed by its control show the engine's draft weights and KV and the -md flags.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { collectErrors, launchBrowser, newPage, siteNamed, UI_TIMEOUT } from "../helpers/browser.ts";
import { writeGguf } from "../helpers/gguf-writer.ts";
import { GEMMA3_SIGLIP, gemma3Mmproj } from "../helpers/mmproj-models.ts";
import { loadCatalog } from "../unit/calculator/load-catalog.ts";
import { formatBinary } from "../../src/lib/format.ts";
import { readGgufHeader } from "../../src/lib/gguf/node.ts";
import { visionProjector } from "../../src/lib/engine/vision.ts";
import { computeView, type CalcView } from "../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../../src/lib/calculator/state.ts";
import { visionUse, withVision } from "../../src/lib/calculator/vision-view.ts";
import { resolveDraft, withDraft } from "../../src/lib/calculator/draft-view.ts";
import type { LoadedProjector } from "../../src/lib/calculator/vision-load.ts";
import { CUDA_F16 } from "../helpers/calc-states.ts";

const catalog = loadCatalog();
let browser: Browser;
let tmp: string;
let file: string;
let proj: LoadedProjector;
before(async () => {
  browser = await launchBrowser();
  tmp = mkdtempSync(path.join(tmpdir(), "vision-e2e-"));
  file = path.join(tmp, "mmproj-gemma3-27b.gguf");
  await writeGguf(file, gemma3Mmproj({ ...GEMMA3_SIGLIP, textEmbd: 5376 }));
  proj = { name: path.basename(file), url: null, projector: visionProjector(await readGgufHeader(file)) };
});
after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const BASE: Partial<CalcState> = {
  model: "gemma-3-27b",
  ...CUDA_F16,
  hardware: "nvidia-rtx-4090",
  budget: "generic-gpu",
  ctx: 16384,
};
function expected(patch: Partial<CalcState>): CalcView {
  const state = { ...DEFAULT_STATE, ...BASE, ...patch };
  const { reserve } = visionUse(proj, state);
  return withVision(computeView({ state, catalog, loaded: null, extraRuns: [], reserve }), proj, state);
}
const bytesOf = (v: CalcView, key: string) => v.c.components.find((c) => c.key === key)!.bytes;

/** The committed state is `patch` over BASE and the projector box shows a loaded projector. */
async function settled(page: Page, patch: Partial<CalcState>): Promise<void> {
  const q = stateToQuery({ ...DEFAULT_STATE, ...BASE, ...patch }, DEFAULT_STATE);
  await page.waitForFunction(
    (want) => {
      const el = document.querySelector<HTMLElement>(".calc");
      const box = document.querySelector<HTMLElement>("fieldset[data-projector]");
      return el?.dataset.pending === "false" && el.dataset.state === want && !!box?.dataset.projector;
    },
    q,
    { timeout: UI_TIMEOUT },
  );
}
const shown = async (page: Page, key: string) =>
  Number(await page.locator(`tr[data-key="${key}"] td[data-bytes]`).getAttribute("data-bytes"));

describe("vision projector in the calculator", () => {
  test("an mmproj picked from disk adds exact weights, the encoder estimate and --mmproj", async () => {
    const page = await newPage(browser);
    const errors = collectErrors(page);
    const q = stateToQuery({ ...DEFAULT_STATE, ...BASE }, DEFAULT_STATE);
    await page.goto(`${siteNamed("root").url}calculator/?${q}`, { waitUntil: "load" });
    await page.waitForSelector('.calc[data-ready="true"][data-pending="false"][data-state]');
    const chooser = page.waitForEvent("filechooser");
    await page.locator("#calc-mmproj-file").click();
    await (await chooser).setFiles(file);
    await settled(page, {});
    let v = expected({});
    assert.equal(
      await page.locator("fieldset[data-projector]").getAttribute("data-projector"),
      `gemma3:${proj.projector.weightsBytes}`,
    );
    assert.equal(await shown(page, "vision"), bytesOf(v, "vision"));
    assert.equal(await shown(page, "vision-compute"), bytesOf(v, "vision-compute"));
    assert.equal(await shown(page, "k"), bytesOf(v, "k"));
    assert.match(await page.locator('tr[data-key="vision-compute"]').innerText(), /estimate/);
    assert.match(
      await page.locator('tr[data-key="vision-cells"]').innerText(),
      /1 image\(s\) × 256 tokens = 256 KV cells/,
    );
    assert.match(await page.getByTestId("calc-cmd-llama-server").innerText(), / --mmproj mmproj-gemma3-27b\.gguf$/);
    assert.match(await page.getByTestId("calc-projector").innerText(), /permalink cannot carry it/);

    await page.locator("#calc-images").fill("3");
    await page.locator("#calc-images").dispatchEvent("change");
    await settled(page, { images: 3 });
    assert.match(
      await page.locator('tr[data-key="vision-cells"]').innerText(),
      /3 image\(s\) × 256 tokens = 768 KV cells/,
    );

    await page.locator("#calc-mmproj-offload").uncheck();
    await settled(page, { images: 3, mmprojOffload: false });
    v = expected({ images: 3, mmprojOffload: false });
    assert.equal(v.c.components.find((c) => c.key === "vision")!.device, 0);
    assert.equal(await shown(page, "vision"), bytesOf(v, "vision"));
    assert.match(
      await page.getByTestId("calc-cmd-llama-server").innerText(),
      / --mmproj mmproj-gemma3-27b\.gguf --no-mmproj-offload$/,
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a projector URL that cannot be read is said plainly and leaves the state without it", async () => {
    const page = await newPage(browser);
    const q = stateToQuery({ ...DEFAULT_STATE, ...BASE, mmproj: "https://127.0.0.1:9/none.gguf" }, DEFAULT_STATE);
    await page.goto(`${siteNamed("root").url}calculator/?${q}`, { waitUntil: "load" });
    const want = stateToQuery({ ...DEFAULT_STATE, ...BASE }, DEFAULT_STATE);
    await page.waitForFunction(
      (w) => {
        const el = document.querySelector<HTMLElement>(".calc");
        return (
          el?.dataset.pending === "false" &&
          el.dataset.state === w &&
          !!document.querySelector("fieldset[data-projector] .calc-error")
        );
      },
      want,
      { timeout: UI_TIMEOUT },
    );
    assert.match(await page.locator("fieldset[data-projector] .calc-error").innerText(), /none\.gguf/);
    assert.equal(await page.locator('tr[data-key="vision"]').count(), 0);
    await page.close();
  });
});

describe("draft model in the calculator", () => {
  const DRAFT: Partial<CalcState> = { ...BASE, model: "qwen3-32b", ftype: "Q4_K_M", typeK: "q8_0", typeV: "q8_0" };
  const want = (patch: Partial<CalcState>): CalcView => {
    const state = { ...DEFAULT_STATE, ...DRAFT, ...patch };
    const d = resolveDraft(state, catalog)!;
    return withDraft(computeView({ state, catalog, loaded: null, extraRuns: [] }), d, state);
  };
  async function committed(page: Page, patch: Partial<CalcState>): Promise<void> {
    const q = stateToQuery({ ...DEFAULT_STATE, ...DRAFT, ...patch }, DEFAULT_STATE);
    await page.waitForFunction(
      (w) => {
        const el = document.querySelector<HTMLElement>(".calc");
        return el?.dataset.ready === "true" && el.dataset.pending === "false" && el.dataset.state === w;
      },
      q,
      { timeout: UI_TIMEOUT },
    );
  }

  test("a linked draft adds the engine's draft weights and KV; -ngld from its control; commands gain -md", async () => {
    const page = await newPage(browser);
    const errors = collectErrors(page);
    const patch: Partial<CalcState> = { draft: "qwen3-0.6b", ctkd: "q8_0" };
    await page.goto(
      `${siteNamed("root").url}calculator/?${stateToQuery({ ...DEFAULT_STATE, ...DRAFT, ...patch }, DEFAULT_STATE)}`,
      {
        waitUntil: "load",
      },
    );
    await committed(page, patch);
    let v = want(patch);
    for (const key of ["draft-weights", "draft-kv", "draft-compute", "k"])
      assert.equal(await shown(page, key), bytesOf(v, key), key);
    assert.equal(await page.getByTestId("calc-total").innerText(), formatBinary(v.c.poolBytes));
    assert.match(
      await page.locator(".calc-legend").first().innerText(),
      /largest context not computed with a draft model/,
    );
    assert.match(
      await page.getByTestId("calc-cmd-llama-server").innerText(),
      / -md qwen3-0\.6b-\S+\.gguf -ngld 999 -ctkd q8_0 -ctvd f16$/,
    );

    await page.locator("#calc-ngld").fill("0");
    await page.locator("#calc-ngld").dispatchEvent("change");
    await committed(page, { ...patch, ngld: 0 });
    v = want({ ...patch, ngld: 0 });
    assert.equal(await shown(page, "draft-weights"), bytesOf(v, "draft-weights"));
    assert.equal(v.c.components.find((c) => c.key === "draft-weights")!.device, 0);
    assert.match(await page.getByTestId("calc-cmd-llama-server").innerText(), / -ngld 0 -ctkd q8_0 -ctvd f16$/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
