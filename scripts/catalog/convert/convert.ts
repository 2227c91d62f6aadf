/**
 * The conversion itself: each reference row (with its published config.json facts) → a preset,
 * then the weight variants from the Ollama tag rows and the other listed GGUF files.
 */
import type { ModelInput, WeightVariant } from "../../../src/schemas/model.ts";
import { PUBLISHED_CONFIGS } from "../published-configs.ts";
import { toArchitecture } from "./architecture.ts";
import { EXTRA } from "./extra-variants.ts";
import { licenseOf, slugOf, STATUS } from "./identity.ts";
import { checkMdRow, displayedBytes, parseMdTable, withPublishedConfig } from "./reference-md.ts";
import { InputError, type RefModel, type RefTag } from "./ref-model.ts";
import { primarySources, REFERENCE_SOURCE, sourceLink } from "./sources.ts";
import { TAGS, UNMAPPED, type TagMap } from "./tags.ts";

function listingStatus(s: string): WeightVariant["listingStatus"] {
  if (/^VERIFIED/.test(s)) return "verified";
  if (/^SECONDARY/.test(s)) return "secondary";
  if (/UNVERIFIED/.test(s)) return "unverified";
  throw new InputError(`unknown listing status "${s}"`);
}

/** One reference row → its preset (no weight variants yet). */
function presetOf(m: RefModel): ModelInput {
  const L = m.llamacpp;
  const { arch, notes } = toArchitecture(m);
  return {
    id: slugOf(m.name),
    name: m.name,
    family: m.family,
    hfId: m.hf_id,
    params: { totalB: m.total_params_b, activeB: m.active_params_b, effectiveB: m.effective_params_b },
    context: {
      native: m.native_context,
      max: m.extended_context ?? m.native_context,
      maxPositionEmbeddings: m.max_position_embeddings,
    },
    license: licenseOf(m.name),
    status: STATUS[m.status],
    source: primarySources(m),
    attention: { type: m.attention_type, layerPattern: m.layer_pattern },
    visionEncoder: m.vision_encoder,
    notes: [m.notes, ...notes.map((n) => `Conversion: ${n}.`)].filter(Boolean).join(" ") || null,
    architecture: arch,
    reference: {
      kvBytesPerTokenF16: L.kv_bytes_per_token_f16,
      swaKvBytesPerCellF16: L.swa_kv_bytes_per_cell_f16,
      recurrentStateBytesPerSeqF32: L.recurrent_state_bytes_per_seq_f32,
      kvLayers: L.kv_layers,
      recurrentLayers: L.recurrent_layers,
      source: REFERENCE_SOURCE,
      notes: L.notes,
    },
    weights: [],
  };
}

/** The weight variant one tag row gives a preset under one mapping. */
function tagVariant(t: RefTag, x: TagMap): WeightVariant {
  const stated = x.size ?? t.size;
  return {
    id: slugOf(`ollama-${x.tag.replace(/[:/]/g, "-")}`),
    ollamaTag: x.tag,
    aliases: x.aliases,
    publisher: x.tag.includes("/") ? x.tag.split("/")[0] : "Ollama library",
    ftype: x.ftype,
    ftypeStated: t.quant,
    bytes: displayedBytes(stated),
    bytesKind: "displayed",
    statedAs: t.size,
    includesVision: x.includesVision,
    listingStatus: listingStatus(t.status),
    source: sourceLink(t.source),
    notes:
      [
        x.includesVision
          ? "Ollama's qwen3.5 blobs include the vision tower (BF16), about 1 GB more than a text-only GGUF."
          : null,
        x.notes ?? null,
      ]
        .filter(Boolean)
        .join(" ") || null,
  };
}

/** Tag rows → weight variants; every row must map (or be listed unmapped) and every mapping match a row. */
function addTagVariants(tags: RefTag[], byName: Map<string, ModelInput>): string[] {
  const unmapped: string[] = [];
  const seenRefs = new Set<string>();
  for (const t of tags) {
    const maps = TAGS.filter((x) => x.ref === t.tag);
    if (maps.length === 0) {
      if (!UNMAPPED.has(t.tag)) throw new InputError(`ollama tag row "${t.tag}" has no mapping`);
      unmapped.push(`${t.tag} → ${t.model}`);
      continue;
    }
    seenRefs.add(t.tag);
    for (const x of maps) {
      const p = byName.get(x.model);
      if (!p) throw new InputError(`tag ${x.tag}: no preset named ${x.model}`);
      p.weights.push(tagVariant(t, x));
    }
  }
  for (const x of TAGS)
    if (!seenRefs.has(x.ref)) throw new InputError(`mapping for "${x.ref}" matches no ollama_tags row`);
  return unmapped;
}

function addExtraVariants(byName: Map<string, ModelInput>): void {
  for (const e of EXTRA) {
    const p = byName.get(e.model);
    if (!p) throw new InputError(`extra variant ${e.id}: no preset named ${e.model}`);
    const { model: _model, ...v } = e;
    p.weights.push({ ...v, bytes: v.bytes ?? (v.statedAs ? displayedBytes(v.statedAs) : null) });
  }
}

export function convert(modelsJson: string, modelsMd: string | null): { models: ModelInput[]; unmapped: string[] } {
  const ref = JSON.parse(modelsJson) as { models: RefModel[]; ollama_tags: RefTag[] };
  const md = modelsMd === null ? null : parseMdTable(modelsMd);
  const out: ModelInput[] = [];
  const byName = new Map<string, ModelInput>();
  for (const raw of ref.models) {
    const facts = PUBLISHED_CONFIGS[raw.name];
    const m = facts ? withPublishedConfig(raw, facts) : raw;
    if (md) checkMdRow(md, m);
    const preset = presetOf(m);
    if (byName.has(m.name)) throw new InputError(`duplicate model name ${m.name}`);
    byName.set(m.name, preset);
    out.push(preset);
  }
  const unmapped = addTagVariants(ref.ollama_tags, byName);
  addExtraVariants(byName);
  return { models: out, unmapped };
}
