import type { Placement } from "../../../schemas/placement.ts";
import type { RuntimeConfig } from "../../../schemas/runtime-config.ts";
import { estimateCompute } from "../compute.ts";
import type { ComputeInput } from "../compute.ts";
import type { PlacedDev } from "./devices.ts";

/**
 * Compute buffers per backend when a model is spread over devices (labelled estimate). Built on
 * the single-device estimate (src/lib/engine/compute.ts) plus what the scheduler adds per device
 * (ggml/src/ggml-backend.cpp, llama.cpp de3ff81):
 * - each device reserves its own graph: the output layer's device the logits, the others their
 *   layers' attention / FFN, plus the hidden state copied in from the previous device;
 * - pipeline parallelism (src/llama-context.cpp: more than one device, every layer offloaded
 *   (`-ngl` > n_layer), `-sm layer`, KV offloaded, no tensor overrides, all devices with async
 *   compute and events) makes the scheduler keep GGML_SCHED_MAX_COPIES = 4 persistent copies of
 *   every split input on each device (the KQ mask and the hidden state) and of the graph inputs on
 *   the host;
 * - a device backed by a CPU (an RPC server) keeps the FFN's gate, up and activation of a batch
 *   alive at once: n_ubatch × 4 B × (3 W + (u + 2) n_embd), W = n_ff (dense, u = 1) or
 *   n_expert_used × n_ff_exp (MoE, u = n_expert_used); the CUDA estimate fuses them;
 * - expert tensors kept on the host while their layer is offloaded run on the CPU: the host adds
 *   their three intermediates, 3 × n_ubatch × 4 B × n_expert_used × n_ff_exp; other tensors
 *   overridden to the host add the two hidden-state copies;
 * - `--no-kv-offload` runs attention on the host: the device keeps K and V rows of the batch
 *   (n_ubatch × 4 B × (k + v width)) and the hidden state, the host one more hidden state;
 * - iSWA models carry a second KQ mask (SWA cells) next to the full one (on the host: cuda.ts);
 * - the output device of a model that keeps its final hidden state (gpt-oss) adds the split's
 *   input copies to its logits peak only when it runs the whole graph as one split (cuda.ts);
 * - a CUDA/ROCm device runs the large batches of layers left on the host itself (offload_op):
 *   the host adds only a hidden state for them, and with `-ngl 0` the GPU still reserves its
 *   graph plus a copy of the largest weight (checked on an H100, tests/fixtures/placement/h100-runs.json).
 * Calibrated on the RPC runs of tests/fixtures/placement/rpc-runs.json.
 */
const N_COPIES = 4;

export interface ComputeBuffer {
  readonly name: string;
  readonly dev: number | null;
  readonly bytes: number;
}

/** FFN width W and the number of parallel FFN outputs u (experts used; 1 for a dense FFN). */
function ffnShape(ci: ComputeInput): { w: number; u: number; experts: number } {
  const a = ci.r.arch;
  if ((a.expert_count ?? 0) > 1 && a.expert_used_count && a.expert_feed_forward_length) {
    const experts = a.expert_used_count * a.expert_feed_forward_length;
    const shared = (a.expert_shared_feed_forward_length ?? 0) * Math.max(1, a.expert_shared_count ?? 0);
    return { w: experts + shared, u: a.expert_used_count, experts };
  }
  const ff = a.feed_forward_length;
  const w = ff === null ? 0 : typeof ff === "number" ? ff : Math.max(0, ...ff);
  return { w, u: 1, experts: 0 };
}

/** What the placement puts where, beyond layers: drives the per-device terms above. */
export interface ComputeSituation {
  /** Largest weight tensor kept in host memory (what a GPU copies in for a batched matmul). */
  readonly largest_host_tensor: number;
  /** KQ mask bytes of one copy: full cache cells, and SWA cells (0 without SWA). */
  readonly mask_bytes: number;
  readonly swa_mask_bytes: number;
  /** SWA cache cells per stream (0 without SWA). */
  readonly swa_cells: number;
  readonly experts_on_host: boolean;
  readonly other_overrides_on_host: boolean;
  readonly no_kv_offload: boolean;
  readonly pipeline_parallel: boolean;
}

/** Whether llama.cpp turns on pipeline parallelism for this placement. */
export function pipelineParallel(
  devs: readonly PlacedDev[],
  nLayerAll: number,
  config: RuntimeConfig,
  p: Placement,
): boolean {
  const ngl = config.n_gpu_layers < 0 ? nLayerAll + 1 : config.n_gpu_layers;
  const overrides = p.overrides.length > 0 || p.cpu_moe || p.n_cpu_moe > 0;
  const async = devs.every((d) => d.device.kind === "cuda" || d.device.kind === "rocm" || d.device.kind === "rpc");
  return devs.length > 1 && ngl > nLayerAll && p.split_mode === "layer" && !config.no_kv_offload && !overrides && async;
}

/** Per-device and host compute buffers. `used` = devices holding layers; `outDev` = output layer's device. */
export function computePerDevice(
  ci: ComputeInput,
  devs: readonly PlacedDev[],
  used: ReadonlySet<number>,
  outDev: number | null,
  anyCpuLayer: boolean,
  s: ComputeSituation,
): { list: ComputeBuffer[]; label: string } {
  const pp = s.pipeline_parallel;
  const hidden = ci.n_embd * ci.n_tok * 4;
  const masks = s.mask_bytes + s.swa_mask_bytes;
  const f = ffnShape(ci);
  const cpuFfn = ci.n_tok * 4 * (3 * f.w + (f.u + 2) * ci.n_embd);
  // one device running every layer and the output, nothing of theirs elsewhere: one split
  const oneSplit =
    used.size === 1 && !anyCpuLayer && !pp && !s.experts_on_host && !s.other_overrides_on_host && !s.no_kv_offload;
  const withOut = estimateCompute({ ...ci, offload: "all", one_split: oneSplit, n_kv_swa: s.swa_cells });
  const noOut = estimateCompute({ ...ci, n_vocab: 0, offload: "all" });
  // a CPU backend reads quantized K/V in place: no f16 dequantisation scratch
  const noOutCpu = estimateCompute({ ...ci, n_vocab: 0, offload: "all", type_k: "f16", type_v: "f16" });
  const nkvo = s.no_kv_offload ? ci.n_tok * 4 * (ci.r.k_width_max + ci.r.v_width_max) + hidden : 0;
  const list: ComputeBuffer[] = [];
  const copies = pp ? N_COPIES * (masks + hidden) : 0;
  for (const i of [...used].sort((a, b) => a - b)) {
    const cpuBacked = devs[i].device.kind === "rpc";
    const own =
      i === outDev
        ? Math.max(withOut.per_backend[0].bytes, cpuBacked ? cpuFfn + hidden : 0)
        : cpuBacked
          ? // with pipeline copies the estimate's own KQ mask is one of the copies
            Math.max(noOutCpu.per_backend[0].bytes - (pp ? s.mask_bytes : 0), cpuFfn) +
            hidden +
            (pp ? 0 : s.swa_mask_bytes)
          : noOut.per_backend[0].bytes;
    list.push({ name: devs[i].buft, dev: i, bytes: own + copies + (i === outDev ? 0 : nkvo) });
  }
  const hostName = devs.find((d) => d.host_buft)?.host_buft ?? "CPU";
  const gpuOffload = devs.findIndex((d) => d.device.kind === "cuda" || d.device.kind === "rocm");
  if (used.size === 0 && gpuOffload >= 0) {
    list.push({
      name: devs[gpuOffload].buft,
      dev: gpuOffload,
      bytes: withOut.per_backend[0].bytes + s.largest_host_tensor,
    });
    list.push({ name: hostName, dev: null, bytes: withOut.per_backend[1].bytes + hidden });
  } else if (used.size === 0) {
    list.push({ name: "CPU", dev: null, bytes: estimateCompute({ ...ci, offload: "none" }).bytes });
  } else if (gpuOffload >= 0) {
    const host = withOut.per_backend[1].bytes; // SWA mask included (n_kv_swa)
    const extra = anyCpuLayer || s.no_kv_offload ? hidden : 0;
    list.push({ name: hostName, dev: null, bytes: host + extra });
  } else {
    const host = withOut.per_backend[1].bytes; // SWA mask included (n_kv_swa)
    const inputs = host - 2 * hidden; // graph inputs (masks …) the host keeps, one copy
    // layers left on the CPU: the FFN intermediates of the batch and two hidden states
    let extra = anyCpuLayer ? ci.n_tok * 4 * (3 * f.w + 2 * ci.n_embd) : 0;
    if (s.experts_on_host) extra += 3 * ci.n_tok * 4 * f.experts;
    if (s.other_overrides_on_host) extra += 2 * hidden;
    if (s.no_kv_offload) extra += hidden;
    list.push({ name: hostName, dev: null, bytes: host + extra + (pp ? (N_COPIES - 1) * inputs : 0) });
  }
  return { list, label: withOut.label + "; per device: pipeline copies and CPU-backed FFN from RPC runs" };
}
