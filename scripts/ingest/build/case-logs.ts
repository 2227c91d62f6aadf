/**
 * Points from the logs of one case: one llama.cpp main context = one point; an Ollama log gives a
 * point per runner context (or per load with memory lines when the runner log is not embedded).
 */
import { formatDateRange } from "../build-date.ts";
import { mainContexts, modelOf, type LlamaCppFacts } from "../parsers/llama-cpp.ts";
import type { OllamaFacts } from "../parsers/ollama.ts";
import { newDraft } from "../points/draft.ts";
import { applyContext } from "../points/llama-context.ts";
import { applyMemprobe } from "../points/memprobe.ts";
import { applyOllamaLoad } from "../points/ollama.ts";
import { runFactsFromLlama } from "./log-facts.ts";
import type { CaseContext } from "./case.ts";
import type { ParsedFile } from "./types.ts";

/** `id`, or `id#n` when a file gives several points. */
const pointId = (id: string, i: number, n: number): string => (n > 1 ? `${id}#${i + 1}` : id);

export function llamaLogPoints(c: CaseContext, p: ParsedFile): void {
  const f = p.facts as LlamaCppFacts;
  c.tools.add("llama.cpp");
  runFactsFromLlama(c.rf, f, p.file.rel);
  c.rf.narrow(formatDateRange(f));
  const ctxs = mainContexts(f);
  if (ctxs.length === 0) {
    const why = f.contexts.length ? "only draft or --fit dry-run contexts" : "no context lines (n_ctx, KV, compute)";
    c.info.push(`${p.file.rel}: llama.cpp log with ${why}; no point`);
    return;
  }
  const path = c.rawPath(p.file);
  ctxs.forEach((ctx, i) => {
    const d = newDraft(pointId(c.id, i, ctxs.length));
    applyContext(d, f, ctx, modelOf(f, ctx), path);
    d.warnings.push(
      ...f.warnings.map((w) => ({ file: path, line: w.line || undefined, message: `${w.message}: ${w.text}` })),
    );
    if (p.memprobeInLog && ctxs.length === 1) applyMemprobe(d, p.memprobeInLog, path, "log");
    c.drafts.push(d);
  });
}

export function ollamaLogPoints(c: CaseContext, p: ParsedFile): void {
  const o = p.facts as OllamaFacts;
  c.tools.add("ollama");
  c.rf.set("runtime.ollama_version", o.version, p.file.rel);
  c.rf.set("engine", "ollama", p.file.rel);
  const path = c.rawPath(p.file);
  const lctx = mainContexts(o.llama);
  if (lctx.length) {
    runFactsFromLlama(c.rf, o.llama, p.file.rel);
    c.rf.values.set("engine", "ollama");
    lctx.forEach((ctx, i) => {
      const d = newDraft(pointId(c.id, i, lctx.length));
      applyContext(d, o.llama, ctx, modelOf(o.llama, ctx), path);
      const load = o.loads[Math.min(i, o.loads.length - 1)];
      if (load) applyOllamaLoad(d, o, { ...load, kv: [], compute: [], weights: [] }, path);
      c.drafts.push(d);
    });
  } else {
    const loads = o.loads.filter((l) => l.kv.length || l.compute.length || l.weights.length);
    loads.forEach((l, i) => {
      const d = newDraft(pointId(c.id, i, loads.length));
      applyOllamaLoad(d, o, l, path);
      c.drafts.push(d);
    });
    if (!loads.length) c.info.push(`${p.file.rel}: Ollama log without memory lines; no point`);
    if (o.loads.some((l) => l.offload))
      c.info.push(`${p.file.rel}: msg=offload lines are Ollama's estimates and are kept as notes, not measurements`);
  }
  const gpu = o.devices.find((x) => x.library && x.library !== "cpu");
  if (gpu) c.rf.set("hardware.gpu.name", gpu.description ?? gpu.name, p.file.rel);
}
