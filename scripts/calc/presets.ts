/**
 * The catalog's model presets and machines as the CLI finds them by name (src/lib/catalog/find-preset.ts):
 * `--model "Llama 3.1 70B"`, `--model llama3.1:70b`, `--hardware "M3 Max 36 GB"`, `--list [filter]`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { filterEntries, findEntry, presetNames } from "../../src/lib/catalog/find-preset.ts";
import type { Findable, FindResult } from "../../src/lib/catalog/find-preset.ts";
import { formatContext } from "../../src/lib/format.ts";

export interface PresetEntry extends Findable {
  readonly file: string;
  readonly trainedCtx: number | null;
  readonly tags: readonly string[];
}

export function readPresets(dataDir: string): PresetEntry[] {
  const dir = join(dataDir, "models");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const m = JSON.parse(readFileSync(join(dir, f), "utf8"));
      const tags = (m.weights ?? []).map((w: { ollamaTag: string | null }) => w.ollamaTag).filter(Boolean);
      return {
        id: m.id,
        name: m.name,
        names: presetNames(m),
        file: `data/models/${f}`,
        trainedCtx: m.architecture?.context_length ?? m.context?.native ?? null,
        tags,
      };
    });
}

export function findPreset(list: readonly PresetEntry[], query: string): FindResult<PresetEntry> {
  return findEntry(list, query);
}

/** "did you mean: llama-3.1-70b (Llama-3.1-70B), …" or a pointer to --list. */
export function suggestionText(s: readonly Findable[]): string {
  if (s.length === 0) return "no preset is close; `npm run calc -- --list` lists them";
  return `did you mean: ${s.map((e) => `${e.id} (${e.name})`).join(", ")}?`;
}

/** `--list [filter]`: id, name, trained context, Ollama tags. */
export function renderList(list: readonly PresetEntry[], filter: string): string {
  const rows = filterEntries(list, filter);
  if (rows.length === 0) return `no preset matches "${filter}"`;
  const w = Math.max(...rows.map((r) => r.id.length));
  const n = Math.max(...rows.map((r) => r.name.length));
  const lines = rows.map(
    (r) =>
      `${r.id.padEnd(w)}  ${r.name.padEnd(n)}  ${(r.trainedCtx === null ? "?" : formatContext(r.trainedCtx)).padEnd(18)}  ${r.tags.join(" ")}`,
  );
  return [`${"id".padEnd(w)}  ${"name".padEnd(n)}  ${"trained context".padEnd(18)}  Ollama tags`, ...lines].join("\n");
}

/** `--list [filter]`: the flag and its optional filter word, taken off the command line. */
export function takeList(argv: readonly string[]): { list: boolean; filter: string; rest: string[] } {
  const i = argv.indexOf("--list");
  if (i < 0) return { list: false, filter: "", rest: [...argv] };
  const next = argv[i + 1];
  const hasFilter = next !== undefined && !next.startsWith("-");
  const rest = argv.filter((_, j) => j !== i && !(hasFilter && j === i + 1));
  return { list: true, filter: hasFilter ? next : "", rest };
}
