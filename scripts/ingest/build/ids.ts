/** A run's default title and id, from what its document says (model, hardware, runtime, date). */
import type { RunDoc } from "./types.ts";

export const slugify = (s: string): string =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/\.+/g, ".")
    .replace(/^[-.]+|[-.]+$/g, "")
    .replace(/-+/g, "-");

export function defaultTitle(doc: RunDoc): string {
  const m = doc.model ?? {};
  const h = doc.hardware ?? {};
  const r = doc.runtime ?? {};
  const model = [m.name ?? m.preset ?? m.arch ?? "unknown model", m.ftype].filter(Boolean).join(" ");
  const hw = h.gpu?.name ?? h.preset ?? h.description ?? "unknown hardware";
  const rt = [r.engine, r.backend ? String(r.backend).toUpperCase() : undefined].filter(Boolean).join(" ");
  return `${model} on ${hw} (${rt})`;
}

export function defaultId(doc: RunDoc, date: string | undefined, hash: string): string {
  const m = doc.model ?? {};
  const h = doc.hardware ?? {};
  const r = doc.runtime ?? {};
  const model = slugify(String(m.preset ?? [m.name ?? m.arch ?? "model", m.ftype].filter(Boolean).join("-")));
  const hwName = h.preset
    ? String(h.preset).replace(/^(apple|nvidia|amd)-/, "")
    : slugify(String(h.gpu?.name ?? h.description ?? "unknown-hw").replace(/^(NVIDIA|AMD|Apple)\s+/i, ""));
  const rt = slugify([r.engine, r.backend].filter((x) => x && x !== "unknown").join("-")) || "unknown-runtime";
  const parts = [date ?? "undated", model, hwName, rt].map(slugify).filter(Boolean);
  // default ids avoid dots (URL path segments, content-collection ids): llama.cpp → llama-cpp
  let id = parts.join("-").replace(/\./g, "-").replace(/-+/g, "-");
  if (id.length > 100) id = id.slice(0, 100).replace(/[-.]+$/, "");
  return date ? id : `${id}-${hash.slice(0, 8)}`;
}
