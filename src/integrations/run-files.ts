/**
 * Publishes each run's JSON (/runs/<id>/run.json) and raw files (/runs/<id>/raw/<inert name>.txt,
 * see raw-files.ts) byte for byte from the data directory. They are copies, not pages: rendering them as endpoints cost a
 * route render each (~2 ms × 3 files per run, a third of a 10 000-run build). The copying is
 * mostly waiting on the disk (3.5 files per run), so a worker thread does it while the site is
 * bundled and rendered (run-files-copy.ts) and the build's end waits for it; `astro dev` serves
 * the files from the data directory.
 *
 * A run is published when its file is in the runs collection (same file filter as the loader);
 * a raw path that would leave the run's folder fails the build, naming the run file and field.
 */
import { existsSync, readdirSync, readFileSync, statSync, createReadStream } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AstroIntegration } from "astro";
import { dataPath } from "../content-layer/data-dir.ts";
import { copyRunFiles, startCopyRunFiles } from "./run-files-copy.ts";
import { resolveInside } from "../lib/runs/inside-dir.ts";
import { rawPathProblem } from "../lib/runs/raw-path.ts";
import { publishedRawName } from "../lib/runs/raw-files.ts";

interface RunFiles {
  id: string;
  json: string;
  /** [stored file, published name] */
  raw: Array<[string, string]>;
}

const ID = /^[a-z0-9]+(?:[-.][a-z0-9]+)*$/;

function runFileNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("."))
    .sort();
}

function runFiles(file: string, rawDir = dataPath("raw")): RunFiles {
  const id = path.basename(file, ".json");
  if (!ID.test(id)) throw new Error(`${file}: the file name is not a run id (a lower-case slug)`);
  const doc = JSON.parse(readFileSync(file, "utf8")) as {
    provenance?: { raw_files?: Array<{ path?: unknown; sha256?: unknown }> };
  };
  const raw = (doc.provenance?.raw_files ?? []).map((f, i): [string, string] => {
    const p = String(f.path);
    const where = `${file}: provenance.raw_files[${i}].path`;
    const problem = rawPathProblem(p);
    if (problem) throw new Error(`${where}: unsafe path ${JSON.stringify(p)} (${problem})`);
    if (typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256))
      throw new Error(`${file}: provenance.raw_files[${i}].sha256: expected 64 hex digits`);
    try {
      return [resolveInside(path.join(rawDir, id), p), publishedRawName({ path: p, sha256: f.sha256 })];
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
    }
  });
  return { id, json: file, raw };
}

/** Every published file: [source, path relative to the output dir]. */
export function publishedRunFiles(runsDir = dataPath("runs"), rawDir = dataPath("raw")): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of runFileNames(runsDir)) {
    const r = runFiles(path.join(runsDir, name), rawDir);
    out.push([r.json, path.join("runs", r.id, "run.json")]);
    // identical content under one name in two folders publishes once
    const seen = new Set<string>();
    for (const [src, name] of r.raw)
      if (!seen.has(name)) {
        seen.add(name);
        out.push([src, path.join("runs", r.id, "raw", name)]);
      }
  }
  return out;
}

export function runFilesIntegration(): AstroIntegration {
  let base = "/";
  let outDir = "";
  let copying: Promise<number> | undefined;
  return {
    name: "context-ceiling:run-files",
    hooks: {
      "astro:config:done": ({ config }) => {
        base = config.base.endsWith("/") ? config.base : `${config.base}/`;
        outDir = fileURLToPath(config.outDir);
      },
      // after Astro emptied the output folder, before it bundles and renders: copy meanwhile
      "astro:build:setup": () => {
        if (copying) return;
        copying = startCopyRunFiles(dataPath("runs"), dataPath("raw"), outDir);
        // its error is the build's at the end (awaited there), not an unhandled rejection now
        copying.catch(() => {});
      },
      "astro:server:setup": ({ server }) => {
        server.middlewares.use((req, res, next) => {
          const url = decodeURIComponent((req.url ?? "").split("?")[0]);
          const m = url.startsWith(`${base}runs/`)
            ? /^runs\/([^/]+)\/(run\.json|raw\/([^/]+))$/.exec(url.slice(base.length))
            : null;
          if (!m || !ID.test(m[1])) return next();
          const json = dataPath("runs", `${m[1]}.json`);
          if (!existsSync(json)) return next();
          let file: string | undefined = json;
          if (m[3] !== undefined) file = runFiles(json).raw.find(([, name]) => name === m[3])?.[0];
          if (!file || !existsSync(file) || !statSync(file).isFile()) return next();
          // what a static host sends for .json / .txt; nosniff so no browser second-guesses it
          res.setHeader("Content-Type", m[3] === undefined ? "application/json" : "text/plain; charset=utf-8");
          res.setHeader("X-Content-Type-Options", "nosniff");
          createReadStream(file).pipe(res);
        });
      },
      "astro:build:done": async ({ dir, logger }) => {
        const n = await (copying ?? copyRunFiles(dataPath("runs"), dataPath("raw"), fileURLToPath(dir)));
        logger.info(`published ${n} run and raw files`);
      },
    },
  };
}
