import type { RuntimeConfig } from "../../schemas/runtime-config.ts";

/** Buffer names of the configuration's device and of its host-side compute buffer. */
export function devNames(config: RuntimeConfig): { dev: string; hostCompute: string } {
  if (config.backend === "cuda") return { dev: "CUDA0", hostCompute: "CUDA_Host" };
  if (config.backend === "metal") return { dev: "MTL0", hostCompute: "CPU" };
  return { dev: "CPU", hostCompute: "CPU" };
}

/** Layers on the device by `-ngl` (output layer counted first, docs/memory-model.md#offload). */
export function placement(
  nLayerAll: number,
  config: RuntimeConfig,
): { onDevice: (il: number) => boolean; outputOnDevice: boolean; offload: "all" | "none" | "partial" } {
  if (config.backend === "cpu" || config.n_gpu_layers === 0)
    return { onDevice: () => false, outputOnDevice: false, offload: "none" };
  const ngl = config.n_gpu_layers;
  if (ngl < 0 || ngl >= nLayerAll + 1) return { onDevice: () => true, outputOnDevice: true, offload: "all" };
  const start = Math.max(nLayerAll + 1 - ngl, 0);
  return { onDevice: (il) => il >= start, outputOnDevice: true, offload: "partial" };
}
