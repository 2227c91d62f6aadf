/**
 * Stage 3, points: a bare raw output is one case; a folder's files are grouped into cases
 * (subfolders, and top-level files by the configuration their names state), with the idle GPU
 * baseline taken from baseline/ first.
 */
import { basename } from "node:path";
import { MiB } from "../../../src/lib/units.ts";
import type { InputFile } from "../files.ts";
import type { NvidiaSmiFacts } from "../parsers/nvidia-smi.ts";
import { applyConfig, configFromName } from "../points/config.ts";
import { buildCase } from "./case.ts";
import { destOf } from "./collect.ts";
import { slugify } from "./ids.ts";
import type { IdleBaseline } from "./run-facts.ts";
import type { ParsedFile, RunDraft } from "./types.ts";

const NON_POINT_DIRS = /^(baseline|provenance|\..*|smoke_.*)$/;

/** Group a folder's files into cases: subfolders, and top-level files by the config their names state. */
function groupCases(files: ParsedFile[]): {
  cases: Map<string, ParsedFile[]>;
  baseline: ParsedFile[];
  skipped: string[];
} {
  const cases = new Map<string, ParsedFile[]>();
  const baseline: ParsedFile[] = [];
  const skipped = new Set<string>();
  const add = (key: string, p: ParsedFile) => {
    const list = cases.get(key) ?? [];
    list.push(p);
    cases.set(key, list);
  };
  for (const p of files) {
    const parts = p.file.rel.split("/");
    if (parts.length === 1) {
      if (parts[0] === "run.json") continue;
      const c = configFromName(parts[0].replace(/\.[^.]*$/, ""));
      const key = Object.keys(c).length
        ? Object.entries(c)
            .map(([k, v]) => `${k}=${v}`)
            .join(",")
        : "";
      add(`file:${key}`, p);
      continue;
    }
    const top = parts[0];
    if (top === "baseline") baseline.push(p);
    if (NON_POINT_DIRS.test(top)) {
      skipped.add(top);
      continue;
    }
    add(`dir:${top}`, p);
  }
  return { cases, baseline, skipped: [...skipped] };
}

/** The idle baseline is the baseline/ nvidia-smi file with the most samples (the peak over them, conservatively). */
function idleBaseline(d: RunDraft, baseline: ParsedFile[]): (IdleBaseline & { file: InputFile }) | undefined {
  let base: (IdleBaseline & { file: InputFile }) | undefined;
  let baseSamples = 0;
  for (const b of baseline) {
    if (b.tool !== "nvidia-smi" || !b.facts) continue;
    const n = b.facts as NvidiaSmiFacts;
    for (const g of Object.values(n.gpus)) {
      if (g.usedPeak && n.samples > baseSamples) {
        base = { bytes: g.usedPeak.bytes, what: `peak of ${n.samples} idle samples in ${b.file.rel}`, file: b.file };
        baseSamples = n.samples;
      }
      if (g.totalMiB) d.facts.set("hardware.gpu.memory_bytes", g.totalMiB * MiB, b.file.rel);
      if (g.reservedMiB !== undefined) d.facts.set("hardware.gpu.reserved_bytes", g.reservedMiB * MiB, b.file.rel);
      if (g.name) d.facts.set("hardware.gpu.name", g.name, b.file.rel);
      if (g.driverVersion) d.facts.set("hardware.gpu.driver", g.driverVersion, b.file.rel);
    }
  }
  return base;
}

const caseInput = (d: RunDraft) => ({ rf: d.facts, rawPath: (f: InputFile) => destOf(d, f), tools: d.tools });

/** A bare raw output: one case, configured by its file name. */
function rawUnitPoints(d: RunDraft, p: ParsedFile): void {
  const name = basename(p.file.rel);
  const r = buildCase({
    ...caseInput(d),
    id: slugify(name.replace(/\.[^.]*$/, "")) || "point",
    folderName: undefined,
    files: [p],
    baseline: undefined,
  });
  d.drafts = r.drafts;
  d.info.push(...r.info);
  for (const x of d.drafts) applyConfig(x, configFromName(name.replace(/\.[^.]*$/, "")), "file-name");
}

/** A folder: its cases in name order, each case's drafts appended. */
function folderPoints(d: RunDraft, parsed: ParsedFile[]): void {
  const { cases, baseline, skipped } = groupCases(parsed);
  if (skipped.length) d.info.push(`not points: ${skipped.join(", ")}`);
  const base = idleBaseline(d, baseline);
  if (base) d.facts.set("measurement.idle_gpu_baseline", base);
  for (const [key, files] of [...cases.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const isDir = key.startsWith("dir:");
    const name = key.slice(key.indexOf(":") + 1);
    if (!isDir && files.every((p) => !p.facts)) continue;
    const id = isDir ? name : name ? slugify(name.replace(/[=,]/g, "-")) : "point";
    const r = buildCase({ ...caseInput(d), id, folderName: isDir ? name : undefined, files, baseline: base });
    if (isDir && r.drafts.length === 0) d.info.push(`${name}/: no measurement found; not a point`);
    for (const x of r.drafts) d.drafts.push(x); // no push(...): case counts come from the input
    for (const i of r.info) d.info.push(i);
  }
}

/** Stage 3: the point drafts of a parsed folder or raw unit. */
export function points(d: RunDraft, parsed: ParsedFile[]): void {
  if (d.unit.kind === "raw") rawUnitPoints(d, parsed[0]);
  else folderPoints(d, parsed);
}
