/**
 * What picking a machine means (pure; the CLI's --hardware and the calculator's machine picker):
 * the budget template that applies to it and the llama.cpp backend whose rules size its buffers.
 *
 * - Apple Silicon: `apple-metal-default` — llama.cpp's Metal budget is the GPU working-set limit
 *   (recommendedMaxWorkingSetSize), on unified memory; backend `metal`.
 * - A discrete card: `generic-gpu` — the card's usable VRAM less the display's share; backend
 *   `cuda` (AMD cards run llama.cpp's HIP build of the same CUDA code; its compute-buffer figures
 *   are the CUDA estimate, unmeasured on AMD).
 */

export type MachineBackend = "metal" | "cuda";

export interface MachineDefaults {
  budgetId: "apple-metal-default" | "generic-gpu";
  backend: MachineBackend;
  /** Said next to the answer where the backend's rules are borrowed. */
  note: string | null;
}

export function machineDefaults(h: { vendor: string; memoryKind?: string; unified?: boolean }): MachineDefaults {
  const unified = h.memoryKind === "unified" || h.unified === true;
  if (h.vendor === "apple" || unified) return { budgetId: "apple-metal-default", backend: "metal", note: null };
  return {
    budgetId: "generic-gpu",
    backend: "cuda",
    note:
      h.vendor === "amd"
        ? "AMD: llama.cpp's HIP build shares the CUDA backend; compute-buffer figures are the CUDA estimate, not measured on AMD"
        : null,
  };
}
