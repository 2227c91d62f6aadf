/**
 * Publishes each run's JSON (/runs/<id>/run.json) and raw files (/runs/<id>/raw/<path>) byte for
 * byte from the data directory. They are copies, not pages: rendering them as endpoints cost a
 * route render each (~2 ms × 3 files per run, a third of a 10 000-run build). At build end the
 * files are copied into the output; `astro dev` serves them from the data directory.
 *
 * A run is published when its file is in the runs collection (same file filter as the loader);
 * a raw path that would leave the run's folder fails the build, naming the run file.
 */
import { existsSync, readdirSync, readFileSync, statSync, createReadStream } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AstroIntegration } from "astro";
import { dataPath } from "../../content-layer/data-dir.ts";
import { isSafeRawPath } from "./raw-files.ts";

interface RunFiles {
  id: string;
  json: string;
  raw: string[];
}

const ID = /^[a-z0-9]+(?:[-.][a-z0-9]+)*$/;

function runFileNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("."))
    .sort();
}

function runFiles(file: string): RunFiles {
  const id = path.basename(file, ".json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as { provenance?: { raw_files?: Array<{ path?: unknown }> } };
  const raw = (doc.provenance?.raw_files ?? []).map((f) => String(f.path));
  for (const p of raw) if (!isSafeRawPath(p)) throw new Error(`${file}: raw file path "${p}" leaves the run's folder`);
  return { id, json: file, raw };
}

/** Every published file: [source, path relative to the output dir]. */
export function publishedRunFiles(runsDir = dataPath("runs"), rawDir = dataPath("raw")): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of runFileNames(runsDir)) {
    const r = runFiles(path.join(runsDir, name));
    out.push([r.json, path.join("runs", r.id, "run.json")]);
    for (const p of r.raw)
      out.push([path.join(rawDir, r.id, ...p.split("/")), path.join("runs", r.id, "raw", ...p.split("/"))]);
  }
  return out;
}

async function copyAll(files: Array<[string, string]>, outDir: string): Promise<void> {
  const dirs = new Set(files.map(([, rel]) => path.dirname(path.join(outDir, rel))));
  for (const d of dirs) await mkdir(d, { recursive: true });
  // a few copies in flight: the disk, not one file at a time, sets the pace
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const [src, rel] = files[next++];
      try {
        await copyFile(src, path.join(outDir, rel));
      } catch (e) {
        throw new Error(`cannot publish ${src} as /${rel.split(path.sep).join("/")}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

const TYPES: Record<string, string> = {
  json: "application/json",
  csv: "text/csv; charset=utf-8",
  gz: "application/gzip",
};

export function runFilesIntegration(): AstroIntegration {
  let base = "/";
  return {
    name: "context-ceiling:run-files",
    hooks: {
      "astro:config:done": ({ config }) => {
        base = config.base.endsWith("/") ? config.base : `${config.base}/`;
      },
      "astro:server:setup": ({ server }) => {
        server.middlewares.use((req, res, next) => {
          const url = decodeURIComponent((req.url ?? "").split("?")[0]);
          const m = url.startsWith(`${base}runs/`)
            ? /^runs\/([^/]+)\/(run\.json|raw\/(.+))$/.exec(url.slice(base.length))
            : null;
          if (!m || !ID.test(m[1])) return next();
          const json = dataPath("runs", `${m[1]}.json`);
          if (!existsSync(json)) return next();
          let file = json;
          if (m[3] !== undefined) {
            if (!runFiles(json).raw.includes(m[3])) return next();
            file = dataPath("raw", m[1], ...m[3].split("/"));
          }
          if (!existsSync(file) || !statSync(file).isFile()) return next();
          const ext = file.split(".").pop()?.toLowerCase() ?? "";
          res.setHeader("Content-Type", TYPES[ext] ?? "text/plain; charset=utf-8");
          createReadStream(file).pipe(res);
        });
      },
      "astro:build:done": async ({ dir, logger }) => {
        const files = publishedRunFiles();
        await copyAll(files, fileURLToPath(dir));
        logger.info(`published ${files.length} run and raw files`);
      },
    },
  };
}
