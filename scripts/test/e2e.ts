/**
 * `npm run test:e2e [-- <file.e2e.ts> …]`: the browser suites alone (builds once per base path
 * first). With file arguments, only those suites run; each must be a `*.e2e.ts` file under
 * tests/e2e/. `npm test` runs every suite.
 */
import { e2eFiles } from "./e2e-files.ts";
import { runBrowserSuites } from "./browser-suites.ts";
import { printSummary } from "./suites.ts";

let files: string[] | undefined;
try {
  files = e2eFiles(process.argv.slice(2));
} catch (e) {
  console.error(`test:e2e: ${(e as Error).message}`);
  process.exit(2);
}
process.exit(printSummary(await runBrowserSuites(files)));
