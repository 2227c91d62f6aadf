/**
 * Measured points on the chart: the runs (catalog's and the user's) that match the model, each
 * drawn in the colour of its KV configuration's line.
 */
import type { Architecture } from "../../../schemas/architecture.ts";
import type { MeasuredMark } from "../../../charts/memory-vs-context.ts";
import type { MeasuredRunOption } from "../catalog.ts";
import { geometry, measuredMarks, runMatches } from "../measured.ts";
import { GREY } from "./curves.ts";
import type { MaxRow, ModelInfo, StaticView } from "./types.ts";

export interface MeasuredView {
  measured: MeasuredMark[];
  measuredRuns: StaticView["measuredRuns"];
  measuredSkipped: string[];
}

export function measuredView(
  runs: readonly MeasuredRunOption[],
  model: ModelInfo,
  arch: Architecture,
  chartPool: "device" | "total",
  maxTable: readonly MaxRow[],
): MeasuredView {
  const colourOf = (key: string) => maxTable.find((r) => r.key === key && !r.error)?.colour ?? GREY;
  // computed for the first run only: a model without runs (most) costs no breakdown here
  let geo: ReturnType<typeof geometry> | undefined;
  const out: MeasuredView = { measured: [], measuredRuns: [], measuredSkipped: [] };
  for (const run of runs) {
    const runArch = run.architecture;
    if (geo === undefined) geo = geometry(arch);
    if (!runMatches(run, model.source === "catalog" ? model.id : null, geo, runArch)) continue;
    const { marks, skipped } = measuredMarks({ run, arch: runArch ?? arch, chartPool, colourOf });
    out.measured.push(...marks);
    out.measuredSkipped.push(...skipped);
    out.measuredRuns.push({ id: run.id, title: run.title, points: marks.length });
  }
  return out;
}
