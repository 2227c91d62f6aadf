/**
 * npm run ingest -- [options] <run.json | run folder | raw output | ->...
 *
 * Turns profiling outputs into validated runs in data/runs/<id>.json, keeping the raw inputs
 * verbatim in data/raw/<id>/. Exit 0 success, 1 invalid input (nothing written), 2 usage error.
 */
import { parseArgs } from "node:util";
import { ingest, reparse } from "./ingest/index.ts";
import { renderJson, renderText } from "./ingest/report.ts";

const HELP = `Usage: npm run ingest -- [options] <input>...

Inputs (any number; all are validated before anything is written):
  run.json            a run in the run schema (sizes may be "320 MiB" / "8.6 GB" strings)
  <folder>            a run folder: run.json (metadata, points optional) and raw outputs, or a
                      measurement folder with one subfolder per configuration (smoke_*, baseline/
                      and provenance/ are not points; baseline/ gives the idle GPU baseline)
  <raw output>        a llama.cpp/llama-server log, Ollama server log, ollama ps, llama-bench
                      JSON/JSONL, footprint (text or --json), vmmap --summary, /usr/bin/time -l
                      or -v output, nvidia-smi CSV; what it does not state is recorded as unknown
  -                   standard input (one raw output or run JSON)

Options:
  --meta <file>       run metadata (run schema, partial) for facts the outputs do not state;
                      stored under data/sources/
  --replace           replace a run that already exists with a different input
  --reparse [id...]   re-parse stored runs from data/raw/ (all runs when no id is given)
  --dry-run           validate and report, write nothing
  --json              machine-readable report on stdout
  --data-dir <dir>    data folder to write (default: the repo's data/)
  --no-check          skip the cross-check against the engine
  --verbose           list every warning
  -h, --help          this help

Exit status: 0 success (also "unchanged"), 1 invalid input (nothing written), 2 usage error.`;

function usage(msg: string): never {
  process.stderr.write(`ingest: ${msg}\n(see npm run ingest -- --help)\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      meta: { type: "string" },
      replace: { type: "boolean" },
      reparse: { type: "boolean" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      "data-dir": { type: "string" },
      "no-check": { type: "boolean" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (e) {
  usage((e as Error).message);
}
const o = args.values;
if (o.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
if (o.reparse && o.meta) usage("--meta cannot be combined with --reparse (a run keeps the meta it was ingested with)");
if (!o.reparse && args.positionals.length === 0)
  usage("no input given: name run JSON files, run folders, raw outputs or -");
if (args.positionals.filter((p) => p === "-").length > 1) usage("standard input (-) can be named only once");

const common = {
  dataDir: o["data-dir"],
  dryRun: !!o["dry-run"],
  replace: !!o.replace,
  check: !o["no-check"],
};
const rep = o.reparse
  ? await reparse({ ...common, ids: args.positionals })
  : await ingest(args.positionals, { ...common, meta: o.meta, stdin: process.stdin });
if (o.json) process.stdout.write(`${renderJson(rep)}\n`);
else {
  const text = renderText(rep, !!o.verbose);
  (rep.ok ? process.stdout : process.stderr).write(`${text}\n`);
}
process.exitCode = rep.ok ? 0 : 1;
