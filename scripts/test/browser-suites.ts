/**
 * Builds the site once per base path, serves both builds, and runs the e2e suites on them: every
 * suite, or only `files` (paths relative to the repository root, see e2e-files.ts).
 */
import { ensureChromium } from "./chromium.ts";
import { SITE_BUILDS, buildSite, serveSite, type ServedSite } from "./sites.ts";
import { runNodeTests, type SuiteResult } from "./suites.ts";

export async function runBrowserSuites(files?: readonly string[]): Promise<SuiteResult[]> {
  const chromium = ensureChromium();
  const results: SuiteResult[] = [];
  const start = performance.now();
  let buildOk = true;
  for (const site of SITE_BUILDS) {
    try {
      buildSite(site);
    } catch (e) {
      console.error((e as Error).message);
      buildOk = false;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  results.push({
    name: "build",
    passed: buildOk ? SITE_BUILDS.length : 0,
    failed: buildOk ? 0 : 1,
    skipped: 0,
    seconds,
  });
  if (!buildOk) return results;

  const served: ServedSite[] = [];
  try {
    for (const site of SITE_BUILDS) served.push(await serveSite(site));
    const env = {
      CHROMIUM_PATH: chromium,
      E2E_SITES: JSON.stringify(served.map(({ name, base, url, outDir }) => ({ name, base, url, outDir }))),
    };
    results.push(runNodeTests("e2e", files ? [...files] : ["tests/e2e/**/*.e2e.ts"], env));
  } finally {
    await Promise.all(served.map((s) => s.close()));
  }
  return results;
}
