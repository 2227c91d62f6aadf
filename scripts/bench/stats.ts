/** Summary statistics of repeated measurements; pure so a unit test can check the arithmetic. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  mean: number;
  /** Median absolute deviation relative to the median: the noise figure reported beside each result. */
  relMad: number;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) throw new Error("quantile of no samples");
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error("summarize needs at least one sample");
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const deviations = sorted.map((x) => Math.abs(x - median)).sort((a, b) => a - b);
  const mad = quantile(deviations, 0.5);
  return {
    n: sorted.length,
    median,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    relMad: median === 0 ? 0 : mad / Math.abs(median),
  };
}

export type Comparison = "<=" | ">=";

/** Whether a figure meets its budget, and by how much it misses (as a ratio of the budget). */
export function checkBudget(value: number, budget: number, cmp: Comparison): { ok: boolean; missBy: number } {
  const ok = cmp === "<=" ? value <= budget : value >= budget;
  const missBy = ok ? 0 : cmp === "<=" ? (value - budget) / budget : (budget - value) / budget;
  return { ok, missBy };
}
