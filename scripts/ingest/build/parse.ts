/**
 * Stage 2, parse: each file of a folder or bare raw input through the parser of its tool (logs
 * above STREAM_ABOVE streamed line by line), every file kept verbatim, the folder's run.json read
 * as its declared run, and what no parser recognised listed for the summary.
 */
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { RunInputSchema } from "../../../src/schemas/run.ts";
import { type RawFacts, parseRaw } from "../detect.ts";
import { IngestError } from "../errors.ts";
import { MAX_TEXT_BYTES, readText, type InputFile } from "../files.ts";
import { normaliseRunJson, parseJsonText } from "../json-input.ts";
import { runOnStream } from "../parsers/common.ts";
import { createLlamaCppParser } from "../parsers/llama-cpp.ts";
import { parseMemprobe } from "../parsers/memprobe.ts";
import { createOllamaParser } from "../parsers/ollama.ts";
import { aggregate, zodErrors } from "../zod-errors.ts";
import { addRaw, MAX_RUN_JSON_BYTES } from "./collect.ts";
import type { ParsedFile, RunDraft } from "./types.ts";

/** Logs above this are parsed streamed, line by line. */
export const STREAM_ABOVE = 8 * 1024 * 1024;

async function parseFile(f: InputFile): Promise<ParsedFile> {
  // write-ups (README.md) quote log lines but are not outputs
  if (f.binary || /\.(md|markdown|html?)$/i.test(f.rel)) return { file: f };
  const tool = f.tool;
  if (!tool) return { file: f };
  if (tool === "run-json" || tool === "case-json") {
    const text = await readText(f, MAX_RUN_JSON_BYTES);
    return { file: f, tool, json: normaliseRunJson(parseJsonText(text, f.rel), f.rel) };
  }
  if ((tool === "llama.cpp" || tool === "ollama") && f.size > STREAM_ABOVE) {
    const stream = createReadStream(f.abs, { highWaterMark: 1 << 20 });
    const parser = tool === "llama.cpp" ? createLlamaCppParser() : createOllamaParser();
    const r = await runOnStream<RawFacts>(parser as never, stream);
    return { file: f, tool, facts: r.facts };
  }
  const text = await readText(f, MAX_TEXT_BYTES);
  const facts = parseRaw(tool, text);
  const p: ParsedFile = { file: f, tool, facts };
  if (tool === "llama.cpp" && text.includes("memprobe:")) p.memprobeInLog = parseMemprobe(text);
  return p;
}

/** A folder's run.json: declared metadata in the run schema. */
function readFolderRunJson(d: RunDraft, runJson: ParsedFile): void {
  const where = `${d.unit.label}/run.json`;
  if (runJson.tool !== "run-json")
    throw new IngestError("run.json is not a JSON object", { file: where, expected: "run metadata in the run schema" });
  const r = RunInputSchema.safeParse(runJson.json);
  if (!r.success) throw aggregate(zodErrors(r.error, where, runJson.json));
  d.input = r.data;
  d.inputFile = where;
}

/** One summary line naming the non-empty files no parser recognised (by name, with counts). */
function noteUnparsed(d: RunDraft, parsed: ParsedFile[]): void {
  const unparsed = new Map<string, number>();
  for (const p of parsed)
    if (!p.facts && p.json === undefined && p.file.size > 0) {
      const name = basename(p.file.rel);
      unparsed.set(name, (unparsed.get(name) ?? 0) + 1);
    }
  if (unparsed.size)
    d.info.push(
      `kept verbatim, not parsed (no known tool output): ${[...unparsed].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n)).join(", ")}`,
    );
}

/** Stage 2: parse the files of a folder or raw unit; each is kept verbatim. */
export async function parse(d: RunDraft, files: InputFile[]): Promise<ParsedFile[]> {
  const parsed: ParsedFile[] = [];
  for (const f of files) {
    if (f.size === 0) {
      if (d.unit.kind === "folder") d.info.push(`${f.rel}: empty, kept verbatim`);
      parsed.push({ file: f });
      continue;
    }
    parsed.push(await parseFile(f));
  }
  for (const p of parsed) addRaw(d, p.file, p.facts || p.json !== undefined ? p.tool : undefined);
  const runJson = parsed.find((p) => p.file.rel === "run.json");
  if (runJson) readFolderRunJson(d, runJson);
  noteUnparsed(d, parsed);
  return parsed;
}
