/**
 * Rendered run charts, kept by the hash of what they are drawn from, so a build renders a run's
 * charts once and later builds reuse them (Plot on the virtual DOM costs ~1 ms per chart: a
 * minute for 10 000 runs). The key covers the chart inputs and a version string that the caller
 * derives from the chart code and the Plot version, so changed code or data never reuses a stale
 * chart. Nothing is held in memory (10 000 runs' charts are a gigabyte of markup).
 *
 * Where: `CC_CHART_CACHE` (a folder; `off` = this build only), default
 * `node_modules/.cache/context-ceiling/run-charts` under the directory the build runs in. Entries
 * are written atomically (temp file + rename), so concurrent builds may share the folder; an
 * unreadable entry is rendered again. Nothing prunes the folder: delete it to reclaim space.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export const CHART_CACHE_ENV = "CC_CHART_CACHE";

export function chartCacheDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | null {
  const raw = env[CHART_CACHE_ENV]?.trim();
  if (raw === "off") return null;
  return raw ? path.resolve(cwd, raw) : path.join(cwd, "node_modules", ".cache", "context-ceiling", "run-charts");
}

/** The installed version of a package, as the project root resolves it ("unknown" if it cannot). */
export function packageVersion(name: string, root: string = process.cwd()): string {
  try {
    let dir = path.dirname(createRequire(path.join(root, "package.json")).resolve(name));
    for (;;) {
      const pkg = path.join(dir, "package.json");
      if (existsSync(pkg)) {
        const doc = JSON.parse(readFileSync(pkg, "utf8")) as { name?: string; version?: string };
        if (doc.name === name && doc.version) return doc.version;
      }
      const up = path.dirname(dir);
      if (up === dir) return "unknown";
      dir = up;
    }
  } catch {
    return "unknown";
  }
}

export function chartKey(version: string, inputs: unknown): string {
  return createHash("sha256").update(version).update("\0").update(JSON.stringify(inputs)).digest("hex");
}

export const chartCacheStats = { hits: 0, misses: 0 };

function cacheFile(key: string, dir: string | null): string | null {
  return dir ? path.join(dir, key.slice(0, 2), `${key}.html`) : null;
}

function readCached(file: string | null): string | null {
  // existsSync first: a cold build misses every time, and a thrown ENOENT per run costs seconds
  if (!file || !existsSync(file)) return null;
  try {
    const hit = readFileSync(file, "utf8");
    chartCacheStats.hits++;
    return hit;
  } catch {
    return null; // not cached yet (or unreadable): drawn again
  }
}

function store(file: string | null, markup: string): void {
  if (!file) return;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, markup);
    renameSync(tmp, file);
  } catch {
    // a read-only or full disk costs the reuse, not the build
  }
}

/** The markup for `key`: from the cache folder, else `render()` (and stored there). */
export function cachedMarkup(key: string, render: () => string, dir: string | null = chartCacheDir()): string {
  const file = cacheFile(key, dir);
  const hit = readCached(file);
  if (hit !== null) return hit;
  chartCacheStats.misses++;
  const markup = render();
  store(file, markup);
  return markup;
}

/** As cachedMarkup, for a renderer that draws elsewhere (the chart pool's workers). */
export async function cachedMarkupAsync(
  key: string,
  render: () => Promise<string>,
  dir: string | null = chartCacheDir(),
): Promise<string> {
  const file = cacheFile(key, dir);
  const hit = readCached(file);
  if (hit !== null) return hit;
  chartCacheStats.misses++;
  const markup = await render();
  store(file, markup);
  return markup;
}
