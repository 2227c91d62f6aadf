import { isQuantizedKvType } from "../../kv-types.ts";
import { qWidth } from "./cpu.ts";
import type { BufferBytes } from "../../../schemas/breakdown.ts";
import {
  ffnWidth,
  KEEPS_FINAL_HIDDEN,
  rotationMatrixBytes,
  type ComputeInput,
  type ComputeResult,
} from "../compute.ts";

/**
 * CUDA compute buffers (docs/memory-model.md#compute-calibration), calibrated on the 23 H100 runs
 * of the project's measurement, data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda/
 * (llama.cpp de3ff81, Qwen3-14B Q4_K_M), where it reproduces every CUDA0 and CUDA_Host compute
 * buffer to the byte:
 *
 * device = max(logits, attention, ffn)
 *   logits     = (n_vocab + n_embd) · n_out · 4                 (result_norm + logits, f32)
 *   attention  FA on : mask f16 n_kv·n_tok·2 + f16 dequant of quantized K/V (all cells × width × 2)
 *                      + 4 · n_embd · n_tok · 4 + 12 KiB + Hadamard rotation matrices
 *              FA off: KQ n_kv·n_tok·n_head·4 + mask f32 n_kv·n_tok·4 + 4 · n_embd · n_tok · 4
 *                      + 2 · k_width · n_tok · 4 + 8 KiB
 *   ffn        = one split (every layer and the output on the device): the input copies (masks, row
 *                indices) + n_tok · 4 · (2 · n_embd + q width + 3 · ffn width), the peak llama-server's
 *                few outputs leave (docs/memory-model.md#compute-cuda-few-outputs, measured on an H100);
 *                elsewhere n_tok · 4 · (2 · n_embd + 2 · ffn width)
 * host   = 2 · n_embd · n_tok · 4 + masks (full and SWA; f16 with FA, f32 without) + small inputs
 *          (+ 2 · k_width · n_tok · 4 without FA) + rotation matrices
 * A model that keeps its final hidden state (gpt-oss) adds its split's input copies to the logits
 * term on a device that runs the whole graph (docs/memory-model.md#compute-cuda-kept-hidden).
 */
export function cudaCompute(c: ComputeInput): ComputeResult {
  const { r, n_tok: nTok, n_kv: nKv, fa } = c;
  const hasAttn = r.layers.some((l) => l.kv) && nKv > 0;
  const rot = rotationMatrixBytes(r, c.type_k, c.type_v, c.profile);
  const kept = keptHiddenInputs(c, hasAttn);
  const swaKv = c.n_kv_swa ?? 0;
  const logits = (c.n_vocab + c.n_embd) * (c.n_out ?? nTok) * 4 + kept.bytes;
  let attn = 0;
  let attnSlope = 0;
  let host = 2 * c.n_embd * nTok * 4;
  let hostSlope = 0;
  if (hasAttn) {
    const kW = r.k_width_max;
    const vW = r.is_mla ? 0 : r.v_width_max;
    if (fa) {
      const deqPerCell = (isQuantizedKvType(c.type_k) ? kW * 2 : 0) + (isQuantizedKvType(c.type_v) ? vW * 2 : 0);
      const perKv = nTok * 2;
      attn = nKv * perKv + c.cells_total * deqPerCell + 4 * c.n_embd * nTok * 4 + 12288 + rot;
      attnSlope = perKv * (nKv / c.cells_total) + deqPerCell;
      // the SWA cache's own f16 mask and K/V row indices (i64) are host inputs too
      host += nKv * nTok * 2 + 14336 + (swaKv > 0 ? swaKv * nTok * 2 + 2 * nTok * 8 : 0);
      hostSlope = nTok * 2 * (nKv / c.cells_total);
    } else {
      const nHead = c.n_head ?? 0;
      const perKv = nTok * nHead * 4 + nTok * 4;
      attn = nKv * perKv + 4 * c.n_embd * nTok * 4 + 2 * kW * nTok * 4 + 8192;
      attnSlope = perKv * (nKv / c.cells_total);
      host += nKv * nTok * 4 + 10240 + 2 * kW * nTok * 4 + swaKv * nTok * 4;
      hostSlope = nTok * 4 * (nKv / c.cells_total);
    }
  }
  host += rot;
  // the layer term as calibrated (partial offloads and devices without the output, within ±10 %);
  // a device running the whole graph as one split has its FFN peak read off the allocator
  const layerFfn = nTok * 4 * (2 * c.n_embd + 2 * ffnWidth(r));
  const wholeGraph = c.offload === "all" && c.one_split !== false && c.n_vocab > 0 && hasAttn;
  const ffn = wholeGraph ? deviceFfn(c) : layerFfn;
  const main = Math.max(logits, attn, ffn);
  const mainSlope = attn >= logits && attn >= ffn ? attnSlope : logits >= ffn ? kept.slope : 0;
  const label =
    "estimate: max(logits, attention, FFN) + host inputs; calibrated on llama.cpp de3ff81 CUDA H100 Qwen3-14B (23 runs)";
  let per: BufferBytes[];
  let slope: number;
  if (c.backend === "cpu" || c.offload === "none") {
    per = [{ name: "CPU", host: true, bytes: main + host }];
    slope = mainSlope + hostSlope;
  } else {
    const dev = c.backend === "cuda" ? "CUDA0" : "MTL0";
    const hostName = c.backend === "cuda" ? "CUDA_Host" : "CPU";
    if (c.offload === "all") {
      per = [
        { name: dev, host: false, bytes: main },
        { name: hostName, host: true, bytes: host },
      ];
    } else {
      // Partial offload: the device still reserves the full graph; CPU layers add their own.
      per = [
        { name: dev, host: false, bytes: main },
        { name: hostName, host: true, bytes: host + Math.max(attn, layerFfn) },
      ];
    }
    slope = mainSlope + hostSlope + (c.offload === "partial" ? attnSlope : 0);
  }
  const bytes = per.reduce((s, b) => s + b.bytes, 0);
  return { per_backend: per, bytes, slope_per_cell: slope, label };
}

/**
 * What the logits peak adds for an architecture that keeps its final hidden state
 * (docs/memory-model.md#compute-cuda-kept-hidden): ggml-alloc never frees a graph output, so the
 * logits are placed above it and the result norm. On a device that runs the whole graph as one
 * split the kept state sits just above the split's input copies (token embeddings, positions, K/V
 * row indices per cache, the f16 masks, output ids): measured with flash attention. Anywhere else
 * (graph cut into splits, flash attention off) at least the kept state itself.
 */
function keptHiddenInputs(c: ComputeInput, hasAttn: boolean): { bytes: number; slope: number } {
  const onDevice = c.backend === "cuda" && c.offload !== "none" && c.n_vocab > 0;
  if (!onDevice || !KEEPS_FINAL_HIDDEN.has(c.r.arch.arch)) return { bytes: 0, slope: 0 };
  const nTok = c.n_tok;
  const hidden = c.n_embd * nTok * 4;
  if (c.offload !== "all" || c.one_split === false || !hasAttn || !c.fa) return { bytes: hidden, slope: 0 };
  const swa = c.n_kv_swa ?? 0;
  const caches = swa > 0 ? 2 : 1;
  // embd copy (f32), inp_pos + out_ids (i32), k_idxs + v_idxs per cache (i64), f16 masks
  const bytes = hidden + 2 * nTok * 4 + caches * 2 * nTok * 8 + (c.n_kv + swa) * nTok * 2;
  return { bytes, slope: nTok * 2 * (c.n_kv / c.cells_total) };
}

/**
 * The device's FFN peak (docs/memory-model.md#compute-cuda-few-outputs): the split's input copies
 * (the masks, f16 with flash attention, f32 without; positions, K/V row indices, output ids), the
 * token embeddings' copy and the hole the layer's query leaves below the residual stream, the
 * residual, then gate, up and their GLU product (not in place). It binds once the logits rows are
 * few (llama-server) and the micro-batch is large against the context.
 */
function deviceFfn(c: ComputeInput): number {
  const nTok = c.n_tok;
  const caches = (c.n_kv_swa ?? 0) > 0 ? 2 : 1;
  const masks = (c.n_kv + (c.n_kv_swa ?? 0)) * nTok * (c.fa ? 2 : 4) + caches * 2 * nTok * 8;
  // MoE: the router's small tensors fit in the freed embeddings' copy below
  return masks + 2 * nTok * 4 + nTok * 4 * (2 * c.n_embd + qWidth(c) + 3 * ffnWidth(c.r));
}
