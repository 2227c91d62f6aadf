/**
 * The version part of every run-chart cache key: a hash of the chart code and the installed
 * versions of Plot and of the d3 modules the SVG writer calls, computed once per build (Vite-only:
 * `?raw` imports of the sources).
 */
import mvcSource from "./measured-vs-calculated.ts?raw";
import residualSource from "./residuals.ts?raw";
import renderSource from "./render.ts?raw";
import vdomSource from "./virtual-dom.ts?raw";
import chartsSource from "./run-charts.ts?raw";
import svgSource from "./run-chart-svg.ts?raw";
import { chartKey, packageVersion } from "./chart-cache.ts";

const PACKAGES = ["@observablehq/plot", "d3-path", "d3-scale", "d3-shape"];

export const RUN_CHARTS_VERSION = chartKey(PACKAGES.map((p) => `${p} ${packageVersion(p)}`).join(" "), [
  mvcSource,
  residualSource,
  renderSource,
  vdomSource,
  chartsSource,
  svgSource,
]);
