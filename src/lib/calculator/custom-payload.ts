/**
 * The `arch=` payload of a model that is not in the catalog (an architecture plus the name it came
 * with), written without the schema: encoding needs no validation, so the engine chunk carries it
 * and zod stays in the validators' chunk (custom.ts reads payloads back).
 */
import type { Architecture } from "../../schemas/architecture.ts";

export interface CustomPayload {
  /** Architecture input (every field of src/schemas/architecture.ts may appear). */
  a: Record<string, unknown>;
  /** Display name / file name. */
  n?: string;
  /** ftype of the file it came from (GGUF), for display. */
  t?: string | null;
}

/** Architecture → compact JSON (nulls and defaults dropped) for the URL. */
export function encodeCustom(a: Architecture, name: string, ftype: string | null = null): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if (v === null || (k === "swa_dense_first" && v === false) || (k === "nextn_predict_layers" && v === 0)) continue;
    out[k] = v;
  }
  const p: CustomPayload = { a: out, n: name };
  if (ftype) p.t = ftype;
  return JSON.stringify(p);
}
