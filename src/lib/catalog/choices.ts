/**
 * The budgets the /models table can be read against: each is a static page (no client JS), the
 * first one is /models/ itself. A choice names a budget of data/budgets, the hardware it applies
 * to where the budget takes its total from a machine, and the backend whose rules apply.
 */
import type { Backend } from "../../schemas/runtime-config.ts";

export interface BudgetChoice {
  /** URL segment: /models/budget/<id>/. */
  id: string;
  label: string;
  budget: string;
  hardware: string | null;
  backend: Backend;
}

export const BUDGET_CHOICES: readonly BudgetChoice[] = [
  {
    id: "mac-32gb-as-reported",
    label: "32 GB Mac (as reported)",
    budget: "seed-32gb-mac-m4-max",
    hardware: null,
    backend: "metal",
  },
  {
    id: "m3-max-36gb-as-reported",
    label: "36 GB M3 Max (as reported)",
    budget: "seed-36gb-m3-max",
    hardware: null,
    backend: "metal",
  },
  {
    id: "m4-max-128gb",
    label: "M4 Max 128 GB (Metal working set)",
    budget: "apple-metal-default",
    hardware: "apple-m4-max-128gb",
    backend: "metal",
  },
  { id: "rtx-4090", label: "RTX 4090 24 GB", budget: "generic-gpu", hardware: "nvidia-rtx-4090", backend: "cuda" },
  { id: "h100-80gb", label: "H100 80 GB", budget: "generic-gpu", hardware: "nvidia-h100-sxm-80gb", backend: "cuda" },
];

export const DEFAULT_CHOICE = BUDGET_CHOICES[0];

/** Site path of a choice's table (the default lives at /models/). */
export function choicePath(c: BudgetChoice): string {
  return c === DEFAULT_CHOICE ? "/models/" : `/models/budget/${c.id}/`;
}
