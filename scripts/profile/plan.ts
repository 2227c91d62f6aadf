/**
 * The plan of a profiling run: one step per (context, K type, V type), smallest context first, in
 * the order the KV pairs were given. Each step is one configuration = one case folder = one point.
 */
import type { KvType } from "../../src/schemas/kv-type.ts";
import type { FlashAttn } from "../../src/schemas/runtime-config.ts";
import { DEFAULT_FILL_GAP, UsageError, type ProfileOptions } from "./args.ts";

export interface Step {
  /** 0-based position in the plan. */
  index: number;
  /** Case folder name: `<model>_ctx-<n>_k-<type>_v-<type>_fa-<on|off|auto>[_np-<n>][_ub-<n>]`. */
  name: string;
  /** Requested n_ctx (llama.cpp `-c`, total over sequences). */
  n_ctx: number;
  /** n_ctx / n_seq: the window each sequence is filled into. */
  n_ctx_seq: number;
  type_k: KvType;
  type_v: KvType;
  flash_attn: FlashAttn;
  n_seq: number;
  n_ubatch: number;
  /**
   * Logical batch. Embedded: node-llama-cpp sets n_batch = n_ubatch. Server: llama-server's default
   * 2048 (raised to n_ubatch if larger, since llama.cpp caps n_ubatch at n_batch).
   */
  n_batch: number;
  /** Tokens decoded into each sequence before generation. */
  fill_tokens: number;
  /** Single-token decode steps per sequence after the fill. */
  gen_tokens: number;
}

/** File-name-safe, lower-case model label: `Qwen3-14B-Q4_K_M.gguf` → `qwen3-14b-q4_k_m`. */
export function modelSlug(modelPath: string): string {
  const base = modelPath.split(/[\\/]/).pop() ?? "model";
  const s = base
    .replace(/\.gguf$/i, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-._]+|[-._]+$/g, "");
  return s || "model";
}

/** The fill depth of one sequence: default n_ctx_seq − 64, or the --fill count / ratio; checked. */
export function fillTokens(opts: Pick<ProfileOptions, "fill" | "gen">, nCtxSeq: number): number {
  let fill: number;
  switch (opts.fill.kind) {
    case "default":
      fill = nCtxSeq - DEFAULT_FILL_GAP;
      break;
    case "tokens":
      fill = opts.fill.tokens;
      break;
    case "ratio":
      fill = Math.min(Math.floor(nCtxSeq * opts.fill.ratio), nCtxSeq - opts.gen);
      break;
  }
  if (fill < 1)
    throw new UsageError(
      `--ctx: a context of ${nCtxSeq} tokens per sequence leaves nothing to fill (the default fill is context − ${DEFAULT_FILL_GAP})`,
    );
  if (fill + opts.gen > nCtxSeq)
    throw new UsageError(
      `--fill: ${fill} tokens + ${opts.gen} generated exceed the ${nCtxSeq}-token context of each sequence`,
    );
  return fill;
}

export function caseName(model: string, s: Omit<Step, "index" | "name">): string {
  let n = `${model}_ctx-${s.n_ctx}_k-${s.type_k}_v-${s.type_v}_fa-${s.flash_attn}`;
  if (s.n_seq !== 1) n += `_np-${s.n_seq}`;
  if (s.n_ubatch !== 512) n += `_ub-${s.n_ubatch}`;
  return n;
}

export function buildPlan(opts: ProfileOptions): Step[] {
  const model = modelSlug(opts.model);
  const steps: Step[] = [];
  for (const n_ctx of opts.contexts) {
    const n_ctx_seq = n_ctx / opts.parallel;
    const fill = fillTokens(opts, n_ctx_seq);
    for (const { k, v } of opts.kv) {
      const s = {
        n_ctx,
        n_ctx_seq,
        type_k: k,
        type_v: v,
        flash_attn: opts.fa,
        n_seq: opts.parallel,
        n_ubatch: opts.ubatch,
        n_batch: opts.server ? Math.max(2048, opts.ubatch) : opts.ubatch,
        fill_tokens: fill,
        gen_tokens: opts.gen,
      };
      steps.push({ index: steps.length, name: caseName(model, s), ...s });
    }
  }
  return steps;
}
