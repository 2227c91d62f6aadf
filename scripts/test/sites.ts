/**
 * Builds the site once per base path and serves each build with `astro preview` on a free
 * loopback port. The e2e suites share these builds instead of building their own.
 */
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { freePort } from "../lib/free-port.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";

export interface SiteBuild {
  name: string;
  base: string;
  outDir: string;
}

export interface ServedSite extends SiteBuild {
  url: string;
  close: () => Promise<void>;
}

const ASTRO = path.join(REPO_ROOT, "node_modules/astro/bin/astro.mjs");

export const SITE_BUILDS: SiteBuild[] = [
  { name: "root", base: "/", outDir: path.join(REPO_ROOT, "dist") },
  { name: "sub", base: "/context-ceiling/", outDir: path.join(REPO_ROOT, ".tmp/dist-sub") },
];

function siteEnv(site: SiteBuild, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, SITE_BASE: site.base, SITE_OUT_DIR: site.outDir, ...extra };
}

export function buildSite(site: SiteBuild, extraEnv: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync(process.execPath, [ASTRO, "build", "--silent"], {
    cwd: REPO_ROOT,
    env: siteEnv(site, extraEnv),
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error(`astro build for base ${site.base} failed (exit ${r.status})`);
}

async function waitForUrl(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`preview server at ${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

export async function serveSite(site: SiteBuild, extraEnv: NodeJS.ProcessEnv = {}): Promise<ServedSite> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [ASTRO, "preview", "--ignore-lock", "--host", "127.0.0.1", "--port", String(port)],
    { cwd: REPO_ROOT, env: siteEnv(site, extraEnv), stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}${site.base}`;
  try {
    // A limit for loaded machines only: the wait ends as soon as the server answers.
    await waitForUrl(url, 120_000);
  } catch (e) {
    child.kill();
    throw new Error(`${(e as Error).message}\n${output}`);
  }
  return {
    ...site,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
