/**
 * What the PC (placement) tests share: the catalog, its GPU list, the permalink domain, a preset's
 * architecture as the calculator passes it, and a machine parsed from its `pc=` text.
 */
import assert from "node:assert/strict";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { gpuCatalog, parseMachine, type MachineSpec } from "../../../src/lib/calculator/placement-machine.ts";
import { loadCatalog } from "./load-catalog.ts";

export const catalog = loadCatalog();
export const gpus = gpuCatalog(catalog.hardware);

/** The permalink decoder's domain (what parseState checks ids against). */
export const domain = {
  models: new Set(catalog.models.map((m) => m.id)),
  hardware: new Set(catalog.hardware.map((h) => h.id)),
  budgets: new Map(catalog.budgets.map((b) => [b.id, b.items.length])),
  ftypes: new Set(catalog.ftypes.map((f) => f.id)),
  gpus,
};

/** A preset's architecture, validated as the calculator does. */
export const archOf = (id: string) => ArchitectureSchema.parse(catalog.models.find((m) => m.id === id)!.architecture);

/** A preset as the placement views take it (no tensor table: built from the architecture). */
export const model = (id: string) => ({ arch: archOf(id), tensors: null });

/** A machine from its `pc=` text; fails the test with the parser's message when refused. */
export function spec(text: string): MachineSpec {
  const r = parseMachine(text, gpus);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.spec;
}

export { CUDA_F16 } from "../../helpers/calc-states.ts";
