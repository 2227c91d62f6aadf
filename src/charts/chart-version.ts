/**
 * The version part of every run-chart cache key: a hash of the chart code and the installed Plot
 * version, computed once per build (Vite-only: `?raw` imports of the sources).
 */
import mvcSource from "./measured-vs-calculated.ts?raw";
import residualSource from "./residuals.ts?raw";
import renderSource from "./render.ts?raw";
import vdomSource from "./virtual-dom.ts?raw";
import chartsSource from "./run-charts.ts?raw";
import { chartKey, packageVersion } from "./chart-cache.ts";

export const RUN_CHARTS_VERSION = chartKey(`plot ${packageVersion("@observablehq/plot")}`, [
  mvcSource,
  residualSource,
  renderSource,
  vdomSource,
  chartsSource,
]);
