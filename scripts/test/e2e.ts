/** `npm run test:e2e`: the browser suites alone (builds once per base path first). */
import { runBrowserSuites } from "./browser-suites.ts";
import { printSummary } from "./suites.ts";

process.exit(printSummary(await runBrowserSuites()));
