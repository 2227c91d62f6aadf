/**
 * Placement controls for a PC: split mode (-sm), tensor split (-ts), main GPU (-mg), experts on
 * the CPU (--cpu-moe / --n-cpu-moe N) and mmap (--load-mode). GPU layers (-ngl) stay in the
 * calculator's GPU offload inputs.
 */
import { useEffect, useState } from "preact/hooks";
import type { MachineSpec } from "../../lib/calculator/placement-machine.ts";

export interface PlacementControlsProps {
  id: string;
  spec: MachineSpec;
  /** Blocks of the model (the upper bound of --n-cpu-moe). */
  nBlocks: number;
  set: (spec: MachineSpec) => void;
}

/** `-ts` text → proportions (empty = llama.cpp's default), or null when not valid here. */
function readSplit(text: string, n: number): number[] | null {
  const t = text.trim();
  if (t === "") return [];
  const v = t.split(",").map((x) => (/^\d{1,7}(\.\d{1,6})?$/.test(x.trim()) ? Number(x) : NaN));
  return v.length <= n && v.every((x) => x >= 0 && x <= 1e6) ? v : null;
}

export function PlacementControls(p: PlacementControlsProps) {
  const { id, spec, set, nBlocks } = p;
  const nDev = spec.gpus.length + spec.rpc.length;
  const [tsText, setTsText] = useState(spec.tensorSplit.join(","));
  useEffect(() => setTsText(spec.tensorSplit.join(",")), [spec.tensorSplit.join(",")]);
  const tsBad = readSplit(tsText, nDev) === null;
  const moeKind = typeof spec.moe === "number" ? "first" : spec.moe;
  return (
    <div class="calc-pc__controls">
      <div class="calc-field calc-field--inline">
        <label for={`${id}-sm`}>Split mode (-sm)</label>
        <select
          id={`${id}-sm`}
          value={spec.splitMode}
          onChange={(e) => set({ ...spec, splitMode: (e.target as HTMLSelectElement).value as "layer" | "none" })}
        >
          <option value="layer">layer (spread layers)</option>
          <option value="none">none (one GPU)</option>
        </select>
      </div>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-ts`}>Tensor split (-ts)</label>
        <input
          id={`${id}-ts`}
          type="text"
          placeholder="by memory"
          value={tsText}
          aria-invalid={tsBad ? "true" : "false"}
          onInput={(e) => setTsText((e.target as HTMLInputElement).value)}
          onChange={(e) => {
            const v = readSplit((e.target as HTMLInputElement).value, nDev);
            if (v !== null) set({ ...spec, tensorSplit: v });
          }}
        />
      </div>
      {tsBad && <p class="calc-help">Up to {nDev} numbers separated by commas (RPC servers come first).</p>}
      <div class="calc-field calc-field--inline">
        <label for={`${id}-mg`}>Main GPU (-mg)</label>
        <input
          id={`${id}-mg`}
          type="number"
          min={0}
          max={nDev - 1}
          value={spec.mainGpu}
          onChange={(e) => {
            const v = Number((e.target as HTMLInputElement).value);
            if (Number.isInteger(v) && v >= 0 && v < nDev) set({ ...spec, mainGpu: v });
          }}
        />
      </div>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-moe`}>Experts on the CPU</label>
        <select
          id={`${id}-moe`}
          value={moeKind}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            set({ ...spec, moe: v === "first" ? 1 : (v as "none" | "all") });
          }}
        >
          <option value="none">none</option>
          <option value="all">all (--cpu-moe)</option>
          <option value="first">first N blocks (--n-cpu-moe)</option>
        </select>
        {typeof spec.moe === "number" && (
          <input
            id={`${id}-ncmoe`}
            aria-label="N (--n-cpu-moe)"
            type="number"
            min={1}
            max={nBlocks}
            value={spec.moe}
            onChange={(e) => {
              const v = Number((e.target as HTMLInputElement).value);
              if (Number.isInteger(v) && v >= 1 && v <= nBlocks) set({ ...spec, moe: v });
            }}
          />
        )}
      </div>
      <div class="calc-field calc-check">
        <input
          id={`${id}-mmap`}
          type="checkbox"
          checked={spec.mmap}
          onChange={(e) => set({ ...spec, mmap: (e.target as HTMLInputElement).checked })}
        />
        <label for={`${id}-mmap`}>mmap the model file (off: --load-mode none, pinned host buffers)</label>
      </div>
    </div>
  );
}
