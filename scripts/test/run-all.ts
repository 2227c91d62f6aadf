/**
 * `npm test`: format, lint and type check, unit tests, one build per base path, browser suites.
 * Prints each suite's time and a final `N passed, N failed` line over all suites.
 */
import path from "node:path";
import { runBrowserSuites } from "./browser-suites.ts";
import { ROOT, printSummary, runCheck, runNodeTests, type SuiteResult } from "./suites.ts";

const bin = (name: string) => path.join(ROOT, "node_modules/.bin", name);
const results: SuiteResult[] = [];

results.push(runCheck("format", bin("prettier"), ["--check", "--log-level", "warn", "."]));
results.push(runCheck("lint", bin("eslint"), ["--max-warnings", "0", "."]));
results.push(runCheck("typecheck", bin("astro"), ["check", "--minimumFailingSeverity", "warning"]));
results.push(runNodeTests("unit", ["tests/unit/**/*.test.ts"]));
results.push(...(await runBrowserSuites()));

process.exit(printSummary(results));
