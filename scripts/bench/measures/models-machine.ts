/**
 * The live /models/ table on a machine change: every preset's largest context (and "weights don't
 * fit") recomputed for the next machine of the hardware catalog or a custom memory, by the same
 * pure function the page's island runs (src/lib/catalog/machine-table.ts tableForMachine). Node,
 * no DOM: the table's compute part of one frame; the engine's curves are warm from the previous
 * machines, as in the page after its first change.
 */
import path from "node:path";
import { loadCatalog } from "../../catalog/validate.ts";
import { reduceBudget, reduceHardware, reduceModel } from "../../../src/lib/calculator/catalog.ts";
import { BUDGET_CHOICES } from "../../../src/lib/catalog/choices.ts";
import {
  choiceMachine,
  pickMachine,
  prepareRows,
  tableForMachine,
  type MachineCatalog,
  type TableMachine,
} from "../../../src/lib/catalog/machine-table.ts";
import { defaultWeightVariant } from "../../../src/lib/catalog/weights.ts";
import type { Measure } from "../measure.ts";
import { REPO_ROOT } from "../../lib/repo-root.ts";

let cat: MachineCatalog;
let rows: ReturnType<typeof prepareRows> = [];
let machines: TableMachine[] = [];
let next = 0;

export const modelsTableMachine: Measure = {
  name: "/models/ every model on this machine: the table recomputed on a machine change (compute, no DOM)",
  quick: true,
  warmup: 2,
  repeats: { full: 30, quick: 10 },
  figures: [
    { key: "ms", unit: "ms", budget: { value: 16, cmp: "<=", source: "issue 14" } },
    { key: "rows", unit: "rows" },
  ],
  setup: () => {
    const { catalog } = loadCatalog(path.join(REPO_ROOT, "data"));
    cat = {
      models: catalog.models.map((m) => reduceModel(m)),
      hardware: catalog.hardware.map(reduceHardware),
      budgets: catalog.budgets.map(reduceBudget),
    };
    rows = prepareRows(
      cat,
      catalog.models.map((m) => ({
        id: m.id,
        trainedCtx: m.architecture.context_length ?? m.context.native ?? null,
        ftype: defaultWeightVariant(m).ftype,
      })),
    );
    const start = choiceMachine(BUDGET_CHOICES[0]);
    // Every catalog machine, then custom memories on the last one: a new budget every sample.
    const picked = cat.hardware.map((h) => pickMachine(cat, start, h.id));
    const custom = [12, 20, 28, 40, 56, 72, 96].map((g) => ({ ...picked[picked.length - 1], totalBytes: g * 2 ** 30 }));
    machines = [...picked, ...custom];
  },
  sample: () => {
    const m = machines[next++ % machines.length];
    const start = process.hrtime.bigint();
    const t = tableForMachine(cat, rows, m, "f16");
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { ms, rows: t.rows?.length ?? 0 };
  },
};
