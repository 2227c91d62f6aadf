/**
 * `npm run bench [-- --quick] [-- --only <substring>]`: runs the named measures (warm-up, repeats),
 * prints median / min / max / noise against each budget, and writes bench-results.json.
 */
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { MeasureContext } from "./measure.ts";
import { MEASURES } from "./measures/index.ts";
import { checkBudget, summarize, type Summary } from "./stats.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

let args;
try {
  args = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string", default: path.join(ROOT, "bench-results.json") },
      help: { type: "boolean", short: "h", default: false },
    },
  }).values;
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(2);
}
if (args.help) {
  console.log("usage: npm run bench [-- --quick] [-- --only <name substring>] [-- --out file.json]");
  process.exit(0);
}

interface FigureResult extends Summary {
  measure: string;
  figure: string;
  unit: string;
  budget?: { value: number; cmp: string; source: string; ok: boolean; missBy: number };
}

function gitCommit(): string {
  try {
    return execSync("git rev-parse HEAD", { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

const selected = MEASURES.filter((m) => (args.quick ? m.quick : true)).filter(
  (m) => !args.only || m.name.includes(args.only),
);
const results: FigureResult[] = [];
const failures: string[] = [];

for (const m of selected) {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), "cc-bench-"));
  const ctx: MeasureContext = { quick: args.quick, tmpDir, state: {} };
  process.stdout.write(`• ${m.name} …`);
  try {
    await m.setup?.(ctx);
    for (let i = 0; i < (m.warmup ?? 0); i++) await m.sample(ctx);
    const samples: Record<string, number[]> = {};
    const repeats = args.quick ? m.repeats.quick : m.repeats.full;
    for (let i = 0; i < repeats; i++) {
      const s = await m.sample(ctx);
      for (const [k, v] of Object.entries(s)) (samples[k] ??= []).push(v);
    }
    for (const f of m.figures) {
      const vals = samples[f.key];
      if (!vals?.length) throw new Error(`measure gave no "${f.key}" figure`);
      const sum = summarize(vals);
      const r: FigureResult = { measure: m.name, figure: f.key, unit: f.unit, ...sum };
      if (f.budget) r.budget = { ...f.budget, ...checkBudget(sum.median, f.budget.value, f.budget.cmp) };
      results.push(r);
    }
    process.stdout.write(" done\n");
  } catch (e) {
    process.stdout.write(" FAILED\n");
    failures.push(`${m.name}: ${(e as Error).message}`);
  } finally {
    await m.teardown?.(ctx);
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));
console.log("\n" + ["measure", "figure", "median", "min", "max", "noise", "n", "budget", "status"].join(" | "));
for (const r of results) {
  const budget = r.budget ? `${r.budget.cmp} ${fmt(r.budget.value)} ${r.unit}` : "—";
  const status = !r.budget ? "" : r.budget.ok ? "ok" : `MISSED by ${(r.budget.missBy * 100).toFixed(0)} %`;
  console.log(
    [
      r.measure,
      r.figure,
      `${fmt(r.median)} ${r.unit}`,
      fmt(r.min),
      fmt(r.max),
      `±${(r.relMad * 100).toFixed(1)} %`,
      r.n,
      budget,
      status,
    ].join(" | "),
  );
}
for (const f of failures) console.error(`failed: ${f}`);

writeFileSync(
  args.out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      commit: gitCommit(),
      node: process.version,
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores: os.cpus().length,
      quick: args.quick,
      results,
      failures,
    },
    null,
    2,
  ) + "\n",
);
console.log(`\nwrote ${path.relative(process.cwd(), args.out) || args.out}`);
process.exit(failures.length ? 1 : 0);
