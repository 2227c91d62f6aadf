/**
 * The heavy part of a run page as one string: for each engine profile the run was compared with,
 * the points table and the charts of measured against calculated. Built from plain data (the
 * run, its cross-check and its architecture), so worker threads build it while the main thread
 * renders other pages (run-body-pool.ts): the engine's figures per point, the table and the Plot
 * charts are most of a run page's cost and need nothing from Astro.
 *
 * Charts are reused from the chart cache (src/charts/chart-cache.ts) by the hash of their inputs
 * and `chartsVersion` (the chart code's hash, which only the Vite build can compute).
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Run } from "../../schemas/run.ts";
import type { RunCheck } from "../../lib/runs/crosscheck.ts";
import { runViews, type RunView } from "../../lib/runs/run-view.ts";
import { escapeAttr, escapeText } from "../../lib/html.ts";
import { cachedMarkup, chartKey } from "../../charts/chart-cache.ts";
import { renderPlotToString } from "../../charts/render.ts";
import { runChartInputs, runChartsMarkup, type RunChartInputs } from "../../charts/run-charts.ts";
import { pointsTableHtml } from "./points-table-html.ts";

export interface RunBodyJob {
  run: Run;
  check: RunCheck;
  arch: Architecture | { error: string };
  /** Part of every chart cache key (src/charts/chart-version.ts). */
  chartsVersion: string;
  /** The chart cache folder, or null for none (src/charts/chart-cache.ts chartCacheDir). */
  chartCacheDir: string | null;
}

const profileName = (v: RunView) => (v.profile ? `${v.profile.name} ${v.profile.revision}` : "no engine profile");

const drawInline = (inputs: RunChartInputs) => runChartsMarkup(inputs, renderPlotToString);

/** One profile's section: heading, table, heading, charts (ids unique when there are several). */
function viewSection(job: RunBodyJob, v: RunView, several: boolean): string {
  const suffix = several ? `-${v.profile?.revision ?? "none"}` : "";
  const inputs = runChartInputs(v, job.run.title);
  const charts = cachedMarkup(chartKey(job.chartsVersion, inputs), () => drawInline(inputs), job.chartCacheDir);
  return (
    `<h2 id="${escapeAttr(`points${suffix}`)}">Points${several ? escapeText(` — engine rules ${profileName(v)}`) : ""}</h2>` +
    `<p class="small muted">Calculated with the engine's ${escapeText(profileName(v))} rules, with each point's own configuration.</p>` +
    pointsTableHtml(v) +
    `<h2 id="${escapeAttr(`charts${suffix}`)}">Measured against calculated</h2>` +
    charts
  );
}

/** Every profile's points table and charts, in the order the page shows them. */
export function runBodyMarkup(job: RunBodyJob): string {
  const views = runViews(job.run, job.check, job.arch);
  return views.map((v) => viewSection(job, v, views.length > 1)).join("");
}
