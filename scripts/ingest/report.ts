/** Human and JSON renderings of an ingest report. */
import { MiB } from "../../src/lib/units.ts";
import { printable } from "../../src/lib/printable.ts";
import type { IngestReport, RunReport } from "./outcome.ts";
import type { Comparison } from "../../src/lib/runs/crosscheck.ts";

const mib = (b: number) => `${(b / MiB).toFixed(2)}`;

function cell(c: Comparison | undefined): string {
  if (!c) return "—";
  const d = c.delta_percent === null ? "n/a" : `${c.delta_percent >= 0 ? "+" : ""}${c.delta_percent.toFixed(2)}%`;
  const mark = c.exact_match ? " =" : c.flagged ? (c.lowers_ceiling ? " ▲!" : " !") : "";
  const unc = c.basis === "uncalibrated estimate" ? " ~" : "";
  return `${mib(c.measured)}/${mib(c.calculated)} ${d}${mark}${unc}`;
}

function runText(r: RunReport, verbose: boolean): string[] {
  const verb =
    r.action === "unchanged"
      ? "unchanged"
      : r.dryRun
        ? `would ${r.action}`
        : r.action === "create"
          ? "created"
          : "replaced";
  const out = [
    `${verb} ${r.file} (from ${r.input}): ${r.points} point${r.points === 1 ? "" : "s"}, ${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"}`,
  ];
  for (const i of r.info) out.push(`  note: ${i}`);
  for (const w of r.warnings.slice(0, verbose ? Infinity : 10)) out.push(`  warning: ${w}`);
  if (!verbose && r.warnings.length > 10) out.push(`  … ${r.warnings.length - 10} more warnings (--json lists all)`);
  const ch = r.check;
  if (!ch) return out;
  if (ch.error) {
    out.push(`  cross-check: not computed — ${ch.error}`);
    return out;
  }
  const metrics = [
    "kv_bytes",
    "compute_bytes",
    "gpu_used_bytes",
    "peak_rss_bytes",
    "peak_footprint_bytes",
    "recurrent_bytes",
  ] as const;
  const used = metrics.filter((m) => ch.points.some((p) => p.comparisons.some((c) => c.metric === m)));
  for (const prof of ch.profiles) {
    const pts = ch.points.filter((p) => p.profile.name === prof.name && p.profile.revision === prof.revision);
    out.push(
      `  cross-check with ${prof.name} ${prof.revision} rules (MiB measured/calculated, delta; "=" exact within print resolution, "!" |delta| > 15 %, "▲!" lowers the ceiling, "~" uncalibrated estimate: no ceiling rule):`,
    );
    const rows = pts.map((p) => [
      p.point,
      ...(p.error ? [`error: ${p.error}`] : used.map((m) => cell(p.comparisons.find((c) => c.metric === m)))),
    ]);
    const head = ["point", ...used];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
    out.push(`    ${head.map((h, i) => h.padEnd(widths[i])).join("  ")}`);
    for (const row of rows) out.push(`    ${row.map((c, i) => c.padEnd(widths[i])).join("  ")}`);
    if (pts.some((p) => p.comparisons.some((c) => c.baseline_bytes !== undefined)))
      out.push(
        "    peak_rss_bytes: peak RSS less the process's RSS before the model load (PROC start/before_model_load)",
      );
    const assumed = [...new Set(pts.flatMap((p) => p.assumed))];
    if (assumed.length) out.push(`    assumed engine defaults (not stated by the inputs): ${assumed.join(", ")}`);
  }
  out.push(
    ch.ceiling.lower
      ? `  ceiling rule: LOWER the context ceiling — ${ch.ceiling.reasons.length} measurement(s) exceed the calculation by > 15 % (worst ×${ch.ceiling.worst_factor.toFixed(3)}); ${ch.ceiling.reasons.slice(0, 3).join("; ")}`
      : ch.ceiling.not_applied.length
        ? "  ceiling rule: no exact or calibrated calculation is exceeded by more than 15 %; the ceiling stands"
        : "  ceiling rule: no measurement exceeds the calculation by more than 15 %; the ceiling stands",
  );
  if (ch.ceiling.not_applied.length)
    out.push(
      `  not applied to ${ch.ceiling.not_applied.length} measurement(s) > 15 % above an uncalibrated estimate (calibration evidence): ${ch.ceiling.not_applied.slice(0, 3).join("; ")}${ch.ceiling.not_applied.length > 3 ? " …" : ""}`,
    );
  return out;
}

export function renderText(rep: IngestReport, verbose = false): string {
  const out: string[] = [];
  for (const r of rep.recovered ?? []) out.push(`recovered: ${r}`);
  for (const e of rep.errors) out.push(`error: ${e.format()}`);
  // a loop, not push(...rows): a run of 60 000 points would overflow the call stack
  for (const r of rep.runs) for (const line of runText(r, verbose)) out.push(line);
  if (!rep.ok) out.push("nothing was written");
  // names, warnings and notes come from input files: no raw control characters to the terminal
  return printable(out.join("\n"));
}

export function renderJson(rep: IngestReport): string {
  return JSON.stringify(
    { ok: rep.ok, runs: rep.runs, errors: rep.errors.map((e) => e.toJSON()), recovered: rep.recovered ?? [] },
    null,
    2,
  );
}
