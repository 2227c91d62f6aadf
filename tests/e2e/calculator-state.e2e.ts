/**
 * The calculator in a real browser: a GGUF loaded by the user, permalinks and history, a malformed
 * permalink, and a run's measured points. Expected numbers come from the engine, never from the page.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { collectErrors, launchBrowser, newPage, screenshot, UI_TIMEOUT } from "../helpers/browser.ts";
import { writeGguf } from "../helpers/gguf-writer.ts";
import { qwen3Model } from "../helpers/gguf-models.ts";
import { DEFAULT_STATE, type CalcState } from "../../src/lib/calculator/state.ts";
import { loadGgufFile } from "../../src/lib/calculator/gguf-load.ts";
import { encodeCustom } from "../../src/lib/calculator/custom.ts";
import { handOff } from "../../src/lib/calculator/question.ts";
import { bytesOf, cells, expected, FIXTURE_RUN, open, shownBytes, waitState } from "./calculator-page.ts";

let browser: Browser;
let tmp: string;
before(async () => {
  browser = await launchBrowser();
  tmp = mkdtempSync(path.join(tmpdir(), "calc-e2e-"));
});
after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("calculator page: a GGUF file", () => {
  test("a GGUF made by the test, loaded through the file chooser: its name and KV numbers", async () => {
    const file = path.join(tmp, "tiny-qwen3.gguf");
    await writeGguf(file, qwen3Model({ nLayer: 6, nHeadKv: 2, headDim: 128, nCtxTrain: 40960 }));
    // Expected: the same header read and view, in this process.
    const loaded = await loadGgufFile(new File([readFileSync(file)], "tiny-qwen3.gguf"));
    const arch = encodeCustom(loaded.architecture, loaded.name, loaded.tensorsFtype);
    // Picking a model hands the example's fork settings off to upstream llama.cpp (f16 K/V).
    const picked = handOff(DEFAULT_STATE, { model: "gguf", ggufUrl: null, arch })!.state;
    const v = expected(picked, loaded);
    assert.equal(v.c.error, null);
    // By hand: 6 layers × 32768 cells × (256 values K f16 = 512 B + V f16 = 512 B).
    assert.equal(bytesOf(v, "k") + bytesOf(v, "v"), 6 * 32768 * (512 + 512));

    const page = await newPage(browser);
    const errors = collectErrors(page);
    await open(page);
    const chooser = page.waitForEvent("filechooser");
    await page.locator("#calc-gguf-file").click();
    await (await chooser).setFiles(file);
    await waitState(page, picked);
    assert.match(await page.getByTestId("calc-handoff").innerText(), /upstream llama\.cpp/);
    const name = await page.getByTestId("calc-model-name").innerText();
    assert.match(name, /tiny-qwen3/);
    assert.match(name, /qwen3/);
    assert.match(name, /6 layers/);
    assert.equal(await shownBytes(page, "k"), bytesOf(v, "k"));
    assert.equal(await shownBytes(page, "v"), bytesOf(v, "v"));
    assert.equal(await shownBytes(page, "weights"), bytesOf(v, "weights"), "exact weights from the tensor table");
    assert.match(await page.locator(".calc-breakdown").innerText(), /exact, from the GGUF's tensor table/);
    await page.waitForFunction(() => location.search.includes("m=gguf"));
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("calculator page: permalinks", () => {
  test("a permalink opens the same state; back and forward restore states", async () => {
    const q = "?c=65536&ctk=f16&ctv=f16&np=1&kvu=0&eng=llama.cpp&be=cuda&hw=nvidia-rtx-4090&b=generic-gpu";
    const patch: Partial<CalcState> = {
      ctx: 65536,
      typeK: "f16",
      typeV: "f16",
      nSeq: 1,
      unified: false,
      engine: "llama.cpp",
      revision: "current",
      backend: "cuda",
      hardware: "nvidia-rtx-4090",
      budget: "generic-gpu",
    };
    const v = expected(patch);
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await open(page, q);
    assert.equal(await page.locator("#calc-ctk").inputValue(), "f16");
    assert.equal(await page.locator("#calc-engine").inputValue(), "llama.cpp");
    assert.equal(await page.locator("#calc-np").inputValue(), "1");
    assert.equal(await page.locator("#calc-hw").inputValue(), "nvidia-rtx-4090");
    assert.equal(await page.locator("#calc-ctx-text").inputValue(), "65536");
    assert.equal(await cells(page), 65536);
    assert.equal(await shownBytes(page, "k"), bytesOf(v, "k"));
    assert.ok((await page.getByTestId("calc-verdict").innerText()).includes(v.c.verdict.text));
    assert.equal(await page.locator(".calc-notices").count(), 0);
    // The copy-link field carries the same query.
    assert.equal(new URL(await page.locator("#calc-link").inputValue()).search, new URL(page.url()).search);
    // Change something, go back, go forward.
    await page.locator("#calc-ctv").selectOption("q8_0");
    await waitState(page, { ...patch, typeV: "q8_0" });
    await page.waitForFunction(() => location.search.includes("ctv=q8_0"));
    await page.goBack();
    await page.waitForFunction(() => !location.search.includes("ctv=q8_0"));
    await waitState(page, patch);
    assert.equal(await page.locator("#calc-ctv").inputValue(), "f16");
    await page.goForward();
    await waitState(page, { ...patch, typeV: "q8_0" });
    assert.equal(await page.locator("#calc-ctv").inputValue(), "q8_0");
    assert.equal(await shownBytes(page, "v"), bytesOf(expected({ ...patch, typeV: "q8_0" }), "v"));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a malformed permalink shows the notice and the default answer", async () => {
    const page = await newPage(browser);
    const errors = collectErrors(page);
    await open(page, "?c=banana&np=0&ctk=turbo9&zzz=%3Cscript%3E");
    const notice = page.locator(".calc-notices");
    assert.ok(await notice.isVisible());
    const text = await notice.innerText();
    for (const p of ["c=", "np=", "ctk=", "zzz="]) assert.ok(text.includes(p), `notice names ${p}`);
    assert.equal(await cells(page), 32768);
    assert.equal(await shownBytes(page, "k"), bytesOf(expected(), "k"));
    assert.equal(await page.locator("script:has-text('zzz')").count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("calculator page: measured points", () => {
  test("measured points of a fixture run appear as SVG marks with tooltips, and in the residual view", async () => {
    const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    const errors = collectErrors(page);
    await open(page);
    const chooser = page.waitForEvent("filechooser");
    await page.locator("#calc-run-file").click();
    await (await chooser).setFiles(FIXTURE_RUN);
    const marks = page.locator(".calc-chart__live g.calc-measured path");
    await marks.first().waitFor();
    assert.equal(await marks.count(), 3);
    const titles = await page.locator(".calc-chart__live g.calc-measured path title").allTextContents();
    assert.equal(titles.length, 3);
    for (const t of titles) {
      assert.match(t, /Run: Fixture: qwen3\.5-27b KV sizes/);
      assert.match(t, /Tool: llama\.cpp/);
      assert.match(t, /Build: /);
      assert.match(t, /Delta: \+\d+\.\d\d %/);
    }
    // 8192: engine 213,909,504 B (16 layers × 8192 × 1632 B), measured 220,000,000 → +2.85 %.
    assert.ok(titles.some((t) => t.includes("context 8192") && t.includes("Delta: +2.85 %")));
    // Pointer tip.
    await page.locator(".calc-chart__live").scrollIntoViewIfNeeded();
    const box = (await marks.first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll(".calc-chart__live g[aria-label='tip']")].some((g) =>
          g.textContent?.includes("Run: Fixture"),
        ),
      null,
      { timeout: UI_TIMEOUT },
    );
    // Residual view.
    await page.getByLabel("Residual (±15 % band)").check();
    await page.waitForFunction(() =>
      document.querySelector(".calc-chart h3")?.textContent?.includes("Measured − calculated"),
    );
    assert.equal(await page.locator(".calc-chart__live g.calc-measured path").count(), 3);
    assert.match(await page.locator(".calc-chart__live").innerText(), /\+15 %/);
    await page.waitForFunction(() => location.search.includes("v=residual"));
    await screenshot(page, "calculator-residual");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
