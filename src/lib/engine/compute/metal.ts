import type { BufferBytes } from "../../../schemas/breakdown.ts";
import type { ComputeInput, ComputeResult } from "../compute.ts";
import { cpuCompute, cpuTerms } from "./cpu.ts";

/**
 * Metal compute buffers, derived from the Metal backend's source (llama.cpp de3ff81,
 * ggml/src/ggml-metal): no Metal run has been measured yet, so this is an estimate with a range.
 *
 * The graph is the CPU's (same llama.cpp graph, same ggml-alloc), so the CPU terms apply
 * (compute/cpu.ts). On top, `ggml_backend_metal_buffer_type_get_alloc_size` (ggml-metal.cpp) gives
 * two ops extra room inside the compute buffer:
 * - FLASH_ATTN_EXT (ggml-metal-ops.cpp, `ggml_metal_op_flash_attn_ext_extra_*`):
 *   - kv_f16: an F16 copy of the K view (head_k × n_kv × n_head_kv × streams × 2) and of the V
 *     view (none when V is a view of K, as with MLA), reserved for every type ("always reserve the
 *     temp buffer to avoid graph reallocations"; quantized K/V is dequantized into it for batches
 *     of 32 tokens or more, PR #27390) — so unlike the CPU, Metal's attention grows with the
 *     context even for an f16 cache;
 *   - tmp: 4 · min(n_tok, 32) · n_head · streams · 32 · (head_v + 2) (per-workgroup partials);
 *   - pad: 64 · (K row + V row over heads and streams + f16 mask row), blk: ⌈n_tok/8⌉ · ⌈n_kv/64⌉.
 * - MUL_MAT_ID (MoE): 4 · n_expert · (n_tok + 1) + 8 + a few scales.
 * The input layer runs on the CPU (token embeddings stay in host memory), so the CPU compute
 * buffer holds the embeddings' get_rows, the masks and small inputs, as on CUDA.
 */

export const METAL_RANGE = { low: -0.25, high: 0.25 } as const;

const pad = (x: number, n: number): number => Math.ceil(x / n) * n;

function metalFlashAttentionExtra(c: ComputeInput): { bytes: number; slope: number } {
  const r = c.r;
  const streams = c.n_stream ?? 1;
  const nTokStream = Math.max(1, Math.floor(c.n_tok / streams));
  let headV = 0;
  let nHead = 0;
  for (const l of r.layers)
    if (l.kv) {
      headV = Math.max(headV, l.head_v);
      nHead = Math.max(nHead, l.n_head ?? 0);
    }
  const kF16 = pad(c.cells_total * r.k_width_max * 2, 16);
  const vF16 = r.is_mla ? 0 : pad(c.cells_total * r.v_width_max * 2, 16);
  const tmp = 4 * Math.min(nTokStream, 32) * nHead * streams * 32 * (headV + 2);
  const padBytes = 64 * (r.k_width_max * 2 * streams + r.v_width_max * 2 * streams + 2 * c.n_tok);
  const blk = pad(Math.ceil(nTokStream / 8) * Math.ceil(c.n_kv / 64) * streams, 32);
  const slope = (r.k_width_max + (r.is_mla ? 0 : r.v_width_max)) * 2;
  return { bytes: kF16 + vF16 + tmp + padBytes + blk, slope };
}

function moeExtra(c: ComputeInput): number {
  const n = c.r.arch.expert_count ?? 0;
  return n > 1 ? 4 * n * (c.n_tok + 1) + 8 + 4 * 64 : 0;
}

export function metalCompute(c: ComputeInput): ComputeResult {
  // Nothing offloaded: the CPU backend runs the whole graph.
  if (c.offload === "none") return cpuCompute(c);
  const t = cpuTerms(c);
  const hasAttn = c.r.layers.some((l) => l.kv) && c.n_kv > 0;
  const fa = hasAttn && c.fa ? metalFlashAttentionExtra(c) : { bytes: 0, slope: 0 };
  const attention = t.attention + fa.bytes;
  const layer = t.masks + Math.max(attention, t.ffn + moeExtra(c), t.recurrent);
  const device = Math.max(t.logits, layer);
  const attentionBinds = attention >= t.ffn && attention >= t.recurrent;
  const slope = layer > t.logits ? t.maskSlope + (attentionBinds ? t.attentionSlope + fa.slope : 0) : 0;
  const maskBytes = c.fa ? 2 : 4;
  const masks = hasAttn ? (c.n_kv + (c.n_kv_swa ?? 0)) * c.n_tok * maskBytes : 0;
  const host = 2 * c.n_embd * c.n_tok * 4 + masks + (hasAttn ? (c.fa ? 14336 : 10240) : 0);
  const label = `estimate — no Metal measurement yet: the CPU graph terms plus the Metal flash-attention scratch (F16 K/V copy, partials) and MoE ids from ggml-metal's source (llama.cpp de3ff81); expected within ${METAL_RANGE.low * 100} % … +${METAL_RANGE.high * 100} %`;
  const per: BufferBytes[] = [
    { name: "MTL0", host: false, bytes: device },
    { name: "CPU", host: true, bytes: host },
  ];
  const bytes = per.reduce((s, b) => s + b.bytes, 0);
  return { per_backend: per, bytes, slope_per_cell: slope, label };
}
