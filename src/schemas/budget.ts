import { z } from "zod";

/**
 * Memory budgets as data (data/budgets/<id>.json): a total minus itemised reservations, kept in
 * the unit they were stated in so the original arithmetic stays visible. Items that the engine
 * models with its own terms (compute buffers, runtime/driver overhead) are marked and are NOT
 * subtracted again when the budget is used; they are shown for provenance only.
 *
 * Usable budget = min(total − Σ kept items, Metal working-set limit) (src/lib/catalog/budget.ts).
 */

const uint = z.number().int().nonnegative();
const slug = z.string().regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, "expected a lower-case slug");

/** An amount as a source stated it. `bytes` = amount × unit (units.ts: GB = 10⁹, GiB = 2³⁰). */
export const StatedAmountSchema = z.strictObject({
  amount: z.number().nonnegative(),
  /** B, KiB, MiB, GiB, KB, MB, GB (as in src/lib/units.ts). */
  unit: z.string().min(1),
  bytes: uint,
  /** The source wrote "~" / "≈" or the arithmetic does not add up exactly. */
  approximate: z.boolean(),
});
export type StatedAmount = z.infer<typeof StatedAmountSchema>;

/** The engine terms that replace a budget item in the calculation. */
export const EngineTermSchema = z.enum(["compute", "runtime-overhead"]);
export type EngineTerm = z.infer<typeof EngineTermSchema>;

export const BudgetItemSchema = z.strictObject({
  /** As the source names it: "OS", "Metal driver", "Ollama overhead", "activations". */
  label: z.string().min(1),
  kind: z.enum(["os", "display", "gpu-driver", "runtime", "activations", "other"]),
  /** The stated amount, or null when the source names the item without a number. */
  stated: StatedAmountSchema.nullable(),
  /** Our placeholder (not the source's) when the amount is a default the user should edit. */
  estimated: z.boolean(),
  /** Engine term that replaces this item; null = a reservation the engine keeps subtracting. */
  replacedByEngine: EngineTermSchema.nullable(),
  note: z.string().nullable(),
});
export type BudgetItem = z.infer<typeof BudgetItemSchema>;

export const BudgetSchema = z.strictObject({
  /** Equals the file name without `.json`. */
  id: slug,
  name: z.string().min(1),
  /** Hardware entry (data/hardware) this budget is about; null = any / none matches. */
  hardwareId: slug.nullable(),
  /** Stated total memory; null = the chosen hardware's memory (usable VRAM where measured). */
  total: StatedAmountSchema.nullable(),
  items: z.array(BudgetItemSchema),
  /** The source's own result ("27GB available"), null for templates. */
  statedAvailable: StatedAmountSchema.nullable(),
  source: z.string().min(1),
  /** The source's words, verbatim, when short. */
  quote: z.string().nullable(),
  notes: z.string().nullable(),
});
export type Budget = z.infer<typeof BudgetSchema>;
