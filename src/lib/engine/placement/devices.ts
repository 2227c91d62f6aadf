import type { Device, Placement } from "../../../schemas/placement.ts";
import { EngineError } from "../errors.ts";

/**
 * The device list llama.cpp builds and how it assigns layers to devices (llama.cpp de3ff81):
 * - `llama_prepare_model_devices` (src/llama.cpp): RPC devices go to the FRONT of the list, local
 *   GPUs follow; `-sm none` keeps only device `-mg`.
 * - `load_tensors` (src/llama-model.cpp): split points are the cumulative, normalised `-ts`
 *   proportions, or each device's free memory when `-ts` is absent or all zero; the first
 *   offloaded layer is `i_gpu_start = max(n_layer_all + 1 − n_gpu_layers, 0)`; a layer goes to
 *   `upper_bound(splits, (il − i_gpu_start) / act_gpu_layers)`. The arithmetic is `float`, so it is
 *   done here in float32 (Math.fround) to land on the same device at the boundaries. The output
 *   layer is "layer n_layer_all"; the input layer (token embeddings) always stays on the CPU.
 */

/** A device as llama.cpp names and orders it. */
export interface PlacedDev {
  readonly index: number;
  readonly device: Device;
  /** Default buffer type name: `CUDA0`, `ROCm1`, `Vulkan0`, `MTL0`, `RPC0[host:port]`. */
  readonly buft: string;
  /** Pinned host buffer type this device offers (`CUDA_Host` …), null when none. */
  readonly host_buft: string | null;
  /** `local` or the RPC endpoint whose machine holds its memory. */
  readonly machine: string;
}

const PREFIX = { cuda: "CUDA", rocm: "ROCm", vulkan: "Vulkan", metal: "MTL", rpc: "RPC" } as const;
const HOST_BUFT = { cuda: "CUDA_Host", rocm: "ROCm_Host", vulkan: "Vulkan_Host", metal: null, rpc: null } as const;

/** Name and order the devices as llama.cpp does; validate the device-related options. */
export function orderDevices(p: Placement): PlacedDev[] {
  const rpc = p.devices.filter((d) => d.kind === "rpc");
  const local = p.devices.filter((d) => d.kind !== "rpc");
  const perEndpoint = new Map<string, number>();
  const perKind = new Map<string, number>();
  const named: PlacedDev[] = [...rpc, ...local].map((d, index) => {
    if (d.kind === "rpc" && !d.endpoint)
      throw new EngineError("unsupported-config", `RPC device "${d.name}" needs an endpoint (host:port)`, "devices");
    if (d.kind !== "rpc" && d.endpoint)
      throw new EngineError("unsupported-config", `only RPC devices have an endpoint ("${d.name}")`, "devices");
    let buft: string;
    if (d.kind === "rpc") {
      const n = perEndpoint.get(d.endpoint!) ?? 0;
      perEndpoint.set(d.endpoint!, n + 1);
      buft = `RPC${n}[${d.endpoint}]`;
    } else {
      const n = perKind.get(d.kind) ?? 0;
      perKind.set(d.kind, n + 1);
      buft = `${PREFIX[d.kind]}${n}`;
    }
    return { index, device: d, buft, host_buft: HOST_BUFT[d.kind], machine: d.endpoint ?? "local" };
  });
  if (p.tensor_split.length > Math.max(named.length, 1))
    throw new EngineError(
      "unsupported-config",
      `-ts has ${p.tensor_split.length} values but there are ${named.length} devices`,
      "tensor_split",
    );
  if (p.split_mode === "row" && named.length > 0) {
    // llama_model::load_tensors asks each GPU's backend for "ggml_backend_split_buffer_type"; at
    // de3ff81 only SYCL (and Hexagon) export it — not CUDA/ROCm, Vulkan, Metal, RPC or CPU — so the
    // load fails (docs/memory-model.md#device-order); older builds' CUDA row split is not modelled
    const d = named[0];
    throw new EngineError(
      "unsupported-config",
      `-sm row: llama.cpp fails to load the model ("device ${d.buft.replace(/\[.*$/, "")} does not support split buffers"): the ${d.device.kind} backend has no split buffer type at this revision; use -sm layer`,
      "split_mode",
    );
  }
  if (p.split_mode === "none" && named.length > 0) {
    if (p.main_gpu >= named.length)
      throw new EngineError(
        "unsupported-config",
        `-mg ${p.main_gpu} is out of range (${named.length} device${named.length === 1 ? "" : "s"})`,
        "main_gpu",
      );
    return [named[p.main_gpu]];
  }
  if (p.main_gpu >= Math.max(named.length, 1))
    throw new EngineError(
      "unsupported-config",
      `-mg ${p.main_gpu} is out of range (${named.length} devices)`,
      "main_gpu",
    );
  return named;
}

/** Cumulative, normalised split points in float32 (`load_tensors`, "calculate the split points"). */
export function splitPoints(devs: readonly PlacedDev[], tensorSplit: readonly number[]): number[] {
  const f = Math.fround;
  const given = tensorSplit.some((x) => x !== 0);
  const raw = devs.map((d, i) => (given ? f(tensorSplit[i] ?? 0) : f(d.device.free_bytes ?? d.device.memory_bytes)));
  let sum = f(0);
  const cum = raw.map((x) => (sum = f(sum + x)));
  // A list of devices that all report 0 bytes would divide by zero; llama.cpp falls back to the
  // host memory for each of them, which makes the split even.
  if (sum === 0) return devs.map((_, i) => f((i + 1) / devs.length));
  return cum.map((x) => f(x / sum));
}

/**
 * Device index of each layer 0 … n_layer_all (the last entry is the output layer); null = CPU.
 * `nGpuLayers` < 0 means all (llama.cpp: n_layer_all + 1).
 */
export function assignLayers(nLayerAll: number, nGpuLayers: number, splits: readonly number[]): (number | null)[] {
  const f = Math.fround;
  const ngl = nGpuLayers < 0 ? nLayerAll + 1 : nGpuLayers;
  const start = Math.max(nLayerAll + 1 - ngl, 0);
  const act = splits.length === 0 ? 0 : Math.min(ngl, nLayerAll + 1);
  const out: (number | null)[] = [];
  for (let il = 0; il <= nLayerAll; il++) {
    if (il < start || il - start >= act) {
      out.push(null);
      continue;
    }
    const x = f(f(il - start) / f(act));
    // upper_bound: first split point strictly greater than x
    let k = splits.findIndex((s) => s > x);
    if (k < 0) k = splits.length; // devices.at() would throw in llama.cpp; cannot happen with x < 1
    out.push(Math.min(k, splits.length - 1));
  }
  return out;
}
