/**
 * llama.cpp engine revisions (src/schemas/runtime-config.ts) and the build dates each covers:
 * ingest bounds a log's build date by its line formats (scripts/ingest/build-date.ts) and the
 * cross-check compares a run with every revision that range allows. Dates are half-open [from, to).
 */

import type { ENGINE_REVISIONS } from "../kv-types.ts";

/** llama.cpp engine revisions (the names of ENGINE_REVISIONS) and the build dates they cover. */
export const LLAMA_CPP_REVISIONS = [
  { revision: "current", from: "2026-01-25", to: undefined },
  { revision: "2025-11-07", from: "2025-11-07", to: "2026-01-25" },
  { revision: "2025-10-28", from: "2025-10-28", to: "2025-11-07" },
  { revision: "2025-07-16", from: "2025-07-16", to: "2025-10-28" },
] as const satisfies readonly {
  revision: (typeof ENGINE_REVISIONS)["llama.cpp"][number];
  from: string;
  to: string | undefined;
}[];
export type LlamaCppRevision = (typeof LLAMA_CPP_REVISIONS)[number]["revision"];

/** Revisions whose date span overlaps the range (empty: the build predates what the engine models). */
export function revisionsFor(r: { from?: string; to?: string }): LlamaCppRevision[] {
  return LLAMA_CPP_REVISIONS.filter(
    (x) => (r.to === undefined || x.from < r.to) && (r.from === undefined || x.to === undefined || x.to > r.from),
  ).map((x) => x.revision);
}
