/**
 * `npm run test:e2e [-- <file.e2e.ts> …]`: the browser suites alone (builds once per base path
 * first). With file arguments, only those suites run; each must be a `*.e2e.ts` file under
 * tests/e2e/ — anything else is refused before a build starts (exit 2, naming the argument).
 * `npm test` runs every suite. The exit code is set, not forced, so every line written is flushed.
 */
import { e2eFiles } from "./e2e-files.ts";
import { runBrowserSuites } from "./browser-suites.ts";
import { printSummary } from "./suites.ts";

async function main(args: readonly string[]): Promise<number> {
  let files: string[] | undefined;
  try {
    files = e2eFiles(args);
  } catch (e) {
    console.error(`test:e2e: ${(e as Error).message}`);
    return 2;
  }
  return printSummary(await runBrowserSuites(files));
}

process.exitCode = await main(process.argv.slice(2));
