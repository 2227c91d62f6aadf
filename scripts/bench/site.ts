/**
 * The built site the page and interaction measures look at. Full run: the site as committed
 * (data/), built once per bench process into a temporary folder with its own cache. `--quick`:
 * the repo's existing dist/ if there is one (its build time is reported), else nothing — a build
 * does not fit the quick minute.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../lib/repo-root.ts";

export interface BenchSite {
  outDir: string;
  /** Built by this bench process (true) or found in dist/ (false). */
  fresh: boolean;
  builtAt: string;
}

let cached: BenchSite | undefined;
let tmp: string | undefined;

process.once("exit", () => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** `astro build` of `dataDir` (default data/) into `outDir` with a fresh cache; seconds and peak RSS. */
export function buildSiteInto(
  outDir: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv = {},
): { seconds: number; cpuSeconds: number; mainCpuSeconds: number; peakRssBytes: number } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/bench/build-child.ts"), outDir, cacheDir], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, SITE_BASE: "/", ...env },
    maxBuffer: 256 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`astro build failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  const last = r.stdout.trim().split("\n").pop()!;
  return JSON.parse(last) as { seconds: number; cpuSeconds: number; mainCpuSeconds: number; peakRssBytes: number };
}

export function benchSite(quick: boolean): BenchSite | undefined {
  if (cached) return cached;
  if (quick) {
    const index = path.join(REPO_ROOT, "dist", "calculator", "index.html");
    if (!existsSync(index)) return undefined;
    cached = { outDir: path.join(REPO_ROOT, "dist"), fresh: false, builtAt: statSync(index).mtime.toISOString() };
    return cached;
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), "cc-bench-site-"));
  const outDir = path.join(tmp, "dist");
  // an empty CC_DATA_DIR = the repo's data/ (src/content-layer/data-dir.ts)
  buildSiteInto(outDir, path.join(tmp, "cache"), { CC_DATA_DIR: "" });
  cached = { outDir, fresh: true, builtAt: new Date().toISOString() };
  return cached;
}
