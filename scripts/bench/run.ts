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
import { REPO_ROOT } from "../lib/repo-root.ts";

let args;
try {
  args = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string", default: path.join(REPO_ROOT, "bench-results.json") },
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
  /** missBy: the miss as a ratio of the budget (null for a budget of 0); missByAbs: in the figure's unit. */
  budget?: { value: number; cmp: string; source: string; ok: boolean; missBy: number | null; missByAbs: number };
}

function gitCommit(): string {
  try {
    return execSync("git rev-parse HEAD", {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "unknown";
  }
}

const selected = MEASURES.filter((m) => (args.quick ? m.quick : m.full !== false)).filter(
  (m) => !args.only || m.name.includes(args.only),
);
const results: FigureResult[] = [];
const failures: string[] = [];
const skipped: { measure: string; reason: string }[] = [];
const details: Record<string, unknown> = {};
const seconds: Record<string, number> = {};
const benchStart = performance.now();
const loadStart = os.loadavg();

for (const m of selected) {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), "cc-bench-"));
  const ctx: MeasureContext = { quick: args.quick, tmpDir, state: {} };
  const reason = m.skip?.(ctx);
  if (reason) {
    console.log(`• ${m.name} … skipped: ${reason}`);
    skipped.push({ measure: m.name, reason });
    rmSync(tmpDir, { recursive: true, force: true });
    continue;
  }
  process.stdout.write(`• ${m.name} …`);
  const t0 = performance.now();
  try {
    await m.setup?.(ctx);
    for (let i = 0; i < (m.warmup ?? 0); i++) await m.sample(ctx);
    const samples: Record<string, number[]> = {};
    const repeats = args.quick ? m.repeats.quick : m.repeats.full;
    for (let i = 0; i < repeats; i++) {
      const s = await m.sample(ctx);
      for (const [k, v] of Object.entries(s)) (samples[k] ??= []).push(v);
    }
    for (const f of typeof m.figures === "function" ? m.figures(ctx) : m.figures) {
      const vals = samples[f.key];
      if (!vals?.length) throw new Error(`measure gave no "${f.key}" figure`);
      const sum = summarize(vals);
      const r: FigureResult = { measure: m.name, figure: f.key, unit: f.unit, ...sum };
      if (f.budget) {
        const c = checkBudget(sum.median, f.budget.value, f.budget.cmp);
        r.budget = {
          ...f.budget,
          ok: c.ok,
          missBy: Number.isFinite(c.missBy) ? c.missBy : null,
          missByAbs: c.ok ? 0 : Math.abs(sum.median - f.budget.value),
        };
      }
      results.push(r);
    }
    if (m.details) details[m.name] = m.details(ctx);
    seconds[m.name] = (performance.now() - t0) / 1000;
    process.stdout.write(` done (${seconds[m.name].toFixed(1)} s)\n`);
  } catch (e) {
    process.stdout.write(" FAILED\n");
    failures.push(`${m.name}: ${(e as Error).message}`);
  } finally {
    try {
      await m.teardown?.(ctx);
    } catch (e) {
      failures.push(`${m.name} (teardown): ${(e as Error).message}`);
    }
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

const fmt = (x: number) =>
  x === 0 ? "0" : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
console.log("\n" + ["measure", "figure", "median", "min", "max", "noise", "n", "budget", "status"].join(" | "));
for (const r of results) {
  const budget = r.budget ? `${r.budget.cmp} ${fmt(r.budget.value)} ${r.unit}` : "—";
  const status = !r.budget
    ? ""
    : r.budget.ok
      ? "ok"
      : `MISSED by ${fmt(r.budget.missByAbs)} ${r.unit}${r.budget.missBy === null ? "" : ` (${(r.budget.missBy * 100).toFixed(0)} %)`}`;
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
for (const s of skipped) console.log(`skipped: ${s.measure}: ${s.reason}`);
for (const f of failures) console.error(`failed: ${f}`);
const totalSeconds = (performance.now() - benchStart) / 1000;
console.log(`\ntotal ${totalSeconds.toFixed(1)} s${args.quick ? " (--quick)" : ""}`);

writeFileSync(
  args.out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      commit: gitCommit(),
      node: process.version,
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores: os.cpus().length,
      memoryBytes: os.totalmem(),
      // other processes on the machine add noise: the 1-minute load average at start and end
      loadavg: { start: loadStart[0], end: os.loadavg()[0] },
      quick: args.quick,
      totalSeconds,
      measureSeconds: seconds,
      results,
      skipped,
      failures,
      details,
    },
    null,
    2,
  ) + "\n",
);
console.log(`\nwrote ${path.relative(process.cwd(), args.out) || args.out}`);
process.exit(failures.length ? 1 : 0);
