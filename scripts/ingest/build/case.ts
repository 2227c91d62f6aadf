/**
 * The points of one case (a subfolder, or the top-level files whose names state the same
 * configuration): logs first, then process-level outputs, then case.json and the names.
 */
import type { SourceTool } from "../../../src/schemas/run.ts";
import type { InputFile } from "../files.ts";
import { newDraft, type PointDraft } from "../points/draft.ts";
import { llamaLogPoints, ollamaLogPoints } from "./case-logs.ts";
import { caseJsonFacts, hasMeasurement, nameConfigs, processFilePoints } from "./case-process.ts";
import type { RunFacts } from "./run-facts.ts";
import type { ParsedFile } from "./types.ts";

/** What building one case reads and writes. */
export interface CaseContext {
  /** Point id (`id#n` when a log gives several). */
  id: string;
  /** The case's subfolder name (its configuration), undefined for top-level files. */
  folderName: string | undefined;
  files: ParsedFile[];
  /** Idle GPU baseline subtracted from nvidia-smi peaks. */
  baseline: { bytes: number; what: string } | undefined;
  rf: RunFacts;
  rawPath: (f: InputFile) => string;
  tools: Set<SourceTool>;
  drafts: PointDraft[];
  info: string[];
}

/** Build the points of one case (subfolder or group of top-level files). */
export function buildCase(c: Omit<CaseContext, "drafts" | "info">): { drafts: PointDraft[]; info: string[] } {
  const ctx: CaseContext = { ...c, drafts: [], info: [] };
  const files = ctx.files;
  for (const p of files) if (p.tool === "llama.cpp" && p.facts) llamaLogPoints(ctx, p);
  for (const p of files) if (p.tool === "ollama" && p.facts) ollamaLogPoints(ctx, p);
  const processFiles = files.filter((p) => p.facts && p.tool !== "llama.cpp" && p.tool !== "ollama");
  const cj = files.find((p) => p.tool === "case-json");
  const caseJson = cj?.json as Record<string, unknown> | undefined;
  if (ctx.drafts.length === 0 && (hasMeasurement(processFiles) || caseJson)) ctx.drafts.push(newDraft(ctx.id));
  processFilePoints(ctx, processFiles);
  if (cj && caseJson) caseJsonFacts(ctx, cj, caseJson);
  nameConfigs(ctx);
  return { drafts: ctx.drafts, info: ctx.info };
}
