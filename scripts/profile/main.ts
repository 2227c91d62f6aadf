/**
 * `npm run profile`: plan → (dry run: print and stop) → safety check per step → run each step with
 * the embedded runner (node-llama-cpp) or an external llama-server → a run folder that
 * `npm run ingest` takes as is. Exit 0 done, 1 failure, 2 usage error.
 * Here: the arguments, the model file, the plan and the runner are checked; the session itself
 * is session.ts (and steps.ts).
 */
import { accessSync, constants } from "node:fs";
import { USAGE, UsageError, parseProfileArgs, type ProfileOptions } from "./args.ts";
import { detectHardware } from "./hardware.ts";
import { ModelFileError, readModelFile, type ModelFileInfo } from "./model-file.ts";
import { OutputError, RunFolder } from "./output.ts";
import { buildPlan, type Step } from "./plan.ts";
import type { EmbeddedRunner } from "./runner-embedded.ts";
import { nodeLlamaCppVersion } from "./runtime-info.ts";
import { runSession, type Io } from "./session.ts";
import { RunnerError } from "./types.ts";

export type { Io } from "./session.ts";

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** A refusal: the exit code and the message printed (after "npm run profile: "). */
class Refusal {
  readonly code: number;
  readonly message: string;
  constructor(code: number, message: string) {
    this.code = code;
    this.message = message;
  }
}

/** `fn()`, with an error of class `cls` turned into a Refusal with `code`. */
async function refuseOn<T>(
  cls: abstract new (...a: never[]) => Error,
  code: number,
  fn: () => T | Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof cls) throw new Refusal(code, err.message);
    throw err;
  }
}

/** The model file, with a vocabulary to fill contexts with. */
async function modelFile(o: ProfileOptions): Promise<ModelFileInfo> {
  const model = await refuseOn(ModelFileError, 1, () => readModelFile(o.model));
  if (model.fillerTokens.length === 0)
    throw new Refusal(
      1,
      `--model ${o.model}: the GGUF has no vocabulary (tokenizer.ggml.tokens) to fill a context with`,
    );
  return model;
}

/** The output folder (when named) and the llama-server (when given) are checked before anything runs. */
async function checkTargets(o: ProfileOptions): Promise<void> {
  if (o.out !== null && !o.dryRun) await refuseOn(OutputError, 1, () => RunFolder.checkExplicit(o.out!));
  if (o.server) {
    try {
      accessSync(o.server, constants.X_OK);
    } catch {
      throw new Refusal(1, `--server ${o.server}: not an executable file`);
    }
  }
}

/** The embedded runner, unless --server; loaded on demand: node-llama-cpp is heavy. */
async function openRunner(o: ProfileOptions): Promise<EmbeddedRunner | null> {
  if (o.server) return null;
  const libVersion = nodeLlamaCppVersion();
  return refuseOn(RunnerError, 1, async () => {
    const { EmbeddedRunner } = await import("./runner-embedded.ts");
    return EmbeddedRunner.open({ gpu: o.gpu, threads: o.threads, libraryVersion: libVersion });
  });
}

async function prepared(
  argv: string[],
  io: Io,
): Promise<{ o: ProfileOptions; model: ModelFileInfo; steps: Step[] } | null> {
  let opts: ProfileOptions | null;
  try {
    opts = parseProfileArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) throw new Refusal(2, `${err.message}\nRun with --help for the options.`);
    throw err;
  }
  if (!opts) {
    io.out(USAGE);
    return null;
  }
  const o = opts;
  const model = await modelFile(o);
  const steps = await refuseOn(UsageError, 2, () => buildPlan(o));
  await checkTargets(o);
  return { o, model, steps };
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  try {
    const p = await prepared(argv, io);
    if (!p) return 0;
    const hw = detectHardware();
    const runner = await openRunner(p.o);
    try {
      return await runSession({ ...p, hw, runner, io });
    } finally {
      await runner?.dispose();
    }
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    io.err(`npm run profile: ${err.message}\n`);
    return err.code;
  }
}
