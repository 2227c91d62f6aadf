/**
 * The types the ingest build stages share: the input unit, what a built run stores, and the typed
 * draft every stage (collect → parse → points → metadata → finalise) reads and extends.
 */
import type { Architecture } from "../../../src/schemas/architecture.ts";
import type { Run, RunInput, SourceTool } from "../../../src/schemas/run.ts";
import type { RawFacts, Tool } from "../detect.ts";
import type { InputFile } from "../files.ts";
import type { MemprobeFacts } from "../parsers/memprobe.ts";
import type { PointDraft } from "../points/draft.ts";
import type { RunFacts } from "./run-facts.ts";

export type Unit =
  | { kind: "run-json"; label: string; file: InputFile }
  | { kind: "folder"; label: string; root: string; files: InputFile[] }
  | { kind: "raw"; label: string; file: InputFile };

export interface RawToStore {
  abs: string;
  /** Destination relative to data/raw/<id>/. */
  dest: string;
  gzip: boolean;
}

export interface SourceToStore {
  /** File name under data/sources/. */
  name: string;
  abs: string;
}

export interface BuiltRun {
  run: Run;
  raw: RawToStore[];
  sources: SourceToStore[];
  /** Informational lines for the summary (not stored). */
  info: string[];
  label: string;
}

export interface BuildOptions {
  /** Parsed `--meta` file and where it was read from. */
  meta?: { input: RunInput; file: InputFile };
  /** Keep this id (reparse). */
  forceId?: string;
  gzipAbove?: number;
}

/** The catalog as ingest needs it: model presets (architecture) and hardware ids. */
export interface CatalogLookup {
  /** The preset's architecture, `undefined` if it has none usable, `"missing"` if no such preset. */
  model(id: string): Architecture | undefined | "missing";
  /** Whether a hardware preset exists (`undefined`: no hardware catalog to check against). */
  hardware(id: string): boolean | undefined;
}

/** One input file after the parse stage. */
export interface ParsedFile {
  file: InputFile;
  tool?: Tool;
  facts?: RawFacts;
  json?: unknown;
  memprobeInLog?: MemprobeFacts;
}

export type RawFileEntry = Run["provenance"]["raw_files"][number];

/** The run document under construction: the run-input fields (points are kept apart). */
export type RunDoc = Omit<RunInput, "points">;

/** Everything the stages gather about one input unit before the run document is assembled. */
export interface RunDraft {
  unit: Unit;
  opts: BuildOptions;
  gzipAbove: number;
  /** Informational lines for the summary. */
  info: string[];
  /** Run-level facts from the raw outputs (first value wins). */
  facts: RunFacts;
  tools: Set<SourceTool>;
  raw: RawToStore[];
  sources: SourceToStore[];
  rawFiles: RawFileEntry[];
  /** What the content hash covers (file names + hashes, sorted at the end). */
  hashParts: string[];
  /** Declared metadata: run JSON or the folder's run.json. */
  input: RunInput;
  /** The file declared metadata came from (named in warnings and errors). */
  inputFile: string;
  drafts: PointDraft[];
  /** Run fields filled from the raw outputs rather than declared. */
  inferred: string[];
}
