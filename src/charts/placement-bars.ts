/**
 * Where every byte goes, as bars: for each configuration, two horizontal bars — what llama.cpp
 * printed and what the placement engine says — each stacked by buffer (CUDA0, CUDA_Host, CPU,
 * CPU_Mapped). Pure: `(rows, options) => Plot options`, rendered at build time by PlotFigure.
 */
import * as Plot from "@observablehq/plot";
import type { PlotOptions } from "@observablehq/plot";
import { MiB } from "../lib/units.ts";

export interface PlacementBarRow {
  /** Configuration (point id). */
  config: string;
  /** llama.cpp buffer name. */
  buffer: string;
  /** Bytes llama.cpp printed for the buffer (all kinds); null when it printed none. */
  measured: number | null;
  /** The engine's bytes for the buffer; null when it places none there or cannot compute. */
  calculated: number | null;
}

export interface PlacementBarOptions {
  width?: number;
}

const SIDE = { measured: "llama.cpp", calculated: "engine" } as const;

export function placementBarsChart(
  rows: readonly PlacementBarRow[],
  { width = 640 }: PlacementBarOptions = {},
): PlotOptions {
  const data = rows.flatMap((r) =>
    (["measured", "calculated"] as const)
      .filter((k) => r[k] !== null)
      .map((k) => ({ config: r.config, buffer: r.buffer, side: SIDE[k], mib: (r[k] as number) / MiB })),
  );
  const configs = [...new Set(rows.map((r) => r.config))];
  // buffers in the order the rows give them (devices first), the same segment order in every bar
  const buffers = [...new Set(rows.map((r) => r.buffer))];
  return {
    width,
    height: 40 + configs.length * 56,
    marginLeft: 70,
    marginRight: 110,
    x: { label: "MiB (2²⁰ bytes), all buffers of the configuration", grid: true },
    y: { label: null, domain: [SIDE.measured, SIDE.calculated] },
    fy: { label: null, domain: configs },
    color: { type: "ordinal", domain: buffers, legend: buffers.length > 0, label: "buffer" },
    marks: [
      Plot.barX(data, Plot.stackX({ x: "mib", y: "side", fy: "config", fill: "buffer", order: buffers })),
      Plot.ruleX([0]),
    ],
  };
}
