/** Every bench measure, in the order they run. Each issue adds its own here. */
import type { Measure } from "../measure.ts";
import { engineBreakdown, engineMaxContext } from "./engine.ts";
import { ggufHeaderRead } from "./gguf-header.ts";
import { ingestLogMeasure, ingestRunFilesMeasure } from "./ingest.ts";
import { siteBuild } from "./site-build.ts";

export const MEASURES: Measure[] = [
  engineBreakdown,
  engineMaxContext,
  ggufHeaderRead,
  // issue 5: ingest at scale (full sizes; --quick runs the reduced variants)
  ingestRunFilesMeasure(1000, { quick: false, full: true }),
  ingestRunFilesMeasure(100, { quick: true, full: false }),
  ingestLogMeasure(200, "repeated", { quick: false, full: true }),
  ingestLogMeasure(200, "server", { quick: false, full: true }),
  ingestLogMeasure(20, "repeated", { quick: true, full: false }),
  siteBuild,
];
