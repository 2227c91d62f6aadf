/**
 * Stage 5, finalise: the unknowns a reader should see, the catalog references checked, the
 * measurement block, id, title and provenance, and the whole document validated by RunSchema.
 */
import { createHash } from "node:crypto";
import { RunSchema, type Point, type SourceTool } from "../../../src/schemas/run.ts";
import { MiB } from "../../../src/lib/units.ts";
import { IngestError } from "../errors.ts";
import { aggregate, zodErrors } from "../zod-errors.ts";
import { destOf } from "./collect.ts";
import { defaultId, defaultTitle } from "./ids.ts";
import { valueAtPath } from "./metadata.ts";
import type { BuiltRun, CatalogLookup, RunDoc, RunDraft } from "./types.ts";

/** Raise when parsers extract something new: `--reparse` then rebuilds older runs. */
export const PARSER_VERSION = 3;

/** Fields a reader should know are unknown when absent. */
const SHOWN_UNKNOWN = [
  "date",
  "hardware.preset",
  "hardware.total_memory_bytes",
  "runtime.profile",
  "runtime.backend",
  "model.preset",
  "model.ftype",
  "model.weights_bytes",
];

/** Model and hardware presets the run names must exist in the catalog. */
function checkPresets(d: RunDraft, doc: RunDoc, catalog: CatalogLookup): void {
  const preset = doc.model?.preset;
  if (preset && catalog.model(preset) === "missing")
    throw new IngestError("unknown model preset", {
      file: d.inputFile,
      path: "model.preset",
      value: preset,
      expected: "an id of data/models/<id>.json",
    });
  const hwPreset = doc.hardware?.preset;
  if (hwPreset && catalog.hardware(hwPreset) === false)
    throw new IngestError("unknown hardware preset", {
      file: d.inputFile,
      path: "hardware.preset",
      value: hwPreset,
      expected: "an id in data/hardware/*.json",
    });
}

/** The measurement block: every tool used, and the idle GPU baseline unless declared. */
function measurement(d: RunDraft, doc: RunDoc): NonNullable<RunDoc["measurement"]> {
  const ms = (doc.measurement ??= {});
  ms.tools = [...new Set<SourceTool>([...(ms.tools ?? []), ...d.tools])].sort();
  const ib = d.facts.get("measurement.idle_gpu_baseline");
  if (ib && !ms.idle_gpu_baseline) {
    ms.idle_gpu_baseline = {
      bytes: ib.bytes,
      source: { tool: "nvidia-smi", ...(ib.file ? { file: destOf(d, ib.file) } : {}), detail: ib.what },
      resolution_bytes: MiB,
    };
    d.inferred.push("measurement.idle_gpu_baseline");
  }
  return ms;
}

/** Stage 5: the validated run and what to store with it. */
export function finalise(d: RunDraft, doc: RunDoc, points: Point[], catalog: CatalogLookup): BuiltRun {
  const unknownPaths = SHOWN_UNKNOWN.filter((path) => valueAtPath(doc, path) === undefined);
  checkPresets(d, doc, catalog);
  const ms = measurement(d, doc);
  const date = doc.date;
  const title = doc.title ?? defaultTitle(doc);
  const contentHash = createHash("sha256").update(d.hashParts.sort().join("\n")).digest("hex");
  const id = d.opts.forceId ?? doc.id ?? defaultId(doc, date, contentHash);
  if (d.unit.kind === "run-json") d.sources[0].name = `${id}.json`;
  if (d.opts.meta) d.sources.push({ name: `${id}.meta.json`, abs: d.opts.meta.file.abs });
  const run = {
    $schema: "../schema/run.schema.json",
    schema_version: 1,
    ...doc,
    id,
    title,
    measurement: ms,
    points,
    inferred: [...new Set(d.inferred)].sort(),
    unknown: unknownPaths,
    provenance: {
      input_kind: d.unit.kind,
      content_hash: contentHash,
      parser_version: PARSER_VERSION,
      sources: d.sources.map((s) => `data/sources/${s.name}`),
      raw_files: d.rawFiles.sort((a, b) => a.path.localeCompare(b.path)),
    },
    warnings: d.facts.warnings,
  };
  const v = RunSchema.safeParse(run);
  if (!v.success) throw aggregate(zodErrors(v.error, d.inputFile, run));
  return { run: v.data, raw: d.raw, sources: d.sources, info: d.info, label: d.unit.label };
}
