/** Every bench measure, in the order they run. Each issue adds its own here. */
import type { Measure } from "../measure.ts";
import { engineBreakdown, engineMaxContext, engineMaxContextCold } from "./engine.ts";
import { modelsTableSolve } from "./models-table.ts";
import { modelsTableMachine } from "./models-machine.ts";
import { fitSolve } from "./fit.ts";
import { controlInteractions } from "./controls.ts";
import { modelsTableFrame } from "./models-frame.ts";
import { ggufHeaderRead } from "./gguf-header.ts";
import { ingestLogMeasure, ingestLogRssMeasure, ingestManyFilesRssMeasure, ingestRunFilesMeasure } from "./ingest.ts";
import { sliderInteraction } from "./interaction.ts";
import { pageJsBytes } from "./pages.ts";
import { siteBuildMeasure } from "./site-build.ts";

export const MEASURES: Measure[] = [
  engineBreakdown,
  engineMaxContext,
  engineMaxContextCold,
  modelsTableSolve,
  modelsTableMachine,
  // issue 15: the fit solver on a large dense model over two GPUs
  fitSolve,
  ggufHeaderRead,
  // issue 5: ingest at scale (full sizes; --quick runs the reduced variants)
  ingestRunFilesMeasure(1000, { quick: false, full: true }),
  ingestRunFilesMeasure(100, { quick: true, full: false }),
  ingestLogMeasure(200, "repeated", { quick: false, full: true }),
  ingestLogMeasure(200, "server", { quick: false, full: true }),
  ingestLogMeasure(20, "repeated", { quick: true, full: false }),
  // issue 13: a whole ingest's peak RSS does not grow with input size or file count
  ingestLogRssMeasure(2000, { quick: false, full: true }),
  ingestManyFilesRssMeasure(20_000, { quick: false, full: true }),
  ingestLogRssMeasure(100, { quick: true, full: false }),
  ingestManyFilesRssMeasure(1000, { quick: true, full: false }),
  // issue 9: the site build as the runs grow (cold = first build; warm = the same build again)
  siteBuildMeasure(0, { quick: true, full: true, repeats: { full: 3, quick: 1 }, warm: true }),
  siteBuildMeasure(1000, { quick: false, full: true, repeats: { full: 2, quick: 1 }, warm: true }),
  siteBuildMeasure(10_000, { quick: false, full: true, repeats: { full: 1, quick: 1 }, warm: true }),
  // issues 6, 7: what the built pages ship, and how fast the calculator answers
  pageJsBytes,
  sliderInteraction,
  // issue 14: every control, normal and at 4× CPU throttling (with the throttled time to interactive)
  controlInteractions(1),
  controlInteractions(4),
  // issue 14: the /models/ live table as a browser frame, normal and at 4× CPU throttling
  modelsTableFrame(1),
  modelsTableFrame(4),
];
