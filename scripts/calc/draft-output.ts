/**
 * `npm run calc -- -md <preset|gguf> [-ngld N] [-ctkd T] [-ctvd T] [--draft-max N]`: the draft
 * model of speculative decoding, sized by the same engine as the target. What llama.cpp gives the
 * draft context (common/speculative.cpp `common_base_params_to_speculative` at de3ff81): the
 * target's parameters (context size, batch, ubatch, sequences, unified KV, flash attention), with
 * its own model, -ngld (default -1, as -ngl) and -ctkd/-ctvd (default f16 — not the target's
 * -ctk/-ctv). This revision has no separate draft context size (-cd). --draft-max sets how many
 * tokens are drafted per step; the draft's buffers are reserved for the ubatch, so it does not
 * change memory for -md. The draft's context is reserved for n_parallel outputs (n_outputs_max),
 * so its compute buffer holds that many logits rows, not a ubatch's.
 */
import type { RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import type { KvType } from "../../src/schemas/kv-type.ts";
import type { Breakdown } from "../../src/schemas/breakdown.ts";
import { computeBreakdown } from "../../src/lib/engine/index.ts";
import type { Architecture } from "../../src/schemas/architecture.ts";
import type { Budget } from "../../src/lib/engine/solve.ts";
import type { BreakdownOptions } from "../../src/lib/engine/breakdown.ts";
import { maxContextWithDraft } from "../../src/lib/engine/solve-draft.ts";
import type { DraftSide } from "../../src/lib/engine/solve-draft.ts";
import { trainedCap } from "../../src/lib/catalog/largest-context.ts";
import { formatBinary } from "../../src/lib/format.ts";
import { chooseWeights } from "./default-weights.ts";
import { loadModel } from "./load-model.ts";
import type { Args } from "./options.ts";

export interface DraftResult {
  source: string;
  config: Pick<RuntimeConfig, "type_k" | "type_v" | "n_gpu_layers" | "weights_ftype">;
  draftMax: number;
  breakdown: Breakdown;
  weightsLine: string | null;
  /** What the largest-context solver needs (left out of --json). */
  side?: DraftSide;
}

/** Size the draft model with the target's config and the draft's own options. */
export async function sizeDraft(d: NonNullable<Args["draft"]>, target: RuntimeConfig): Promise<DraftResult | null> {
  if (!d.model) return null;
  const m = await loadModel(d.model);
  const w = chooseWeights(m, m.tagFtype ?? null, m.tagFtypeBasis ?? "the tag");
  const config: RuntimeConfig = {
    ...target,
    type_k: (d.ctk ?? "f16") as KvType,
    type_v: (d.ctv ?? "f16") as KvType,
    n_gpu_layers: d.ngl ?? -1,
    weights_ftype: w.ftype,
    // the draft context is reserved for n_parallel outputs (docs/memory-model.md#draft-outputs)
    n_outputs_max: target.n_seq,
  };
  const breakdown = computeBreakdown(m.architecture, config, { tensors: m.tensors, tensors_ftype: m.tensorsFtype });
  return {
    source: m.source,
    config: { type_k: config.type_k, type_v: config.type_v, n_gpu_layers: config.n_gpu_layers, weights_ftype: w.ftype },
    draftMax: d.max ?? 3,
    breakdown,
    weightsLine: w.line,
    side: { arch: m.architecture, config, opts: { tensors: m.tensors, tensors_ftype: m.tensorsFtype } },
  };
}

export interface DraftLargest {
  /** Largest n_ctx where target + draft fit (null: not even one step). */
  n_ctx: number | null;
  limited_by: "budget" | "trained-context" | null;
  /** The same answer without the draft, for comparison. */
  without: number | null;
  draft_bytes: number | null;
}

/** The largest context with the draft beside the target (src/lib/engine/solve-draft.ts). */
export function draftLargest(
  r: DraftResult,
  arch: Architecture,
  config: RuntimeConfig,
  budget: Budget,
  opts: BreakdownOptions,
  without: number | null,
): DraftLargest | null {
  if (!r.side) return null;
  const trained = arch.context_length;
  const limit = trained ? trainedCap(trained, config) : undefined;
  const x = maxContextWithDraft(arch, config, budget, r.side, { ...opts, ...(limit ? { limit } : {}) });
  if (!x) return { n_ctx: null, limited_by: null, without, draft_bytes: null };
  return {
    n_ctx: x.n_ctx,
    limited_by: x.limited_by === "limit" ? "trained-context" : "budget",
    without,
    draft_bytes: x.draft.total.bytes - x.draft.overhead.bytes,
  };
}

export function renderDraftLargest(d: DraftLargest): string {
  if (d.n_ctx === null)
    return "largest context with the draft: none — target + draft do not fit even the smallest context";
  const why = d.limited_by === "trained-context" ? "the trained context" : "the budget";
  const was = d.without === null ? "" : ` (without the draft: ${d.without.toLocaleString("en-US")})`;
  return `largest context with the draft: ${d.n_ctx.toLocaleString("en-US")} tokens, limited by ${why}${was}; the draft takes ${formatBinary(d.draft_bytes!)} there`;
}

/** Lines under the target's breakdown. */
export function renderDraft(r: DraftResult, targetTotal: number): string {
  const b = r.breakdown;
  const est = (e: boolean) => (e ? "estimate" : "exact");
  return [
    `draft model ${r.source} (-ctkd ${r.config.type_k} -ctvd ${r.config.type_v}, -ngld ${r.config.n_gpu_layers}, --draft-max ${r.draftMax}):`,
    ...(r.weightsLine ? [`  ${r.weightsLine}`] : []),
    `  weights ${formatBinary(b.weights.bytes)} (${est(b.weights.estimate)}), KV ${formatBinary(b.kv.bytes)} (exact, ${b.context.allocated_cells} cells), recurrent ${formatBinary(b.recurrent.bytes)}, compute ${formatBinary(b.compute.bytes)} (estimate)`,
    `  draft total ${formatBinary(b.total.bytes)}; target + draft ${formatBinary(targetTotal + b.total.bytes)}`,
  ].join("\n");
}
