import type { EngineProfile } from "../../schemas/runtime-config.ts";
import { EngineError } from "./errors.ts";

/**
 * Context size → cells (docs/memory-model.md#context-cells, #swa) per engine revision.
 */

export const PAD = (x: number, n: number): number => Math.ceil(x / n) * n;

/** The llama.cpp rule set a profile uses for cells and MLA (turboquant/ollama = upstream current). */
export type CellRules = "current" | "2025-11-07" | "2025-10-28" | "2025-07-16";

export function cellRules(p: EngineProfile): CellRules {
  return p.name === "llama.cpp" ? p.revision : "current";
}

/** MLA stores V too before 2026-01-25 (d9c6ce46f). */
export function mlaStoresV(p: EngineProfile): boolean {
  return p.name === "llama.cpp" && p.revision !== "current";
}

/**
 * The llama.cpp revision whose rules apply to a build of the given date (YYYY-MM-DD). Builds
 * before 2025-07-16 are not modelled (one unified stream, pre-iSWA-formula changes): error.
 */
export function llamaCppRevisionForDate(date: string): CellRules {
  if (!/^\d{4}-\d{2}-\d{2}/.test(date))
    throw new EngineError("unsupported-config", `build date "${date}" is not YYYY-MM-DD`, "date");
  if (date >= "2026-01-25") return "current";
  if (date >= "2025-11-07") return "2025-11-07";
  if (date >= "2025-10-28") return "2025-10-28";
  if (date >= "2025-07-16") return "2025-07-16";
  throw new EngineError(
    "unsupported-config",
    `llama.cpp builds before 2025-07-16 are not modelled (build date ${date})`,
    "date",
  );
}

export interface ContextPlan {
  /** n_ctx given to llama.cpp (after 0 → n_ctx_train), before padding. */
  readonly n_ctx_in: number;
  /** Allocated cells of the base cache over all streams (= llama_context n_ctx). */
  readonly n_ctx: number;
  /** Per-stream size (n_ctx_seq = kv_size). */
  readonly n_ctx_seq: number;
  readonly n_stream: number;
  readonly n_batch: number;
  readonly n_ubatch: number;
  /** Padding unit of the rule set (1 = none). */
  readonly pad: number;
}

/**
 * Cells of the base cache (docs/memory-model.md#context-cells, steps 1–6). `fa` is the resolved flash-attention flag (matters for
 * the 2025-07-16 rules' 32/256 padding only).
 */
export function planContext(
  nCtxIn: number,
  nSeq: number,
  unified: boolean,
  nBatchReq: number,
  nUbatchReq: number,
  rules: CellRules,
  fa: boolean,
): ContextPlan {
  if (nCtxIn <= 0) throw new EngineError("unsupported-config", `n_ctx must be positive (got ${nCtxIn})`, "n_ctx");
  const nBatch = Math.min(nCtxIn, nBatchReq);
  const nUbatch = Math.min(nBatch, nUbatchReq);
  let pad: number;
  let seq: number;
  if (rules === "current" || rules === "2025-11-07") {
    pad = 256;
    const padded = PAD(nCtxIn, 256);
    seq = unified ? padded : PAD(Math.floor(padded / nSeq), 256);
  } else if (rules === "2025-10-28") {
    pad = 1;
    seq = unified ? nCtxIn : Math.floor(nCtxIn / nSeq);
  } else {
    pad = fa ? 256 : 32;
    seq = unified ? PAD(nCtxIn, pad) : PAD(Math.ceil(nCtxIn / nSeq), pad);
  }
  if (seq <= 0)
    throw new EngineError(
      "unsupported-config",
      `n_ctx ${nCtxIn} gives no cells per sequence with ${nSeq} sequences`,
      "n_ctx",
    );
  const nStream = unified ? 1 : nSeq;
  return {
    n_ctx_in: nCtxIn,
    n_ctx: seq * nStream,
    n_ctx_seq: seq,
    n_stream: nStream,
    n_batch: nBatch,
    n_ubatch: nUbatch,
    pad,
  };
}

/** Cells per stream of the SWA cache (docs/memory-model.md#swa, with its history). */
export function swaCells(
  plan: ContextPlan,
  nSwa: number,
  nSeq: number,
  unified: boolean,
  swaFull: boolean,
  rules: CellRules,
): number {
  const base = plan.n_ctx_seq;
  if (swaFull) return base;
  const want = nSwa * (unified ? nSeq : 1) + plan.n_ubatch;
  if (rules === "current" || rules === "2025-11-07") return PAD(Math.min(base, want), 256);
  if (rules === "2025-10-28") return Math.min(base, want);
  return Math.min(base, PAD(want, plan.pad));
}
