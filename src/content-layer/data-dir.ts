/**
 * Where the site reads its data from. `CC_DATA_DIR` (absolute, or relative to the directory the
 * build runs in) replaces `./data`, so a build can publish a temporary copy of the data — the
 * end-to-end test ingests a run into such a copy and builds it — without touching the repo's own.
 */
import path from "node:path";

export const DATA_DIR_ENV = "CC_DATA_DIR";

/** Absolute path of the data directory this build reads. */
export function dataDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const raw = env[DATA_DIR_ENV];
  return path.resolve(cwd, raw && raw.trim() !== "" ? raw : "data");
}

/** Absolute path of a sub-directory or file of the data directory (`dataPath("runs")`). */
export function dataPath(...parts: string[]): string {
  return path.join(dataDir(), ...parts);
}
