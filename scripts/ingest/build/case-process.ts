/**
 * Process-level outputs of one case (peak RSS, footprint, GPU peak, memprobe, ollama ps) attach to
 * the case's point when it has exactly one; llama-bench gives model and build facts only; case.json
 * and the folder/file names give configuration.
 */
import { basename } from "node:path";
import type { SourceTool } from "../../../src/schemas/run.ts";
import { MiB } from "../../../src/lib/units.ts";
import type { RawFacts } from "../detect.ts";
import type { FootprintFacts } from "../parsers/footprint.ts";
import type { LlamaBenchFacts } from "../parsers/llama-bench.ts";
import type { MemprobeFacts } from "../parsers/memprobe.ts";
import type { NvidiaSmiFacts } from "../parsers/nvidia-smi.ts";
import type { OllamaPsFacts } from "../parsers/ollama-ps.ts";
import type { TimeLFacts } from "../parsers/time-l.ts";
import type { TimeVFacts } from "../parsers/time-v.ts";
import type { VmmapFacts } from "../parsers/vmmap.ts";
import { applyConfig, caseStatus, configFromCaseJson, configFromName } from "../points/config.ts";
import type { PointDraft } from "../points/draft.ts";
import { applyMemprobe } from "../points/memprobe.ts";
import {
  applyFootprint,
  applyNvidiaSmi,
  applyOllamaPs,
  applyTimeL,
  applyTimeV,
  applyVmmap,
} from "../points/process.ts";
import type { CaseContext } from "./case.ts";
import type { ParsedFile } from "./types.ts";

const MEASURING_TOOLS = [
  "time-v",
  "time-l",
  "footprint",
  "footprint-json",
  "vmmap",
  "nvidia-smi",
  "memprobe",
  "ollama-ps",
];

function toolOfFacts(f: RawFacts): SourceTool {
  return f.tool === "footprint" ? "footprint" : (f.tool as SourceTool);
}

function dateOf(s: unknown): string | undefined {
  return typeof s === "string" && /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : undefined;
}

/** Whether the case's process-level files measure anything (then a case without logs is a point). */
export function hasMeasurement(files: ParsedFile[]): boolean {
  return files.some((p) => MEASURING_TOOLS.includes(p.tool!));
}

function llamaBenchFacts(c: CaseContext, p: ParsedFile): void {
  const b = p.facts as LlamaBenchFacts;
  c.tools.add("llama-bench");
  const r = b.records[0];
  if (r) {
    c.rf.set("runtime.llama_cpp.commit", r.buildCommit, p.file.rel);
    if (r.buildNumber) c.rf.set("runtime.llama_cpp.build_number", r.buildNumber, p.file.rel);
    c.rf.set("hardware.gpu.name", r.gpuInfo, p.file.rel);
    c.rf.set("model.weights_bytes", r.modelSizeBytes, p.file.rel);
    c.rf.set("model.params", r.modelParams, p.file.rel);
  }
  c.info.push(`${p.file.rel}: llama-bench reports no memory except model_size; used for model and build facts`);
}

/** Attach one process-level output to the case's single point. */
function applyProcessFile(c: CaseContext, single: PointDraft, p: ParsedFile): void {
  const f = p.facts!;
  const path = c.rawPath(p.file);
  c.tools.add(toolOfFacts(f));
  switch (p.tool) {
    case "memprobe": {
      const m = f as MemprobeFacts;
      applyMemprobe(single, m, path, "stdout");
      if (m.result?.model_size) c.rf.set("model.weights_bytes", m.result.model_size, p.file.rel);
      if (m.result?.n_params) c.rf.set("model.params", m.result.n_params, p.file.rel);
      break;
    }
    case "time-v":
      applyTimeV(single, f as TimeVFacts, path);
      break;
    case "time-l":
      applyTimeL(single, f as TimeLFacts, path);
      break;
    case "footprint":
    case "footprint-json":
      applyFootprint(single, f as FootprintFacts, path);
      break;
    case "vmmap":
      applyVmmap(single, f as VmmapFacts, path);
      break;
    case "nvidia-smi": {
      const n = f as NvidiaSmiFacts;
      applyNvidiaSmi(single, n, path, c.baseline);
      const g = Object.values(n.gpus)[0];
      if (g?.totalMiB) c.rf.set("hardware.gpu.memory_bytes", g.totalMiB * MiB, p.file.rel);
      break;
    }
    case "ollama-ps":
      applyOllamaPs(single, f as OllamaPsFacts, path);
      break;
  }
  for (const w of (f as { warnings?: { line: number; text: string; message: string }[] }).warnings ?? [])
    single.warnings.push({
      file: path,
      line: w.line || undefined,
      message: w.text ? `${w.message}: ${w.text}` : w.message,
    });
}

/** Process-level outputs: attached to the single point, else noted as not attributable. */
export function processFilePoints(c: CaseContext, processFiles: ParsedFile[]): void {
  const single = c.drafts.length === 1 ? c.drafts[0] : undefined;
  for (const p of processFiles) {
    if (p.tool === "llama-bench") {
      llamaBenchFacts(c, p);
      continue;
    }
    if (!single) {
      if (c.drafts.length > 1)
        c.info.push(
          `${p.file.rel}: a process-level ${p.tool} output cannot be attributed to one of ${c.drafts.length} points; kept verbatim, not used`,
        );
      continue;
    }
    applyProcessFile(c, single, p);
  }
}

/** case.json (what `npm run profile` writes): configuration, status and run facts. */
export function caseJsonFacts(c: CaseContext, cj: ParsedFile, caseJson: Record<string, unknown>): void {
  for (const d of c.drafts) {
    applyConfig(d, configFromCaseJson(caseJson), "case.json");
    d.raw_files.add(c.rawPath(cj.file));
    const st = caseStatus(caseJson);
    if (st) {
      d.status = st.status;
      d.notes.push(st.note);
    }
  }
  const rel = cj.file.rel;
  c.rf.set("date", dateOf(caseJson.start_utc), rel);
  c.rf.set("hardware.gpu.name", typeof caseJson.device === "string" ? caseJson.device : undefined, rel);
  c.rf.set(
    "hardware.gpu.driver",
    typeof caseJson.driver_version === "string" ? caseJson.driver_version : undefined,
    rel,
  );
  if (typeof caseJson.llama_cpp_version === "string")
    c.rf.set("runtime.llama_cpp.version", caseJson.llama_cpp_version.split(/\s+/)[0], rel);
}

/** Configuration from the folder's name, else from each file's name; memprobe and case.json join every point. */
export function nameConfigs(c: CaseContext): void {
  if (c.folderName) for (const d of c.drafts) applyConfig(d, configFromName(c.folderName), "folder-name");
  for (const p of c.files) {
    const nameCfg = configFromName(basename(p.file.rel).replace(/\.[^.]*$/, ""));
    if (!c.folderName && Object.keys(nameCfg).length)
      for (const d of c.drafts) if (d.raw_files.has(c.rawPath(p.file))) applyConfig(d, nameCfg, "file-name");
  }
  for (const p of c.files)
    for (const d of c.drafts) if (p.tool === "memprobe" || p.tool === "case-json") d.raw_files.add(c.rawPath(p.file));
}
