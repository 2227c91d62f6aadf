/**
 * "Every model on this machine" (src/lib/catalog/machine-table.ts, models-url.ts): the live
 * /models/ table gives the static page's numbers for the page's own machine, the calculator's
 * budget for a machine picked from the catalog, "weights don't fit" where the weights alone
 * exceed it, and its URL state round-trips (hostile values keep the defaults).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { reduceBudget, reduceHardware, reduceModel } from "../../../src/lib/calculator/catalog.ts";
import { BUDGET_CHOICES } from "../../../src/lib/catalog/choices.ts";
import { engineBudget, modelTableRow, usableBudget } from "../../../src/lib/catalog/index.ts";
import {
  choiceMachine,
  machineBudget,
  pickMachine,
  prepareRows,
  tableForMachine,
  type MachineCatalog,
} from "../../../src/lib/catalog/machine-table.ts";
import {
  modelsQueryFor,
  readModelsUrl,
  writeModelsUrl,
  type ModelsUrlState,
} from "../../../src/lib/catalog/models-url.ts";
import { defaultWeightVariant } from "../../../src/lib/catalog/weights.ts";
import { DATA_DIR } from "./fixture.ts";

const { catalog } = loadCatalog(DATA_DIR);
// What /calculator/catalog.json serves (catalogFile of the calculator's reduced catalog).
const cat: MachineCatalog = {
  models: catalog.models.map((m) => reduceModel(m)),
  hardware: catalog.hardware.map(reduceHardware),
  budgets: catalog.budgets.map(reduceBudget),
};
const refs = catalog.models.map((m) => ({
  id: m.id,
  trainedCtx: m.architecture.context_length ?? m.context.native ?? null,
  ftype: defaultWeightVariant(m).ftype,
}));
const rows = prepareRows(cat, refs);

test("on each static page's machine the live table gives the static table's largest contexts", () => {
  for (const choice of BUDGET_CHOICES) {
    const budget = catalog.budgets.find((b) => b.id === choice.budget)!;
    const hwId = choice.hardware ?? budget.hardwareId;
    const hw = hwId ? catalog.hardware.find((h) => h.id === hwId)! : null;
    const usable = usableBudget(budget, hw);
    const solver = hw
      ? engineBudget(usable, hw)
      : { bytes: usable.bytes, pool: choice.backend === "cuda" ? "device" : "total" };
    const machine = { ...choiceMachine(choice), hardware: hwId ?? "" };
    const live = tableForMachine(cat, rows, machine, "f16");
    assert.equal(live.error, null, choice.id);
    for (const [i, m] of catalog.models.entries()) {
      const config = { backend: choice.backend, type_k: "f16", type_v: "f16", flash_attn: "on" } as const;
      const want = modelTableRow(m, { budget: solver as never, config }).maxContext?.nCtx ?? null;
      assert.equal(live.rows![i].nCtx, want, `${choice.id} ${m.id}`);
    }
  }
});

test("picking a machine takes the calculator's budget and backend; links carry the machine", () => {
  const start = choiceMachine(BUDGET_CHOICES[0]);
  const m = pickMachine(cat, start, "nvidia-rtx-4090");
  assert.deepEqual(m, { hardware: "nvidia-rtx-4090", budget: "generic-gpu", totalBytes: null, backend: "cuda" });
  const b = machineBudget(cat, m);
  assert.ok(
    "budget" in b && b.budget.pool === "device" && b.budget.bytes > 20 * 2 ** 30 && b.budget.bytes < 24 * 2 ** 30,
  );
  const t = tableForMachine(cat, rows, m, "q8_0");
  const row = t.rows!.find((r) => r.id === "qwen3-32b")!;
  const q = new URLSearchParams(row.query);
  assert.equal(q.get("hw"), "nvidia-rtx-4090");
  assert.equal(q.get("ctv"), "q8_0"); // ctk q8_0 is the calculator default, left out
  // A larger custom memory never gives a smaller context, and 1 GiB leaves the weights out.
  const big = tableForMachine(cat, rows, { ...m, totalBytes: 48 * 2 ** 30 }, "q8_0").rows!;
  for (const [i, r] of t.rows!.entries()) assert.ok((big[i].nCtx ?? 0) >= (r.nCtx ?? 0), r.id);
  const tiny = tableForMachine(cat, rows, { ...m, totalBytes: 2 ** 30 }, "q8_0").rows!;
  assert.equal(tiny.find((r) => r.id === "qwen3-32b")!.answer, "weights don't fit");
});

/** The /models/ page's URL state with nothing chosen (what an empty query reads as). */
const defaults: ModelsUrlState = {
  machine: choiceMachine(BUDGET_CHOICES[0]),
  kv: "f16",
  sort: null,
  dir: "asc",
  minText: "",
  text: "",
};

test("the URL state round-trips; values it does not understand keep the defaults", () => {
  const kvTypes = ["f16", "q8_0", "q4_0"];
  assert.equal(writeModelsUrl(defaults, defaults), "");
  const s: ModelsUrlState = {
    machine: { hardware: "nvidia-rtx-4090", budget: "generic-gpu", totalBytes: 25769803776, backend: "cuda" },
    kv: "q8_0",
    sort: "ctx",
    dir: "desc",
    minText: "32768",
    text: "qwen",
  };
  const q = writeModelsUrl(s, defaults);
  assert.equal(q, "hw=nvidia-rtx-4090&b=generic-gpu&tot=25769803776&be=cuda&kv=q8_0&sort=ctx-desc&min=32768&q=qwen");
  assert.deepEqual(readModelsUrl(`?${q}`, defaults, kvTypes), s);
  const bad = readModelsUrl(
    "?hw=../x&b=%3Cscript%3E&tot=-5&be=rocm&kv=turbo9&sort=evil-up&min=1e99",
    defaults,
    kvTypes,
  );
  assert.deepEqual(bad, defaults);
});

test("the calculator's link carries its machine and budget to /models/", () => {
  const machine = {
    hardware: "apple-m4-max-128gb",
    budget: "apple-metal-default",
    totalBytes: null,
    backend: "metal" as const,
  };
  const q = modelsQueryFor({ ...machine, typeK: "q8_0", typeV: "q8_0" });
  const s = readModelsUrl(`?${q}`, defaults, ["f16", "q8_0"]);
  assert.deepEqual(s, { ...defaults, machine, kv: "q8_0" });
  // Different K and V: the table's K/V type stays its own.
  assert.equal(
    readModelsUrl(`?${modelsQueryFor({ ...machine, typeK: "q8_0", typeV: "turbo4" })}`, defaults, ["f16", "q8_0"]).kv,
    "f16",
  );
});
