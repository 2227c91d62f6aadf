import type { ComputeInput, ComputeResult } from "../compute.ts";
import { ffnWidth, KEEPS_FINAL_HIDDEN } from "../compute.ts";

/**
 * The CPU compute buffer (docs/memory-model.md#compute-buffers): one buffer holding the whole
 * reserved graph, sized by ggml-alloc as the high-water mark of the tensors alive together. The
 * graph has three peaks; the buffer is the largest:
 *
 * - output: inp_embd (n_embd · n_tok · 4, an input never freed), then result_norm + logits,
 *   (n_vocab + n_embd) · n_out · 4 (n_out = min(n_tok, n_outputs_max): a micro-batch for
 *   llama-completion, few for llama-server); gpt-oss also keeps its last hidden state;
 * - a layer's attention: the KQ masks of every cache (f16 with flash attention, f32 without,
 *   n_kv · n_tok each, alive through all layers), and
 *   - flash attention: K/V read in place, quantized or not (no dequant scratch on CPU), except an
 *     f32 cache, which is cast to f16 first (all cells × width × 2 for K and for V);
 *   - without: the KQ matrix n_kv · n_tok · n_head · 4 (softmax in place);
 *   plus the layer's activations (q, k, v, the attention output and the residual stream);
 * - a layer's FFN (dense: gate, up and their GLU product; MoE: the routed experts' for every token),
 *   above a hole two hidden states wide and the residual (docs/memory-model.md#compute-cpu-few-outputs).
 *
 * Constants are fitted to llama.cpp de3ff81's no-allocation reservations of real catalog geometries
 * (tests/fixtures/compute/*.json, recorded with llama-fit-params); the unit test asserts the error
 * bound over every recorded case.
 */

export interface CpuTerms {
  readonly logits: number;
  readonly masks: number;
  readonly attention: number;
  readonly ffn: number;
  readonly recurrent: number;
  /** d(masks)/d(total cell) and d(attention)/d(total cell). */
  readonly maskSlope: number;
  readonly attentionSlope: number;
}

/** The widest query projection (n_head · head_k) of an attention layer. */
export function qWidth(c: ComputeInput): number {
  let w = 0;
  for (const l of c.r.layers) if (l.kv && l.n_head) w = Math.max(w, l.n_head * l.head_k);
  return w;
}

/**
 * Activations of one layer's attention, f32 per token: the residual stream and its norm, q (and
 * its roped copy), k, v and the attention output. MLA (absorbed): q in the latent space
 * (n_head × (kv_lora + rope)), the latent attention output and its V projection (n_head ×
 * kv_lora each). deepseek2 without MLA keys also builds k from k_nope + k_pe and the kv_b output.
 */
function attentionActivations(c: ComputeInput): number {
  const r = c.r;
  const kW = r.k_width_max;
  if (r.is_mla) {
    let latent = 0;
    for (const l of r.layers) if (l.kv && l.n_head) latent = Math.max(latent, l.n_head * (l.head_k + 2 * l.head_v));
    return c.n_tok * 4 * (c.n_embd + latent + kW);
  }
  const vW = r.v_width_max;
  const deepseekMha = r.arch.arch === "deepseek2" ? kW + vW : 0;
  return c.n_tok * 4 * (3 * c.n_embd + 2 * qWidth(c) + kW + vW + deepseekMha);
}

/** Routed-expert activations (gate, up and their product per used expert) + router logits. */
function ffnActivations(c: ComputeInput): number {
  const a = c.r.arch;
  const moe = (a.expert_count ?? 0) > 1 && a.expert_used_count && a.expert_feed_forward_length;
  const width = ffnWidth(c.r);
  const router = moe ? c.n_tok * 4 * 2 * (a.expert_count ?? 0) : 0;
  return c.n_tok * 4 * (4 * c.n_embd + 3 * width) + router;
}

/**
 * Recurrent layers (Mamba-1/2, gated delta nets): the residual stream, the layer's projections per
 * token and the state being updated. Mamba-2: the in-projection (z, x, B, C, dt: 2 · d_inner +
 * 2 · n_group · d_state + n_head), the convolved x/B/C and three d_inner-wide tensors (scan output,
 * gate, norm), fitted on Nemotron-H (whose Mamba layers bind at large micro-batches); others about
 * 4 · d_inner.
 */
function recurrentActivations(c: ComputeInput): number {
  const w = c.r.recurrent_widths;
  const a = c.r.arch.recurrent;
  if (!w || !a) return 0;
  const dInner = a.d_inner ?? 0;
  const state = w.s * 4 * (c.n_stream ?? 1);
  if (a.family === "mamba2" && a.d_state && a.n_group) {
    const bc = 2 * a.n_group * a.d_state;
    const perTok = 2 * dInner + bc + (a.time_step_rank ?? 0) + (dInner + bc) + 3 * dInner;
    return c.n_tok * 4 * (3 * c.n_embd + perTok) + state;
  }
  return c.n_tok * 4 * (3 * c.n_embd + 4 * dInner) + state;
}

export function cpuTerms(c: ComputeInput): CpuTerms {
  const { n_tok: nTok, fa } = c;
  // inp_embd stays alive through the graph; result_norm and logits hold the output rows only; gpt-oss
  // keeps its last hidden state (docs/memory-model.md#compute-cpu-few-outputs)
  const kept = KEEPS_FINAL_HIDDEN.has(c.r.arch.arch) ? c.n_embd * nTok * 4 : 0;
  const logits = c.n_embd * nTok * 4 + kept + (c.n_vocab + c.n_embd) * (c.n_out ?? nTok) * 4;
  const hasAttn = c.r.layers.some((l) => l.kv) && c.n_kv > 0;
  const maskBytes = fa ? 2 : 4;
  const swaKv = c.n_kv_swa ?? 0;
  const masks = hasAttn ? (c.n_kv + swaKv) * nTok * maskBytes : 0;
  const perCellShare = c.n_kv / Math.max(1, c.cells_total);
  let attention = 0;
  let slope = 0;
  if (hasAttn) {
    const act = attentionActivations(c);
    if (fa) {
      // An f32 cache is cast to f16 before the kernel; k and v of the batch are dead by then.
      const kCast = c.type_k === "f32" ? c.r.k_width_max * 2 : 0;
      const vCast = c.type_v === "f32" ? c.r.v_width_max * 2 : 0;
      const cast = c.cells_total * (kCast + vCast);
      const kv = nTok * 4 * (c.r.k_width_max + (c.r.is_mla ? 0 : c.r.v_width_max));
      attention = cast > 0 ? Math.max(act, cast + act - kv) : act;
      slope = cast > 0 && cast + act - kv > act ? kCast + vCast : 0;
    } else {
      // KQ (softmax in place); while KQ is smaller than the layer's other activations the
      // allocator fits part of it into space they free.
      const kqPerCell = nTok * (c.n_head ?? 0) * 4;
      const kq = c.n_kv * kqPerCell;
      attention = kq >= act ? kq + act : act + (kq * kq) / act;
      slope = kq >= act ? kqPerCell * perCellShare : ((2 * kq) / act) * kqPerCell * perCellShare;
    }
  }
  return {
    logits,
    masks,
    attention,
    ffn: ffnActivations(c),
    recurrent: recurrentActivations(c),
    maskSlope: hasAttn ? nTok * maskBytes * perCellShare : 0,
    attentionSlope: slope,
  };
}

export function cpuCompute(c: ComputeInput): ComputeResult {
  const t = cpuTerms(c);
  const layer = t.masks + Math.max(t.attention, t.ffn, t.recurrent);
  const bytes = Math.max(t.logits, layer);
  const attentionBinds = t.attention >= t.ffn && t.attention >= t.recurrent;
  const slope = layer > t.logits ? t.maskSlope + (attentionBinds ? t.attentionSlope : 0) : 0;
  return {
    per_backend: [{ name: "CPU", host: true, bytes }],
    bytes,
    slope_per_cell: slope,
    label:
      "fitted estimate: max(output, masks + max(attention, FFN, recurrent)); fitted to llama.cpp de3ff81 CPU no-allocation reservations of real catalog geometries (tests/fixtures/compute)",
  };
}
