/** What a bench measure declares: its figures (with units and budgets) and how to take one sample. */
import type { Comparison } from "./stats.ts";

export interface Figure {
  key: string;
  unit: string;
  /** The goal this figure is held to, if any (e.g. ≤ 60 s). */
  budget?: { value: number; cmp: Comparison; source: string };
}

export interface Measure {
  name: string;
  /** Part of `--quick` (the reduced set that runs in under a minute). */
  quick: boolean;
  figures: Figure[];
  repeats: { full: number; quick: number };
  warmup?: number;
  setup?: (ctx: MeasureContext) => Promise<void> | void;
  sample: (ctx: MeasureContext) => Promise<Record<string, number>> | Record<string, number>;
  teardown?: (ctx: MeasureContext) => Promise<void> | void;
}

export interface MeasureContext {
  quick: boolean;
  /** A scratch folder for this measure, removed afterwards. */
  tmpDir: string;
  state: Record<string, unknown>;
}
