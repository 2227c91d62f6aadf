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
  /** Part of the full run (default true); false for the reduced variants that only `--quick` runs. */
  full?: boolean;
  /** The figures; a function when they depend on what setup found (e.g. one row per built page). */
  figures: Figure[] | ((ctx: MeasureContext) => Figure[]);
  repeats: { full: number; quick: number };
  warmup?: number;
  /** A reason not to run here (e.g. nothing built to measure); checked before setup. */
  skip?: (ctx: MeasureContext) => string | undefined;
  setup?: (ctx: MeasureContext) => Promise<void> | void;
  sample: (ctx: MeasureContext) => Promise<Record<string, number>> | Record<string, number>;
  /** Extra machine-readable detail for bench-results.json (e.g. per-page file lists). */
  details?: (ctx: MeasureContext) => unknown;
  teardown?: (ctx: MeasureContext) => Promise<void> | void;
}

export interface MeasureContext {
  quick: boolean;
  /** A scratch folder for this measure, removed afterwards. */
  tmpDir: string;
  state: Record<string, unknown>;
}
