/**
 * Models that are not in the catalog, as permalinks and as edits: the `arch=` payload (an
 * architecture plus the name it came with), validated by the engine's own architecture schema so
 * a hand-edited field gets the same error the CLI would give.
 */
import { ArchitectureSchema, type Architecture } from "../../schemas/architecture.ts";
import type { LoadedModel } from "./view.ts";
import { issueLines } from "../zod-issues.ts";
import type { CustomPayload } from "./custom-payload.ts";

export { encodeCustom, type CustomPayload } from "./custom-payload.ts";

export type ParseResult = { ok: true; arch: Architecture } | { ok: false; errors: string[] };

/** Validate an architecture given as JSON text or object; errors name the field. */
export function parseArchitecture(input: string | unknown): ParseResult {
  let raw: unknown = input;
  if (typeof input === "string") {
    try {
      raw = JSON.parse(input);
    } catch (e) {
      return { ok: false, errors: [`not valid JSON: ${(e as Error).message}`] };
    }
  }
  const r = ArchitectureSchema.safeParse(raw);
  if (r.success) return { ok: true, arch: r.data };
  return {
    ok: false,
    errors: issueLines(r.error.issues, { input: raw }),
  };
}

/** `arch=` payload → a loaded model; null plus errors when it does not validate. */
export function loadCustom(json: string, kind: "gguf" | "custom"): { model: LoadedModel | null; errors: string[] } {
  let p: CustomPayload;
  try {
    p = JSON.parse(json) as CustomPayload;
  } catch (e) {
    return { model: null, errors: [`arch: not valid JSON (${(e as Error).message})`] };
  }
  const r = parseArchitecture(p?.a);
  if (!r.ok) return { model: null, errors: r.errors.map((e) => `arch.${e}`) };
  return {
    model: {
      kind,
      name: p.n ?? (kind === "gguf" ? "GGUF" : "custom"),
      architecture: r.arch,
      tensors: null,
      tensorsFtype: p.t ?? null,
      fileBytes: null,
      url: null,
    },
    errors: [],
  };
}
