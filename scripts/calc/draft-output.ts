/**
 * `npm run calc -- -md <preset|gguf> [-ngld N] [-ctkd T] [-ctvd T] [--draft-max N]`: the draft
 * model of speculative decoding, sized by the same engine as the target. What llama.cpp gives the
 * draft context (common/speculative.cpp `common_base_params_to_speculative` at de3ff81): the
 * target's parameters (context size, batch, ubatch, sequences, unified KV, flash attention), with
 * its own model, -ngld (default -1, as -ngl) and -ctkd/-ctvd (default f16 — not the target's
 * -ctk/-ctv). This revision has no separate draft context size (-cd). --draft-max sets how many
 * tokens are drafted per step; the draft's buffers are reserved for the ubatch, so it does not
 * change memory for -md.
 */
import type { RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import type { KvType } from "../../src/schemas/kv-type.ts";
import type { Breakdown } from "../../src/schemas/breakdown.ts";
import { computeBreakdown } from "../../src/lib/engine/index.ts";
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
  };
  const breakdown = computeBreakdown(m.architecture, config, { tensors: m.tensors, tensors_ftype: m.tensorsFtype });
  return {
    source: m.source,
    config: { type_k: config.type_k, type_v: config.type_v, n_gpu_layers: config.n_gpu_layers, weights_ftype: w.ftype },
    draftMax: d.max ?? 3,
    breakdown,
    weightsLine: w.line,
  };
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
