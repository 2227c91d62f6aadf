/**
 * The Markdown table that repeats the hand-computed byte columns, displayed sizes, and the facts
 * of a model's published config.json filled into its reference row (published-configs.ts).
 */
import { parseBytes } from "../../../src/lib/units.ts";
import type { PublishedConfigFacts } from "../published-configs.ts";
import { InputError, type RefModel } from "./ref-model.ts";

export function displayedBytes(stated: string): number {
  return parseBytes(stated.replace(/^~/, "").trim());
}

export function parseMdTable(md: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of md.split("\n")) {
    if (!line.startsWith("| ") || line.startsWith("| Model") || line.startsWith("|---")) continue;
    const cells = line
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim());
    if (cells.length === 14) rows.set(cells[0], cells);
  }
  return rows;
}

const mdNum = (s: string): number => {
  const t = s.replace(/[¹²]/g, "").trim();
  return t === "—" || t === "" ? 0 : Number(t.replace(/,/g, ""));
};

/** The reference row with the facts of its published config.json filled in (see published-configs.ts). */
export function withPublishedConfig(m: RefModel, f: PublishedConfigFacts): RefModel {
  const read = f.readFrom.length ? ` (read from ${f.readFrom.join("; ")})` : "";
  // The reference's caveat on the fields this config now settles no longer holds.
  const notes = [
    m.notes?.replace("mamba n_groups, vocab, tie UNVERIFIED except 0.5B. ", ""),
    `Published config: ${f.config}${read}.`,
    f.unverified ? `Unverified: ${f.unverified}.` : null,
  ];
  return {
    ...m,
    vocab_size: f.vocab_size ?? m.vocab_size,
    tie_word_embeddings: f.tie_word_embeddings ?? m.tie_word_embeddings,
    intermediate_size: f.intermediate_size ?? m.intermediate_size,
    num_key_value_heads: f.num_key_value_heads ?? m.num_key_value_heads,
    max_position_embeddings: f.max_position_embeddings ?? m.max_position_embeddings,
    layer_pattern: f.hybrid_override_pattern
      ? `hybrid_override_pattern '${f.hybrid_override_pattern}' (${m.layer_pattern ?? ""})`
      : m.layer_pattern,
    mamba: m.mamba && f.mamba_n_groups !== undefined ? { ...m.mamba, n_groups: f.mamba_n_groups } : m.mamba,
    source: [...m.source, f.config],
    notes: notes.filter(Boolean).join(" "),
  };
}

/** The Markdown table's byte columns must repeat the JSON's hand-computed `llamacpp` figures. */
export function checkMdRow(md: Map<string, string[]>, m: RefModel): void {
  const L = m.llamacpp;
  const row = md.get(m.name);
  if (!row) throw new InputError(`${m.name}: no row in the Markdown table`);
  const mdVals = [mdNum(row[9]), mdNum(row[10]), mdNum(row[11])];
  const jsVals = [L.kv_bytes_per_token_f16, L.swa_kv_bytes_per_cell_f16, L.recurrent_state_bytes_per_seq_f32];
  if (mdVals.join() !== jsVals.join())
    throw new InputError(`${m.name}: the Markdown table (${mdVals}) and the JSON llamacpp block (${jsVals}) disagree`);
}
