/**
 * Stage 4, metadata: the declared run (run JSON or run.json, then --meta) with what the raw
 * outputs state filled in where nothing was declared — a declared value always wins, and a raw
 * output that contradicts a checked field becomes a warning — then the engine profile.
 */
import type { RunInput } from "../../../src/schemas/run.ts";
import { showValue } from "../errors.ts";
import { inferProfile } from "./profile.ts";
import type { FactPath } from "./run-facts.ts";
import type { RunDoc, RunDraft } from "./types.ts";

/** Declared fields a raw output is checked against (a disagreement is a warning). */
const CHECKED = new Set([
  "runtime.llama_cpp.commit",
  "runtime.llama_cpp.version",
  "runtime.backend",
  "model.arch",
  "model.ftype",
  "model.weights_bytes",
  "model.params",
  "date",
]);

/** Run fields the raw outputs may fill, in the order they are filled. */
const FILLED: FactPath[] = [
  "hardware.gpu.name",
  "hardware.gpu.memory_bytes",
  "hardware.gpu.reserved_bytes",
  "hardware.gpu.driver",
  "hardware.gpu_working_set_bytes",
  "hardware.unified_memory",
  "runtime.backend",
  "runtime.llama_cpp.commit",
  "runtime.llama_cpp.build_number",
  "runtime.llama_cpp.version",
  "runtime.ollama_version",
  "model.arch",
  "model.name",
  "model.ftype",
  "model.weights_bytes",
  "model.params",
  "date",
];

/** The value at a dotted path of a JSON-like object. */
export function valueAtPath(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const p of path.split("."))
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/** Deep merge for metadata: `b` wins. */
function deepMerge<T extends Record<string, unknown>>(a: T, b: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" && !Array.isArray(cur))
      out[k] = deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>);
    else if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** Fill `path` from a raw output unless declared; a checked declared value that differs is warned. */
function fill(d: RunDraft, declared: RunInput, doc: RunDoc, path: string, value: unknown): void {
  if (value === undefined) return;
  const decl = valueAtPath(declared, path);
  if (decl !== undefined) {
    const a = String(decl);
    const b = String(value);
    const same = a === b || (path === "runtime.llama_cpp.commit" && (a.startsWith(b) || b.startsWith(a)));
    if (CHECKED.has(path) && !same)
      d.facts.warnings.push({
        file: d.inputFile,
        message: `${path}: declared ${showValue(decl)} but the raw outputs say ${showValue(value)}; keeping the declared value`,
      });
    return;
  }
  const parts = path.split(".");
  let o = doc as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
  if (o[parts[parts.length - 1]] === undefined) {
    o[parts[parts.length - 1]] = value;
    d.inferred.push(path);
  }
}

/** Engine, model notes and the log's architecture (only when the run names no preset). */
function engineAndModel(d: RunDraft, declared: RunInput, doc: RunDoc): void {
  const rf = d.facts;
  // hardware.gpu needs a name if anything about it is known
  const hw = (doc.hardware ??= {});
  if (hw.gpu && !hw.gpu.name) delete hw.gpu;
  const declaredEngine = valueAtPath(declared, "runtime.engine") as string | undefined;
  const engine = (declaredEngine ?? rf.get("engine") ?? "unknown") as NonNullable<
    NonNullable<RunDoc["runtime"]>["engine"]
  >;
  const rt = (doc.runtime ??= {});
  if (rt.engine === undefined) {
    rt.engine = engine;
    if (engine !== "unknown") d.inferred.push("runtime.engine");
  }
  const notesModel: string[] = [];
  if (rf.get("model.log_file_size")) notesModel.push(`log: file size = ${rf.get("model.log_file_size")}`);
  if (rf.get("model.log_params")) notesModel.push(`log: model params = ${rf.get("model.log_params")}`);
  const md = (doc.model ??= {});
  if (notesModel.length && !md.notes) md.notes = notesModel.join("; ");
  if (!md.preset && !md.architecture && rf.get("model.architecture")) {
    md.architecture = rf.get("model.architecture");
    d.inferred.push("model.architecture");
  }
}

/** Stage 4: the run document without points, and the declared run it started from. */
export function metadata(d: RunDraft): { doc: RunDoc; declared: RunInput } {
  let meta: RunInput = {};
  if (d.opts.meta) {
    meta = d.opts.meta.input;
    d.hashParts.push(`meta\0${d.opts.meta.file.sha256}`);
  }
  const declared = deepMerge(d.input, meta);
  const doc = JSON.parse(JSON.stringify({ ...declared, points: undefined })) as RunDoc & { points?: unknown };
  delete doc.points;
  for (const path of FILLED) fill(d, declared, doc, path, d.facts.get(path));
  engineAndModel(d, declared, doc);
  inferProfile(d, doc);
  return { doc, declared };
}
