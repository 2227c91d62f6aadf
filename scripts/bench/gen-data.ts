/**
 * Generated inputs for the scale measures, always under a temporary folder (never the repo's
 * data/): a data dir = a copy of data/ (its own runs included: the reports cite them) + N runs
 * shaped like the real ones, and
 * run-input JSON files for the ingest measure. Every generated run differs (id, date, measured
 * bytes), so no per-run cache can reuse another run's work by accident.
 */
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { RunSchema, type Run } from "../../src/schemas/run.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";

export const REPO_DATA = path.join(REPO_ROOT, "data");

/** At most this many points per generated run (the H100 run has 23; most runs have a handful). */
const MAX_POINTS = 8;
/** At most this many raw files per generated run, hard-linked from the template's. */
const MAX_RAW = 3;

function templates(): Run[] {
  const dir = path.join(REPO_DATA, "runs");
  const runs = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => RunSchema.parse(JSON.parse(readFileSync(path.join(dir, f), "utf8"))));
  if (runs.length === 0) throw new Error(`${dir}: no run to copy the shape of`);
  return runs;
}

function dateOf(i: number): string {
  // spread over ~27 years of days so the listing has many dates
  const d = new Date(Date.UTC(2000, 0, 1) + (i % 10_000) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

function scaleMeasured(p: Run["points"][number], f: number): Run["points"][number] {
  const measured = Object.fromEntries(
    Object.entries(p.measured).map(([k, v]) => [k, v ? { ...v, bytes: Math.round(v.bytes * f) } : v]),
  ) as Run["points"][number]["measured"];
  return { ...p, measured };
}

/** Run number `i` made from template `t`: own id, date, title, content hash and measured bytes. */
export function generatedRun(t: Run, i: number): Run {
  const date = dateOf(i);
  const id = `${date}-bench-${String(i).padStart(5, "0")}-${t.id.replace(/^\d{4}-\d{2}-\d{2}-/, "")}`.slice(0, 120);
  // 0.90 … 1.20 of the measured values, different per run: every chart and table differs
  const f = 0.9 + ((i * 7919) % 301) / 1000;
  const points = t.points.slice(0, MAX_POINTS).map((p) => scaleMeasured(p, f));
  const rawFiles = t.provenance.raw_files.slice(0, MAX_RAW);
  const kept = new Set(rawFiles.map((r) => r.original));
  const run: Run = {
    ...t,
    id,
    date,
    title: `${t.title} — bench copy ${i}`,
    points: points.map((p) => ({ ...p, raw_files: p.raw_files.filter((r) => kept.has(r)) })),
    provenance: {
      ...t.provenance,
      content_hash: createHash("sha256").update(id).digest("hex"),
      raw_files: rawFiles,
    },
  };
  return RunSchema.parse(run);
}

/**
 * `target` = a copy of data/ plus `n` generated runs (round-robin over the repo's runs as
 * templates) and their raw files (hard links, so 10 000 runs cost little disk).
 */
export function generateDataDir(target: string, n: number): { runs: number; rawFiles: number } {
  mkdirSync(target, { recursive: true });
  cpSync(REPO_DATA, target, { recursive: true });
  const runsDir = path.join(target, "runs");
  const rawDir = path.join(target, "raw");
  mkdirSync(runsDir, { recursive: true });
  mkdirSync(rawDir, { recursive: true });
  const ts = templates();
  let rawFiles = 0;
  for (let i = 0; i < n; i++) {
    const t = ts[i % ts.length];
    const run = generatedRun(t, i);
    writeFileSync(path.join(runsDir, `${run.id}.json`), JSON.stringify(run, null, 2) + "\n");
    for (const f of run.provenance.raw_files) {
      const src = path.join(REPO_DATA, "raw", t.id, f.path);
      const dest = path.join(rawDir, run.id, f.path);
      mkdirSync(path.dirname(dest), { recursive: true });
      if (existsSync(src)) linkSync(src, dest);
      else throw new Error(`${src}: raw file of template run ${t.id} is missing`);
      rawFiles++;
    }
  }
  return { runs: n, rawFiles };
}

/**
 * `n` run-input JSON files of `points` points each (what a user hands `npm run ingest`), in `dir`.
 * Sizes are given as the strings users write ("640 MiB"), as the ingest spec allows.
 */
export function generateRunInputs(dir: string, n: number, points: number, salt = ""): string[] {
  mkdirSync(dir, { recursive: true });
  const types = ["f16", "q8_0", "q4_0"] as const;
  const bytesPerType = { f16: 2, q8_0: 34 / 32, q4_0: 18 / 32 } as const;
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const date = dateOf(i);
    const id = `${date}-bench-input-${String(i).padStart(5, "0")}${salt ? `-${salt}` : ""}`;
    const pts = Array.from({ length: points }, (_, j) => {
      const ctx = 512 * 2 ** (j % 9);
      const t = types[Math.floor(j / 9) % types.length];
      // Qwen3-14B: 40 layers × 8 KV heads × 128 × 2 (K and V) values per cell
      const kvMiB = (ctx * 40 * 8 * 128 * 2 * bytesPerType[t]) / 2 ** 20;
      return {
        id: `ctx-${ctx}-${t}-${j}`,
        config: { n_ctx: ctx, type_k: t, type_v: t, flash_attn: "on", n_seq: 1 },
        measured: {
          kv_bytes: { bytes: `${kvMiB.toFixed(2)} MiB`, source: { tool: "reported", detail: `bench row ${j}` } },
          compute_bytes: {
            bytes: `${(300 + ((i + j) % 50)).toFixed(2)} MiB`,
            source: { tool: "reported", detail: `bench row ${j}` },
          },
        },
      };
    });
    const doc = {
      schema_version: 1,
      id,
      date,
      title: `Bench input ${i}: Qwen3-14B, ${points} points`,
      hardware: { preset: "apple-m4-max-36gb", description: "bench machine" },
      runtime: { engine: "llama.cpp", profile: { name: "llama.cpp", revision: "current" }, backend: "metal" },
      model: { preset: "qwen3-14b", name: "Qwen3-14B", ftype: "Q4_K_M" },
      measurement: { tools: ["reported"], method: "generated by the bench" },
      points: pts,
    };
    const file = path.join(dir, `${id}.json`);
    writeFileSync(file, JSON.stringify(doc));
    files.push(file);
  }
  return files;
}
