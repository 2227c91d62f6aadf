/**
 * The heavy part of a run page as one string: for each engine profile the run was compared with,
 * the points table and the charts of measured against calculated. Built from plain data (the
 * run, its cross-check and its architecture), so worker threads build it while the main thread
 * renders other pages (run-body-pool.ts): the engine's figures per point, the table and the Plot
 * charts are most of a run page's cost and need nothing from Astro.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Run } from "../../schemas/run.ts";
import type { RunCheck } from "../../lib/runs/crosscheck.ts";
import { runViews, type RunView } from "../../lib/runs/run-view.ts";
import { sharedArchitecture } from "../../lib/runs/run-architecture.ts";
import { escapeAttr, escapeText } from "../../lib/html.ts";
import { renderPlotToString } from "../../charts/render.ts";
import { runChartInputs, runChartsMarkup } from "../../charts/run-charts.ts";
import { pointsTableHtml } from "./points-table-html.ts";

export interface RunBodyJob {
  run: Run;
  check: RunCheck;
  arch: Architecture | { error: string };
}

const profileName = (v: RunView) => (v.profile ? `${v.profile.name} ${v.profile.revision}` : "no engine profile");

/** One profile's section: heading, table, heading, charts (ids unique when there are several). */
function viewSection(job: RunBodyJob, v: RunView, several: boolean): string {
  const suffix = several ? `-${v.profile?.revision ?? "none"}` : "";
  const charts = runChartsMarkup(runChartInputs(v, job.run.title), renderPlotToString);
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
  // a worker receives its own copy of the architecture with every job: one object per model again
  const views = runViews(job.run, job.check, sharedArchitecture(job.arch));
  return views.map((v) => viewSection(job, v, views.length > 1)).join("");
}
