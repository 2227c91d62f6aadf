import { z } from "zod";
import { MAX_RAW_PATH_CHARS, RAW_PATH_EXPECTED, RAW_PATH_PATTERN, rawPathProblem } from "../lib/runs/raw-path.ts";

/** Where a run's numbers come from: stored paths, tools and sources (docs in run.ts). */

/** A size in integer bytes (ingest converts MiB/GB text before this schema sees it). */
export const bytes = z.number().int().nonnegative();

/**
 * A path stored in a run file (raw file, its original, a source's file): relative, normalised,
 * inside the run's folder — the one rule of `src/lib/runs/raw-path.ts`. Run files come from
 * strangers; code that joins these paths re-checks them (`resolveInside`).
 */
export const RawPathSchema = z
  .string()
  .superRefine((p, ctx) => {
    const problem = rawPathProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: `unsafe path: ${problem}; expected ${RAW_PATH_EXPECTED}` });
  })
  .meta({ minLength: 1, maxLength: MAX_RAW_PATH_CHARS, pattern: RAW_PATH_PATTERN });

/** A file under `data/sources/` as a run lists it: `data/sources/<one safe name>`. */
export const SourcePathSchema = z
  .string()
  .max(300)
  .regex(
    /^data\/sources\/[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "expected data/sources/<file name> (letters, digits, '.', '_', '-')",
  )
  .refine((p) => !p.includes(".."), "expected no '..'");
export const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, "expected a lower-case slug (a-z, 0-9, '-', '.')")
  .max(120);

/** Tools whose output ingest reads; `reported` = a number stated in a write-up without its tool. */
export const SourceToolSchema = z.enum([
  "llama.cpp",
  "llama.cpp memory breakdown",
  "llama-bench",
  "ollama",
  "ollama-ps",
  "footprint",
  "vmmap",
  "time-l",
  "time-v",
  "nvidia-smi",
  "memprobe",
  "reported",
  "unknown",
]);
export type SourceTool = z.infer<typeof SourceToolSchema>;

/** Where a number came from. */
export const SourceSchema = z.strictObject({
  tool: SourceToolSchema,
  /** Raw file, relative to `data/raw/<run id>/` (or to `data/sources/` for reported values). */
  file: RawPathSchema.optional().describe(
    "Raw file, relative to `data/raw/<run id>/` (or to `data/sources/` for reported values).",
  ),
  /** 1-based line in that file. */
  line: z.number().int().positive().optional().describe("1-based line in that file."),
  /** What exactly was read ("KV size line", "peak of 512 samples", "table row 2K"). */
  detail: z
    .string()
    .optional()
    .describe('What exactly was read ("KV size line", "peak of 512 samples", "table row 2K").'),
});
export type Source = z.infer<typeof SourceSchema>;
