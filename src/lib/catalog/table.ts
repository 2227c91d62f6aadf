import type { Model } from "../../schemas/model.ts";
import type { RecurrentFamily } from "../../schemas/architecture.ts";
import { RuntimeConfigSchema, type RuntimeConfigInput } from "../../schemas/runtime-config.ts";
import { EngineError, planMemory, resolveLayers } from "../engine/index.ts";
import type { ResolvedArchitecture } from "../engine/index.ts";
import { largestContext } from "./largest-context.ts";
import { withServerOutputs } from "../engine/server-outputs.ts";
import { defaultWeightVariant } from "./weights.ts";
import type { LargestContext } from "./largest-context.ts";

/**
 * One row of the /models table, computed by the engine from a preset (pure). The page renders
 * these fields and nothing else; every number here comes from the engine, never from the
 * preset's hand-computed `reference` block.
 */

export interface PresetFigures {
  /** K+V bytes per cell of the full-context caches at f16 (what grows with n_ctx). */
  kvBytesPerTokenF16: number;
  /** K+V bytes per cell of the SWA / chunked cache at f16 (0 when the model has none). */
  swaBytesPerCellF16: number;
  /** SWA / chunk window in tokens, null when none. */
  swaWindow: number | null;
  /** Recurrent state per sequence, f32 (0 when none): constant in context. */
  fixedStateBytesPerSeq: number;
}

export interface ModelTableRow {
  id: string;
  name: string;
  family: string;
  status: Model["status"];
  /** First source (URL or repo@commit: path) and a link when it is a URL. */
  source: string;
  sourceUrl: string | null;
  paramsTotalB: number | null;
  paramsActiveB: number | null;
  /** "16 full-attention + 48 Gated DeltaNet layers", … */
  attentionLayout: string;
  /** null when the engine refuses (see refusal). */
  figures: PresetFigures | null;
  /**
   * The largest context (./largest-context.ts: capped at the trained context, `beyond` what memory
   * alone would allow). null with `refusal` null: not even the smallest context fits; null with a
   * refusal: the engine cannot compute it.
   */
  maxContext: {
    nCtx: number;
    step: number;
    limitedBy: LargestContext["limitedBy"];
    beyond: LargestContext["beyond"];
  } | null;
  /** Why figures / maxContext are missing, naming the missing field. */
  refusal: string | null;
}

export interface TableRowOptions {
  /** Budget in the engine solver's terms (see catalog/budget.ts engineBudget). */
  budget: { bytes: number; pool?: "device" | "total" | "host"; device_limit_bytes?: number };
  /** Runtime config for the max-context column (defaults: f16/f16, FA auto, 1 sequence, the preset's default weights). */
  config?: RuntimeConfigInput;
}

const FAMILY_WORDS: Record<RecurrentFamily, string> = {
  mamba1: "Mamba",
  mamba2: "Mamba-2",
  "gated-delta-net": "Gated DeltaNet",
  rwkv6: "RWKV-6",
  rwkv7: "RWKV-7",
  shortconv: "short-convolution",
  kda: "Kimi Delta Attention",
  "minimax-linear": "linear-attention",
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The layer layout in words, from the engine's per-layer resolution. */
export function attentionLayout(model: Model): string {
  const a = model.architecture;
  let r: ResolvedArchitecture | null = null;
  try {
    r = resolveLayers(a);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    // The layout does not depend on the recurrent state's size: when only a state dimension is
    // missing, resolve the layer kinds with that dimension set to 0 (counts only, no bytes).
    if (a.recurrent && e.field?.startsWith("recurrent.")) {
      try {
        r = resolveLayers({ ...a, recurrent: { ...a.recurrent, n_group: a.recurrent.n_group ?? 0 } });
      } catch {
        r = null;
      }
    }
  }
  if (!r) return `${a.block_count} blocks: ${model.attention.layerPattern ?? "layout unknown"}`;
  const layers = r.layers;
  const count = (k: string) => layers.filter((l) => l.kind === k).length;
  const full = count("full");
  const swa = count("swa");
  const recurrent = count("recurrent");
  const both = count("recurrent+full");
  const shared = count("shared-kv");
  const none = count("none");
  const mtp = count("mtp");
  const fam = a.recurrent ? FAMILY_WORDS[a.recurrent.family] : "recurrent";
  const parts: string[] = [];
  if (both > 0) parts.push(`${plural(both, "layer")}, each attention + ${fam} in parallel`);
  if (full > 0) {
    if (r.is_mla) parts.push(`${plural(full, "MLA layer")} (${a.mla!.kv_lora_rank + a.mla!.rope_dim}-wide latent)`);
    else parts.push(`${full} full-attention`);
  }
  if (swa > 0) {
    const what = a.arch === "llama4" ? "chunked-attention" : "sliding-window";
    parts.push(`${swa} ${what} (${r.n_swa})`);
  }
  if (recurrent > 0) parts.push(`${recurrent} ${fam}`);
  let s = parts.join(" + ");
  if (!r.is_mla && both === 0) s += full + swa + recurrent === 1 ? " layer" : " layers";
  const gqa = r.gqa_ratio;
  if (!r.is_mla && gqa !== null && (full > 0 || swa > 0 || both > 0)) s += gqa > 1 ? ` (GQA ${gqa}:1)` : " (MHA)";
  const extra: string[] = [];
  if (shared > 0) extra.push(`${plural(shared, "layer")} reuse earlier KV`);
  if (none > 0) extra.push(`${plural(none, "block")} without KV or state`);
  // llama.cpp de3ff81 (the engine's `current` rules) filters every NextN/MTP layer out of KV.
  if (mtp > 0) extra.push(`${plural(mtp, "MTP layer")} without KV`);
  return extra.length ? `${s}; ${extra.join("; ")}` : s;
}

/**
 * KV bytes per token (f16), SWA bytes per cell and fixed recurrent state per sequence, by the
 * engine. Throws EngineError when the preset lacks a needed field.
 */
export function presetFigures(model: Model): PresetFigures {
  const cfg = RuntimeConfigSchema.parse({ n_ctx: 4096, type_k: "f16", type_v: "f16", flash_attn: "on", n_seq: 1 });
  const p = planMemory(model.architecture, cfg);
  const full = p.caches.find((c) => c.kind === "full");
  const swa = p.caches.find((c) => c.kind === "swa");
  const perCell = (c: typeof full): number => (c ? c.bytes / (c.cells * c.n_stream) : 0);
  return {
    kvBytesPerTokenF16: perCell(full),
    swaBytesPerCellF16: perCell(swa),
    swaWindow: p.r.has_swa ? p.r.n_swa : null,
    fixedStateBytesPerSeq: p.recurrent.bytes,
  };
}

function firstUrl(sources: readonly string[]): string | null {
  for (const s of sources) {
    // the first URL that parses: a typo in one must not crash the models page's `new URL`
    for (const m of s.matchAll(/https?:\/\/\S+/g)) {
      const url = m[0].replace(/[),.;]+$/, "");
      if (URL.canParse(url)) return url;
    }
  }
  return null;
}

export function modelTableRow(model: Model, opts: TableRowOptions): ModelTableRow {
  const refusals: string[] = [];
  let figures: PresetFigures | null = null;
  try {
    figures = presetFigures(model);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    refusals.push(e.message);
  }
  let max: ModelTableRow["maxContext"] = null;
  if (figures) {
    try {
      // The preset's default weights: how it ships (./weights.ts defaultWeightVariant, as the CLI and calculator).
      // as llama-server runs it, like the CLI and calculator (docs/memory-model.md#server-outputs)
      const cfg = withServerOutputs(
        RuntimeConfigSchema.parse({ weights_ftype: defaultWeightVariant(model).ftype, ...opts.config }),
      );
      const trainedCtx = model.architecture.context_length ?? model.context.native ?? null;
      const r = largestContext(model.architecture, cfg, opts.budget, { trainedCtx });
      if (r.nCtx !== null) max = { nCtx: r.nCtx, step: r.step, limitedBy: r.limitedBy, beyond: r.beyond };
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      refusals.push(e.message);
    }
  }
  return {
    id: model.id,
    name: model.name,
    family: model.family,
    status: model.status,
    source: model.source[0],
    sourceUrl: firstUrl(model.source),
    paramsTotalB: model.params.totalB,
    paramsActiveB: model.params.activeB,
    attentionLayout: attentionLayout(model),
    figures,
    maxContext: max,
    refusal: refusals.length ? refusals.join("; ") : null,
  };
}
