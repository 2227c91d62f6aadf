/** Every bench measure, in the order they run. Each issue adds its own here. */
import type { Measure } from "../measure.ts";
import { engineBreakdown, engineMaxContext } from "./engine.ts";
import { ggufHeaderRead } from "./gguf-header.ts";
import { siteBuild } from "./site-build.ts";

export const MEASURES: Measure[] = [engineBreakdown, engineMaxContext, ggufHeaderRead, siteBuild];
