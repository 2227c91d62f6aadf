/**
 * Samples this process's heap and RSS every few milliseconds from a baseline taken after a
 * garbage collection (when run with --expose-gc), so "flat memory" claims have a number.
 */
export interface MemoryGrowth {
  /** Peak heap used minus the baseline. */
  heapGrowth: number;
  /** Peak RSS minus the baseline. */
  rssGrowth: number;
}

export function startMemorySampler(intervalMs = 5): { stop: () => MemoryGrowth; baseHeap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    baseHeap: base.heapUsed,
    stop: () => {
      clearInterval(timer);
      sample();
      return { heapGrowth: peakHeap - base.heapUsed, rssGrowth: peakRss - base.rss };
    },
  };
}
