/**
 * Safe access to the inputs: folder walking that refuses symlinks escaping the input and special
 * files, streamed hashing, bounded head reads, and text reads with a size cap (larger logs are
 * parsed streamed). Paths inside a run are POSIX-relative and never contain `..`.
 */
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { IngestError } from "./errors.ts";
import { RAW_PATH_EXPECTED, rawPathProblem } from "../../src/lib/runs/raw-path.ts";
import { SNIFF_BYTES, detectTool, looksBinary, type Tool } from "./detect.ts";
import { readOnce, type Identity, type Spool } from "./read-once.ts";

export interface InputFile {
  /** Absolute path to read from. */
  abs: string;
  /** Path relative to the input root, POSIX separators (the name for a single-file input). */
  rel: string;
  size: number;
  sha256: string;
  /** First bytes, for detection only (emptied once the tool is known). */
  head: Buffer;
  binary: boolean;
  tool?: Tool;
}

/** Text files above this are parsed streamed (llama.cpp / Ollama logs) or refused. */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;
const MAX_FILES = 20000;
const MAX_DEPTH = 8;

/**
 * Hash, size and sniff one regular file in one read (read-once.ts), copying it into the spool
 * when one is given. The head is used for detection and then dropped: 20 000 inputs must not keep
 * 20 000 sniff buffers.
 */
export async function describeFile(
  abs: string,
  rel: string,
  opts: { spool?: Spool; identity?: Identity; label?: string } = {},
): Promise<InputFile> {
  const r = await readOnce(abs, opts.label ?? rel, SNIFF_BYTES, opts);
  const binary = looksBinary(r.head);
  const f: InputFile = { abs: r.abs, rel, size: r.size, sha256: r.sha256, head: EMPTY, binary };
  if (!binary) f.tool = detectTool(r.head.toString("utf8"), rel);
  return f;
}

const EMPTY = Buffer.alloc(0);

/**
 * All regular files under `root` (sorted). A symlink is followed only when its target stays
 * inside `root`; one pointing outside, a special file (FIFO, socket, device), a folder nested
 * deeper than 8 levels or more than 20 000 files are errors.
 */
export async function scanFolder(root: string, label: string, spool?: Spool): Promise<InputFile[]> {
  const realRoot = await realpath(root);
  const out: InputFile[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH)
      throw new IngestError("folder nested too deeply", {
        file: `${label}/${posix(relative(root, dir))}`,
        expected: `at most ${MAX_DEPTH} levels`,
      });
    const entries = (await readdir(dir, { encoding: "buffer" })).sort(Buffer.compare);
    for (const raw of entries) {
      const name = raw.toString("utf8");
      const abs = join(dir, name);
      const rel = posix(relative(root, abs));
      if (!Buffer.from(name, "utf8").equals(raw))
        throw new IngestError("file name is not valid UTF-8", {
          file: `${label}/${rel}`,
          expected: "file names in UTF-8 (rename the file)",
        });
      storableName(rel, label);
      const lst = await lstat(abs);
      let target = abs;
      let st = lst;
      if (lst.isSymbolicLink()) {
        let real: string;
        try {
          real = await realpath(abs);
        } catch {
          throw new IngestError("dangling symlink", {
            file: `${label}/${rel}`,
            expected: "a link to a file inside the input folder",
          });
        }
        if (real !== realRoot && !real.startsWith(realRoot + sep))
          throw new IngestError("symlink points outside the input folder", {
            file: `${label}/${rel}`,
            value: real,
            expected: `a target inside ${label}`,
          });
        target = real;
        st = await stat(real);
      }
      if (st.isDirectory()) {
        if (lst.isSymbolicLink()) continue; // a link to a folder inside the input: its files are walked there
        await walk(abs, depth + 1);
      } else if (st.isFile()) {
        if (out.length >= MAX_FILES)
          throw new IngestError("too many files", { file: label, expected: `at most ${MAX_FILES}` });
        out.push(await describeFile(target, rel, { spool, identity: st, label: `${label}/${rel}` }));
      } else
        throw new IngestError("not a regular file (FIFO, socket or device)", {
          file: `${label}/${rel}`,
          expected: "regular files only",
        });
    }
  };
  await walk(root, 0);
  return out;
}

/** Refuses an input path the run schema would not store (it becomes `raw_files[].original`). */
export function storableName(rel: string, label: string): void {
  const problem = rawPathProblem(rel);
  if (problem)
    throw new IngestError(`file name cannot be stored (${problem})`, {
      file: `${label}/${rel}`,
      expected: RAW_PATH_EXPECTED,
    });
}

function posix(p: string): string {
  return p.split(sep).join("/");
}

/** The whole file as UTF-8 text; refuses files above `max` bytes. */
export async function readText(f: InputFile, max = MAX_TEXT_BYTES): Promise<string> {
  if (f.size > max)
    throw new IngestError(`file too large to read whole (${f.size} bytes)`, {
      file: f.rel,
      expected: `at most ${max} bytes for this kind of output`,
    });
  return readFile(f.abs, "utf8");
}
