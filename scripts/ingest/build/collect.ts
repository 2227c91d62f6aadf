/**
 * Stage 1, collect: start the draft for one input unit, read a run JSON's declared run, refuse a
 * bare raw output no parser can read, and record every input file to keep verbatim.
 */
import { RunInputSchema } from "../../../src/schemas/run.ts";
import type { Tool } from "../detect.ts";
import { IngestError } from "../errors.ts";
import { readText, type InputFile } from "../files.ts";
import { normaliseRunJson, parseJsonText } from "../json-input.ts";
import { aggregate, zodErrors } from "../zod-errors.ts";
import { RunFacts } from "./run-facts.ts";
import type { BuildOptions, RawFileEntry, RunDraft, Unit } from "./types.ts";

/** Raw files above this many bytes are stored gzipped. */
export const RAW_GZIP_ABOVE = 1024 * 1024;
/** Run JSON inputs are read whole up to this size. */
export const MAX_RUN_JSON_BYTES = 16 * 1024 * 1024;

export function newRunDraft(unit: Unit, opts: BuildOptions): RunDraft {
  return {
    unit,
    opts,
    gzipAbove: opts.gzipAbove ?? RAW_GZIP_ABOVE,
    info: [],
    facts: new RunFacts(),
    tools: new Set(),
    raw: [],
    sources: [],
    rawFiles: [],
    hashParts: [unit.kind],
    input: {},
    inputFile: unit.label,
    drafts: [],
    inferred: [],
  };
}

/** Where a raw file is stored under data/raw/<id>/ (`.gz` above the gzip threshold). */
export function destOf(d: RunDraft, f: InputFile): string {
  return f.size > d.gzipAbove ? `${f.rel}.gz` : f.rel;
}

/** Keep a file verbatim: stored, listed in provenance, and part of the content hash. */
export function addRaw(d: RunDraft, f: InputFile, tool?: Tool): void {
  const gzip = f.size > d.gzipAbove;
  d.raw.push({ abs: f.abs, dest: destOf(d, f), gzip });
  const entry: RawFileEntry = { path: destOf(d, f), original: f.rel, sha256: f.sha256, bytes: f.size, gzipped: gzip };
  if (tool) entry.tool = tool;
  d.rawFiles.push(entry);
  d.hashParts.push(`${f.rel}\0${f.sha256}`);
}

/** A run JSON input: the declared run, which must have points. */
async function collectRunJson(d: RunDraft, f: InputFile): Promise<void> {
  const doc = normaliseRunJson(parseJsonText(await readText(f, MAX_RUN_JSON_BYTES), f.rel), f.rel);
  const r = RunInputSchema.safeParse(doc);
  if (!r.success) throw aggregate(zodErrors(r.error, f.rel, doc));
  d.input = r.data;
  d.hashParts.push(`${f.rel}\0${f.sha256}`);
  d.sources.push({ name: "", abs: f.abs });
  if (!d.input.points?.length)
    throw new IngestError("run JSON has no points", {
      file: f.rel,
      path: "points",
      expected: "at least one point (or a run folder with raw outputs)",
    });
}

/** A bare raw output must be text some parser recognises. */
function checkRawFile(f: InputFile): void {
  if (f.size === 0) throw new IngestError("empty file", { file: f.rel, expected: "a raw output of a supported tool" });
  if (f.binary)
    throw new IngestError("binary data, not a text output", { file: f.rel, expected: "a text log or tool output" });
  if (!f.tool)
    throw new IngestError("cannot tell which tool wrote this output", {
      file: f.rel,
      expected: `output of llama.cpp/llama-server, Ollama, ollama ps, llama-bench, footprint, vmmap, /usr/bin/time -l or -v, or nvidia-smi CSV`,
    });
}

/** Stage 1: the draft of one unit, with its declared run (run JSON) or its checked raw input. */
export async function collect(unit: Unit, opts: BuildOptions): Promise<RunDraft> {
  const d = newRunDraft(unit, opts);
  if (unit.kind === "run-json") await collectRunJson(d, unit.file);
  else if (unit.kind === "raw") checkRawFile(unit.file);
  return d;
}
