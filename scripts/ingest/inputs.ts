/**
 * CLI arguments → input units (standard input, a folder, a run JSON or a raw output), and the
 * `--meta` file; every file is described (hashed, sniffed) once through the spool.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, realpath, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RunInputSchema, type RunInput } from "../../src/schemas/run.ts";
import type { Unit } from "./build.ts";
import { IngestError } from "./errors.ts";
import { describeFile, scanFolder, storableName, type InputFile } from "./files.ts";
import { normaliseRunJson, parseJsonText } from "./json-input.ts";
import type { IngestOptions } from "./outcome.ts";
import type { Spool } from "./read-once.ts";
import { aggregate, zodErrors } from "./zod-errors.ts";

async function stdinToFile(stdin: AsyncIterable<Buffer | string>): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), "cc-ingest-stdin-"));
  const path = join(dir, "stdin");
  await pipeline(Readable.from(stdin), createWriteStream(path));
  return { dir, path };
}

/** One CLI argument → an input unit. */
export async function resolveInput(arg: string, opts: IngestOptions, cleanup: string[], spool: Spool): Promise<Unit> {
  if (arg === "-") {
    if (!opts.stdin) throw new IngestError("standard input is not available", { file: "-" });
    const { dir, path } = await stdinToFile(opts.stdin);
    cleanup.push(dir);
    const f = await describeFile(path, "stdin", { spool });
    return f.tool === "run-json"
      ? { kind: "run-json", label: "stdin", file: f }
      : { kind: "raw", label: "stdin", file: f };
  }
  let st;
  try {
    st = await stat(arg);
  } catch {
    throw new IngestError("no such file or folder", {
      file: arg,
      expected: "a run JSON, a run folder or a raw tool output",
    });
  }
  if (st.isDirectory()) {
    const files = await scanFolder(arg, basename(resolve(arg)), spool);
    if (files.length === 0)
      throw new IngestError("empty folder", { file: arg, expected: "run.json and/or raw outputs" });
    return { kind: "folder", label: basename(resolve(arg)), root: resolve(arg), files };
  }
  if (!st.isFile())
    throw new IngestError("not a regular file (FIFO, socket or device)", { file: arg, expected: "a file or a folder" });
  storableName(basename(arg), dirname(arg));
  // a file named on the command line may be a link; its target is opened without following further
  const f: InputFile = await describeFile(await realpath(arg), basename(arg), { spool, identity: st, label: arg });
  if (f.tool === "run-json") return { kind: "run-json", label: arg, file: f };
  if (f.tool === "case-json")
    throw new IngestError("a case.json alone is not a run", { file: arg, expected: "its measurement folder" });
  return { kind: "raw", label: arg, file: f };
}

export async function readMeta(path: string): Promise<{ input: RunInput; file: InputFile }> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new IngestError("no such file", { file: path, path: "--meta", expected: "a JSON file of run metadata" });
  }
  if (!st.isFile()) throw new IngestError("not a file", { file: path, path: "--meta" });
  const text = await readFile(path, "utf8");
  const doc = normaliseRunJson(parseJsonText(text, path), path);
  const r = RunInputSchema.safeParse(doc);
  if (!r.success) throw aggregate(zodErrors(r.error, path, doc));
  return { input: r.data, file: await describeFile(resolve(path), basename(path)) };
}
