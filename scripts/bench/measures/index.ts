/** Every bench measure, in the order they run. Each issue adds its own here. */
import type { Measure } from "../measure.ts";
import { siteBuild } from "./site-build.ts";

export const MEASURES: Measure[] = [siteBuild];
