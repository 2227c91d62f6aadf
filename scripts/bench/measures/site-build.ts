import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Measure } from "../measure.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");

function countPages(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) n += countPages(p);
    else if (entry.endsWith(".html")) n++;
  }
  return n;
}

/** `astro build` of the site as it is in the repo (its own data). */
export const siteBuild: Measure = {
  name: "build: site as committed",
  quick: true,
  repeats: { full: 3, quick: 1 },
  figures: [
    { key: "seconds", unit: "s" },
    { key: "msPerPage", unit: "ms/page" },
    { key: "pages", unit: "pages" },
    { key: "peakRssMiB", unit: "MiB" },
  ],
  sample: ({ tmpDir }) => {
    const outDir = path.join(tmpDir, "dist");
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts/bench/build-child.ts"), outDir], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`astro build failed:\n${r.stderr}`);
    const last = r.stdout.trim().split("\n").pop()!;
    const { seconds, peakRssBytes } = JSON.parse(last) as { seconds: number; peakRssBytes: number };
    const pages = countPages(outDir);
    return { seconds, msPerPage: (seconds * 1000) / pages, pages, peakRssMiB: peakRssBytes / 2 ** 20 };
  },
};
