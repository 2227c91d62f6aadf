/** The browser suites a `npm run test:e2e -- <files>` call names: checked, relative to the repository root. */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../lib/repo-root.ts";

const E2E_DIR = path.join(REPO_ROOT, "tests", "e2e");

/**
 * Each argument as a path relative to the repository root (glob-free, so `node --test` runs
 * exactly it); undefined for none (every suite). Throws, naming the argument, for anything that
 * is not an existing `*.e2e.ts` file inside tests/e2e/.
 */
export function e2eFiles(args: readonly string[], cwd = process.cwd()): string[] | undefined {
  if (args.length === 0) return undefined;
  return args.map((arg) => {
    if (arg.startsWith("-")) throw new Error(`unknown option ${arg}: the arguments are e2e test files`);
    const abs = path.resolve(cwd, arg);
    const rel = path.relative(E2E_DIR, abs);
    if (rel.startsWith("..") || path.isAbsolute(rel)) throw new Error(`${arg}: not inside tests/e2e/`);
    if (!abs.endsWith(".e2e.ts")) throw new Error(`${arg}: not an e2e suite (*.e2e.ts)`);
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new Error(`${arg}: no such file`);
    return path.relative(REPO_ROOT, abs);
  });
}
