/**
 * Input unit (run JSON, run/measurement folder, bare raw output) → a validated Run plus the
 * files to store. Nothing here writes to the data dir: the whole invocation is built and
 * validated first, and only then committed (store.ts).
 *
 * Typed stages over one RunDraft (build/types.ts): collect (build/collect.ts) → parse
 * (build/parse.ts) → points (build/cases.ts) → metadata (build/metadata.ts) → finalise
 * (build/run-points.ts, build/finalise.ts).
 *
 * Measurement-folder layout (what `npm run profile` writes and the H100 run uses):
 *   <root>/run.json                  optional run metadata (RunInputSchema, points optional)
 *   <root>/<case>/…                  one case per subfolder = one point (a log with several main
 *                                    contexts gives several points)
 *   <root>/baseline/                 idle GPU baseline (nvidia-smi CSV) and environment; not a point
 *   <root>/provenance/, smoke_…/     kept verbatim, not points
 *   <root>/<files>                   raw outputs at the top level are grouped by the config their
 *                                    names state (`ctx-32768`, `k-q8_0`, `v-q4_0`, `fa-on`, `np-4`)
 * Which context a raw file belongs to: the log's own `n_ctx` line, else its name (documented in
 * the methodology page).
 */
import { collect } from "./build/collect.ts";
import { points } from "./build/cases.ts";
import { finalise } from "./build/finalise.ts";
import { metadata } from "./build/metadata.ts";
import { parse } from "./build/parse.ts";
import { runPoints } from "./build/run-points.ts";
import type { BuildOptions, BuiltRun, CatalogLookup, Unit } from "./build/types.ts";

export type { BuildOptions, BuiltRun, CatalogLookup, RawToStore, SourceToStore, Unit } from "./build/types.ts";

/** Build one Run from one input unit. Throws IngestError (possibly aggregated) on invalid input. */
export async function buildRun(unit: Unit, opts: BuildOptions, catalog: CatalogLookup): Promise<BuiltRun> {
  const draft = await collect(unit, opts);
  if (unit.kind !== "run-json") points(draft, await parse(draft, unit.kind === "folder" ? unit.files : [unit.file]));
  const { doc, declared } = metadata(draft);
  return finalise(draft, doc, runPoints(draft, declared), catalog);
}
