/**
 * `npm run calc -- --budget … | --hardware …`: when the question does not fit the budget (or fits
 * with under 10 % to spare), the same suggestions as the calculator — the island's own function
 * (src/lib/calculator/view/suggestions.ts `suggestionsFor`) on the calculator state that asks the
 * CLI's question, so both print the same changes, flags and costs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Architecture } from "../../src/schemas/architecture.ts";
import type { RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import type { TensorTable } from "../../src/schemas/tensor-table.ts";
import type { Breakdown } from "../../src/schemas/breakdown.ts";
import { KvCacheTypesFileSchema, WeightFtypesFileSchema } from "../../src/schemas/quant.ts";
import type { Budget } from "../../src/lib/engine/index.ts";
import { reduceFtype, reduceKvType, type CalcCatalog } from "../../src/lib/calculator/catalog.ts";
import { configFor } from "../../src/lib/calculator/view/config.ts";
import { suggestionsFor } from "../../src/lib/calculator/view/suggestions.ts";
import { verdictFor, type Verdict } from "../../src/lib/calculator/verdict.ts";
import { DEFAULT_STATE, type CalcState } from "../../src/lib/calculator/state.ts";
import type { Suggestion } from "../../src/lib/calculator/suggest.ts";

export interface CliSuggestions {
  verdict: Verdict;
  suggestions: Suggestion[];
  /** Why none were computed for this question (a flag the calculator has no state for), else null. */
  skipped: string | null;
}

export interface CliQuestion {
  arch: Architecture;
  tensors: TensorTable | null;
  tensorsFtype: string | null;
  /** Preset id (or "gguf" / "custom"): only for the patches' wording. */
  modelId: string;
  config: RuntimeConfig;
  breakdown: Breakdown;
  budget: Budget;
  /** The largest context of the question for the budget (the calculator's max table row). */
  largestCtx: number | null;
}

/** The quant tables as the calculator reduces them (data/quants). */
export function readQuants(dataDir: string): Pick<CalcCatalog, "ftypes" | "kvTypes"> {
  const read = (f: string): unknown => JSON.parse(readFileSync(join(dataDir, "quants", f), "utf8"));
  return {
    kvTypes: KvCacheTypesFileSchema.parse(read("kv-types.json")).map(reduceKvType),
    ftypes: WeightFtypesFileSchema.parse(read("weight-ftypes.json")).map(reduceFtype),
  };
}

/** The calculator state asking the CLI's question (one device, no PC). */
export function cliState(q: CliQuestion): CalcState {
  const c = q.config;
  return {
    ...DEFAULT_STATE,
    model: q.modelId,
    engine: c.engine.name,
    revision: c.engine.revision,
    backend: c.backend,
    ftype: c.weights_ftype ?? q.tensorsFtype ?? DEFAULT_STATE.ftype,
    typeK: c.type_k,
    typeV: c.type_v,
    nSeq: c.n_seq,
    unified: c.kv_unified,
    flashAttn: c.flash_attn,
    nUbatch: c.n_ubatch,
    swaFull: c.swa_full,
    nGpuLayers: c.n_gpu_layers,
    ctx: c.n_ctx,
    vision: c.vision_weights,
    hardware: "",
    machine: "",
  } as CalcState;
}

export function cliSuggestions(q: CliQuestion, quants: Pick<CalcCatalog, "ftypes" | "kvTypes">): CliSuggestions {
  const pool = q.budget.pool ?? (q.config.backend === "cuda" ? "device" : "total");
  const verdict = verdictFor(q.breakdown.total, {
    engine: { ...q.budget, pool },
    error: null,
    pool: pool === "device" ? "device" : "total",
  });
  const none = (skipped: string | null): CliSuggestions => ({ verdict, suggestions: [], skipped });
  if (verdict.kind !== "no" && verdict.kind !== "tight") return none(null);
  if (pool === "host") return none("suggestions are for the device or total pool, not --pool host");
  const state = cliState(q);
  const asked = configFor(state, state.typeK, state.typeV, state.ctx, q.tensors !== null, state.vision);
  const differs = (Object.keys(asked) as (keyof RuntimeConfig)[]).filter(
    (k) => JSON.stringify(asked[k]) !== JSON.stringify(q.config[k]),
  );
  if (differs.length) return none(`the calculator has no setting for ${differs.join(", ")} as given`);
  const suggestions = suggestionsFor({
    state,
    model: { arch: q.arch, tensors: q.tensors, tensorsFtype: q.tensorsFtype, vision: state.vision },
    budget: { ...q.budget, pool },
    verdict: verdict.kind,
    largestCtx: q.largestCtx,
    quants,
  });
  return { verdict, suggestions, skipped: null };
}

export function renderSuggestions(s: CliSuggestions, ctx: number): string {
  const out = [`at -c ${ctx}: ${s.verdict.text}`];
  if (s.skipped) out.push(`  (no suggestions: ${s.skipped})`);
  else if (s.suggestions.length) {
    out.push(
      `  ${s.verdict.kind === "tight" ? "what leaves 10 % to spare" : "what makes it fit"} (each alone; the calculator offers the same):`,
    );
    for (const x of s.suggestions) out.push(`    ${x.command}: ${x.title}.`, `      cost: ${x.cost}`);
  } else if (s.verdict.kind === "no") out.push("  no single change makes it fit");
  return out.join("\n");
}

export function suggestionsJson(s: CliSuggestions): Record<string, unknown> {
  return {
    verdict: { kind: s.verdict.kind, text: s.verdict.text, headroom_bytes: s.verdict.headroomBytes },
    suggestions: s.suggestions.map((x) => ({
      key: x.key,
      title: x.title,
      command: x.command,
      cost: x.cost,
      patch: x.patch,
    })),
    ...(s.skipped ? { suggestions_skipped: s.skipped } : {}),
  };
}
