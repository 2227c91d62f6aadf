/**
 * The analysis report's tables as pure data, every figure from the memory engine: KV per K/V
 * configuration and context, weights by ftype, totals against a budget with a verdict, and the
 * original's figures recomputed with its own formula beside the engine's.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import { RuntimeConfigSchema } from "../../schemas/runtime-config.ts";
import type { Backend, EngineProfile, RuntimeConfigInput } from "../../schemas/runtime-config.ts";
import { computeBreakdown } from "../engine/index.ts";
import { ORIGINAL_KV_CLAIMS, originalFormulaForClaim } from "./original-analysis.ts";
import type { OriginalKvClaim } from "./original-analysis.ts";

/** A K/V configuration as a reader names it. */
export interface KvConfig {
  type_k: KvType;
  type_v: KvType;
}

export function kvConfigLabel(c: KvConfig): string {
  return c.type_k === c.type_v ? `${c.type_k}` : `${c.type_k} K + ${c.type_v} V`;
}

export interface Scenario {
  engine: EngineProfile;
  backend: Backend;
  /** Weight ftype (llama-quantize spelling) or null for no weights. */
  ftype?: string | null;
  n_seq?: number;
}

export function breakdownFor(arch: Architecture, ctx: number, kv: KvConfig, s: Scenario): Breakdown {
  const input: RuntimeConfigInput = {
    n_ctx: ctx,
    type_k: kv.type_k,
    type_v: kv.type_v,
    backend: s.backend,
    engine: s.engine,
    flash_attn: "on",
    n_seq: s.n_seq ?? 1,
    weights_ftype: s.ftype ?? null,
  };
  return computeBreakdown(arch, RuntimeConfigSchema.parse(input));
}

/** What the engine allocates for a K/V request, and what it changed on the way. */
export interface EffectiveKv {
  requested: string;
  /** The types llama.cpp really allocates, as the `size =` line prints them. */
  effective: string;
  /** Messages of the engine's silent changes (auto-asymmetric K, boundary V, FA forced). */
  changes: string[];
}

const CHANGE_CODES = new Set(["turbo-auto-asymmetric-k", "turbo-boundary-v", "turbo-head-padding"]);

export function effectiveKv(b: Breakdown, kv: KvConfig): EffectiveKv {
  const eff: KvConfig = { type_k: b.effective.type_k, type_v: b.effective.type_v };
  const boundary = b.notes.some((n) => n.code === "turbo-boundary-v");
  return {
    requested: kvConfigLabel(kv),
    effective: kvConfigLabel(eff) + (boundary ? " (q8_0 V on boundary layers)" : ""),
    changes: b.notes.filter((n) => CHANGE_CODES.has(n.code)).map((n) => n.message),
  };
}

export interface KvCell {
  ctx: number;
  kvBytes: number;
  /** Allocated cells (256-padded). */
  cells: number;
}

export interface KvRow {
  config: KvConfig;
  label: string;
  effective: EffectiveKv;
  /** Fixed recurrent state per sequence (f32, independent of context). */
  recurrentBytes: number;
  cells: KvCell[];
}

/** KV bytes of each configuration at each context (weights not involved). */
export function kvTable(
  arch: Architecture,
  configs: readonly KvConfig[],
  contexts: readonly number[],
  s: Scenario,
): KvRow[] {
  return configs.map((config) => {
    const bs = contexts.map((ctx) => breakdownFor(arch, ctx, config, { ...s, ftype: null }));
    return {
      config,
      label: kvConfigLabel(config),
      effective: effectiveKv(bs[0], config),
      recurrentBytes: bs[0].recurrent.bytes,
      cells: bs.map((b, i) => ({ ctx: contexts[i], kvBytes: b.kv.bytes, cells: b.context.allocated_cells })),
    };
  });
}

export interface WeightsRow {
  ftype: string;
  bytes: number;
  source: Breakdown["weights"]["source"];
  estimate: boolean;
}

export function weightsByFtype(arch: Architecture, ftypes: readonly string[], s: Scenario): WeightsRow[] {
  return ftypes.map((ftype) => {
    const b = breakdownFor(arch, 4096, { type_k: "f16", type_v: "f16" }, { ...s, ftype });
    return { ftype, bytes: b.weights.bytes, source: b.weights.source, estimate: b.weights.estimate };
  });
}

export type Verdict = "fits" | "tight" | "does-not-fit";

/** Headroom below this share of the budget is "tight" (the calculator's threshold). */
export const TIGHT_HEADROOM = 0.1;

/** A budget in the engine solver's terms (src/lib/engine/solve.ts, src/lib/catalog/budget.ts). */
export interface PoolBudget {
  bytes: number;
  pool?: "device" | "total" | "host";
  device_limit_bytes?: number;
}

/** The figure of a breakdown that a budget limits. */
export function demandFor(b: Breakdown, budget: PoolBudget): number {
  const pool = budget.pool ?? "total";
  return pool === "device" ? b.total.device_bytes : pool === "host" ? b.total.host_bytes : b.total.bytes;
}

/** fits / tight (< 10 % headroom) / does not fit, also held to a device limit (Metal working set). */
export function verdict(b: Breakdown, budget: PoolBudget): Verdict {
  const demand = demandFor(b, budget);
  if (demand > budget.bytes) return "does-not-fit";
  if (budget.device_limit_bytes !== undefined && b.total.device_bytes > budget.device_limit_bytes)
    return "does-not-fit";
  const headroom = (budget.bytes - demand) / budget.bytes;
  const deviceHeadroom =
    budget.device_limit_bytes !== undefined
      ? (budget.device_limit_bytes - b.total.device_bytes) / budget.device_limit_bytes
      : Infinity;
  return Math.min(headroom, deviceHeadroom) < TIGHT_HEADROOM ? "tight" : "fits";
}

export interface VerdictCell {
  ctx: number;
  /** What the budget limits (total on unified memory, device on a discrete GPU). */
  demandBytes: number;
  totalBytes: number;
  weightsBytes: number;
  kvBytes: number;
  /** Recurrent state + compute (estimate) + output + runtime overhead (estimate). */
  otherBytes: number;
  verdict: Verdict;
}

export interface VerdictRow {
  ftype: string;
  config: KvConfig;
  label: string;
  effective: EffectiveKv;
  weightsEstimate: boolean;
  cells: VerdictCell[];
}

/** Whole-process totals for each (ftype, K/V config) at each context against `budgetBytes`. */
export function verdictTable(
  arch: Architecture,
  ftypes: readonly string[],
  configs: readonly KvConfig[],
  contexts: readonly number[],
  budget: PoolBudget,
  s: Scenario,
): VerdictRow[] {
  const rows: VerdictRow[] = [];
  for (const ftype of ftypes) {
    for (const config of configs) {
      const bs = contexts.map((ctx) => breakdownFor(arch, ctx, config, { ...s, ftype }));
      rows.push({
        ftype,
        config,
        label: kvConfigLabel(config),
        effective: effectiveKv(bs[0], config),
        weightsEstimate: bs[0].weights.estimate,
        cells: bs.map((b, i) => ({
          ctx: contexts[i],
          demandBytes: demandFor(b, budget),
          totalBytes: b.total.bytes,
          weightsBytes: b.weights.bytes,
          kvBytes: b.kv.bytes,
          otherBytes: b.total.bytes - b.weights.bytes - b.kv.bytes,
          verdict: verdict(b, budget),
        })),
      });
    }
  }
  return rows;
}

export interface ClaimRow {
  claim: OriginalKvClaim;
  /** The original's own formula with its own inputs (null: it gives no bits per value). */
  formulaBytes: number | null;
  /** The engine's figure for the same part (K, V or K+V) on the real architecture. */
  engineBytes: number;
  effective: EffectiveKv;
}

/** Each KV figure of the original: as printed, as its formula gives it, as the engine gives it. */
export function claimRows(
  arch: Architecture,
  s: Scenario,
  claims: readonly OriginalKvClaim[] = ORIGINAL_KV_CLAIMS,
): ClaimRow[] {
  return claims.map((claim) => {
    const config = { type_k: claim.type_k as KvType, type_v: claim.type_v as KvType };
    const b = breakdownFor(arch, claim.ctx, config, { ...s, ftype: null });
    const engineBytes = claim.part === "k" ? b.kv.k_bytes : claim.part === "v" ? b.kv.v_bytes : b.kv.bytes;
    return { claim, formulaBytes: originalFormulaForClaim(claim), engineBytes, effective: effectiveKv(b, config) };
  });
}

/** KV bytes per token of the architecture at f16, and what the naive `2·L·H_kv·D·2` formula gives. */
export function kvPerTokenF16(arch: Architecture, s: Scenario): { engine: number; naiveAllLayers: number | null } {
  const b = breakdownFor(arch, 4096, { type_k: "f16", type_v: "f16" }, { ...s, ftype: null });
  const engine = b.kv.bytes / b.context.allocated_cells;
  const heads = typeof arch.n_head_kv === "number" ? arch.n_head_kv : null;
  const layers = arch.block_count - arch.nextn_predict_layers;
  const naiveAllLayers =
    heads !== null && arch.key_length !== null && arch.value_length !== null
      ? layers * heads * (arch.key_length + arch.value_length) * 2
      : null;
  return { engine, naiveAllLayers };
}
