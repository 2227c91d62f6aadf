/**
 * Resolve `--model` for `npm run calc`: a preset id (data/models/<id>.json, field
 * `architecture`), a JSON file (a preset or a bare architecture), a local .gguf file or an
 * http(s) URL of one (header only, via src/lib/gguf).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ArchitectureSchema } from "../../src/schemas/architecture.ts";
import type { Architecture } from "../../src/schemas/architecture.ts";
import { WeightVariantSchema } from "../../src/schemas/model.ts";
import type { WeightVariant } from "../../src/schemas/model.ts";
import type * as GgufModule from "../../src/lib/gguf/index.ts";
import type * as GgufNodeModule from "../../src/lib/gguf/node.ts";
import { findPreset, readPresets, suggestionText } from "./presets.ts";
import { headerToModel, ModelLoadError } from "./loaded-model.ts";
import type { LoadedModel } from "./loaded-model.ts";
import { importModel } from "./import-model.ts";
import { issueLines } from "../../src/lib/zod-issues.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import type { ImportOptions } from "./import-model.ts";

export { ModelLoadError, headerToModel } from "./loaded-model.ts";
export type { LoadedModel } from "./loaded-model.ts";

/** A schema refusal as one line (src/lib/zod-issues.ts): `where: path: message (received …)`. */
function zodLine(e: z.ZodError, where: string, input: unknown): string {
  return issueLines(e.issues, { input, where, max: 1 })[0];
}

function parseArch(raw: unknown, where: string): Architecture {
  const r = ArchitectureSchema.safeParse(raw);
  if (!r.success) throw new ModelLoadError(zodLine(r.error, where, raw));
  return r.data;
}

function fromJsonFile(path: string, label: string): LoadedModel {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ModelLoadError(`${label}: cannot read JSON (${(e as Error).message})`);
  }
  const obj = raw as Record<string, unknown> | null;
  if (obj && typeof obj === "object" && "architecture" in obj) {
    let weights: WeightVariant[] | null = null;
    if ("weights" in obj) {
      const w = z.array(WeightVariantSchema).safeParse(obj.weights);
      if (!w.success) throw new ModelLoadError(zodLine(w.error, `${label} (weights)`, obj.weights));
      weights = w.data;
    }
    return {
      architecture: parseArch(obj.architecture, `${label} (architecture)`),
      tensors: null,
      tensorsFtype: null,
      weights,
      source: label,
    };
  }
  return { architecture: parseArch(raw, label), tensors: null, tensorsFtype: null, weights: null, source: label };
}

async function fromGguf(spec: string): Promise<LoadedModel> {
  // Lazy import: the GGUF module (owned by the GGUF helper) is only needed for GGUF inputs.
  let gguf: typeof GgufModule;
  let node: typeof GgufNodeModule;
  try {
    gguf = await import("../../src/lib/gguf/index.ts");
    node = await import("../../src/lib/gguf/node.ts");
  } catch (e) {
    throw new ModelLoadError(`GGUF support is not available (${(e as Error).message})`);
  }
  let header;
  try {
    header = await node.readGgufHeader(spec);
  } catch (e) {
    throw new ModelLoadError((e as Error).message);
  }
  return headerToModel(gguf, [header], spec);
}

/** Load `--model`. Throws ModelLoadError (exit 1) naming the file or field. */
export async function loadModel(spec: string, importOpts: ImportOptions = {}): Promise<LoadedModel> {
  if (/^(hf|ollama):/i.test(spec)) return importModel(spec, importOpts);
  if (/^https?:\/\//i.test(spec) || spec.toLowerCase().endsWith(".gguf")) {
    if (!/^https?:\/\//i.test(spec) && !existsSync(spec)) throw new ModelLoadError(`${spec}: no such file`);
    return fromGguf(spec);
  }
  if (spec.endsWith(".json") || (spec.includes("/") && existsSync(spec)) || /^[./~]/.test(spec)) {
    if (!existsSync(spec)) throw new ModelLoadError(`${spec}: no such file`);
    return fromJsonFile(spec, spec);
  }
  const direct = /^[a-z0-9][a-z0-9._-]*$/i.test(spec) ? join(REPO_ROOT, "data", "models", `${spec}.json`) : null;
  if (direct && existsSync(direct)) return fromJsonFile(direct, `data/models/${spec}.json`);
  // A display name, an Ollama tag or a Hugging Face repo name: find the preset it names.
  const found = findPreset(readPresets(join(REPO_ROOT, "data")), spec);
  if (!found.match) throw new ModelLoadError(`--model "${spec}": no such preset; ${suggestionText(found.suggestions)}`);
  return { ...fromJsonFile(join(REPO_ROOT, found.match.file), found.match.file), tagFtype: found.ftype };
}
