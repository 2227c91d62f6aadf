/**
 * Find a catalog entry by what a person types (pure): its id, its display name, its Hugging Face
 * repo, an Ollama tag (`llama3.1:70b`, `qwen3:14b-q8_0`) — with or without spaces, dots, dashes
 * and case — and, on a miss, the nearest entries to suggest. Used by the CLI's --model and
 * --hardware and by the calculator's search.
 */

/** What the finder needs of an entry: an id, a display name and other names it answers to. */
export interface Findable {
  readonly id: string;
  readonly name: string;
  readonly names?: readonly string[];
}

/** Weight file types an Ollama tag may end with (`-q4_K_M`, `-fp16`), as the catalog's ftype ids. */
const TAG_FTYPES: Record<string, string> = {
  q4_k_m: "Q4_K_M",
  q4_k_s: "Q4_K_S",
  q5_k_m: "Q5_K_M",
  q5_k_s: "Q5_K_S",
  q6_k: "Q6_K",
  q8_0: "Q8_0",
  q4_0: "Q4_0",
  q3_k_m: "Q3_K_M",
  q2_k: "Q2_K",
  fp16: "F16",
  f16: "F16",
  bf16: "BF16",
};

/** Lower case, letters and digits only: "Llama 3.1 70B" = "Llama-3.1-70B" = "llama3.1:70b" = "llama3170b". */
export function normalizeName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * Split an Ollama-style weight suffix off a query: "llama3.1:70b-instruct-q4_K_M" →
 * { base: "llama3.1:70b", ftype: "Q4_K_M" }. "-instruct" / "-it" / "-chat" are dropped (the
 * catalog's presets are the instruct models where both exist).
 */
export function splitQuery(q: string): { base: string; ftype: string | null } {
  let base = q.trim();
  let ftype: string | null = null;
  const m = /[-_:](q\d_k_[sm]|q\d_k|q\d_\d|fp16|f16|bf16)$/i.exec(base);
  if (m) {
    ftype = TAG_FTYPES[m[1].toLowerCase()] ?? null;
    base = base.slice(0, m.index);
  }
  base = base.replace(/[-_](instruct|it|chat)$/i, "");
  return { base, ftype };
}

function keys(e: Findable): string[] {
  const out = [e.id, e.name, ...(e.names ?? [])].map(normalizeName);
  return [...new Set(out.filter((k) => k.length > 0))];
}

/** Levenshtein distance (small strings only: names are bounded by the catalog). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return row[b.length];
}

export interface FindResult<T> {
  /** The one entry the query names, or null. */
  readonly match: T | null;
  /** A weight file type named by an Ollama-style suffix of the query, if any. */
  readonly ftype: string | null;
  /** On a miss (or an ambiguous query): the nearest entries, best first. */
  readonly suggestions: T[];
}

/**
 * Exact id; else the one entry one of whose normalized names equals the query's; else, with
 * `contains` (machines: "rtx 4090" in "NVIDIA GeForce RTX 4090"), the one entry whose names contain
 * it; else suggestions. Models leave `contains` off: "llama 70b" is inside a DeepSeek distill's name.
 */
export function findEntry<T extends Findable>(
  list: readonly T[],
  query: string,
  opts: { max?: number; contains?: boolean } = {},
): FindResult<T> {
  const max = opts.max ?? 5;
  const byId = list.find((e) => e.id === query.trim());
  if (byId) return { match: byId, ftype: null, suggestions: [] };
  const { base, ftype } = splitQuery(query);
  const q = normalizeName(base);
  const exact = list.filter((e) => keys(e).includes(q));
  if (exact.length === 1) return { match: exact[0], ftype, suggestions: [] };
  if (exact.length > 1) return { match: null, ftype, suggestions: exact.slice(0, max) };
  const within = opts.contains && q.length >= 3 ? list.filter((e) => keys(e).some((k) => k.includes(q))) : [];
  if (within.length === 1) return { match: within[0], ftype, suggestions: [] };
  if (within.length > 1) return { match: null, ftype, suggestions: within.slice(0, max) };
  return { match: null, ftype, suggestions: nearest(list, q, max) };
}

/** Entries nearest a normalized query: containing it first, then by edit distance. */
export function nearest<T extends Findable>(list: readonly T[], q: string, max = 5): T[] {
  if (q === "") return [];
  const scored = list.map((e) => {
    const ks = keys(e);
    const contains = ks.some((k) => k.includes(q) || q.includes(k));
    const d = Math.min(...ks.map((k) => distance(q, k)));
    return { e, score: (contains ? 0 : 1000) + d };
  });
  scored.sort((a, b) => a.score - b.score || a.e.id.localeCompare(b.e.id));
  const limit = Math.max(3, Math.ceil(q.length / 2));
  return scored
    .filter((s) => s.score < 1000 || s.score - 1000 <= limit)
    .slice(0, max)
    .map((s) => s.e);
}

/** Entries whose names contain the filter (normalized); all entries for an empty filter. */
export function filterEntries<T extends Findable>(list: readonly T[], filter: string): T[] {
  const q = normalizeName(filter);
  if (q === "") return [...list];
  return list.filter((e) => keys(e).some((k) => k.includes(q)));
}

/** The names a model preset answers to: its HF repo (without "-Instruct"), its Ollama tags and aliases. */
export function presetNames(m: {
  hfId?: string | null;
  weights: readonly { ollamaTag: string | null; aliases: readonly string[] }[];
}): string[] {
  const out: string[] = [];
  if (m.hfId) {
    const repo = m.hfId.split("/").pop() ?? m.hfId;
    out.push(repo, splitQuery(repo).base);
  }
  // ":latest" aliases stay whole: "deepseek-r1:latest" is a distill, not the preset deepseek-r1.
  for (const w of m.weights) for (const t of [w.ollamaTag, ...w.aliases]) if (t) out.push(t, splitQuery(t).base);
  return out;
}
