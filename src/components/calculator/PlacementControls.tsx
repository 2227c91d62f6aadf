/**
 * Placement controls for a PC: split mode (-sm), tensor split (-ts), main GPU (-mg), experts on
 * the CPU (--cpu-moe / --n-cpu-moe N), tensor overrides (-ot), the KV cache in system RAM
 * (--no-kv-offload) and mmap (--load-mode). GPU layers (-ngl) stay in the calculator's GPU offload inputs.
 */
import { useEffect, useState } from "preact/hooks";
import type { MachineOverride, MachineSpec } from "../../lib/calculator/placement-machine.ts";
import { MAX_OVERRIDES, parseOverride } from "../../lib/calculator/placement-machine.ts";
import { onChecked, onInteger, onPick, onValue } from "../../views/calculator/input-events.ts";

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

/** One `pattern=BUFFER` per line → overrides, or the first line's reason. */
function readOverrides(text: string): MachineOverride[] | string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (lines.length > MAX_OVERRIDES) return `At most ${MAX_OVERRIDES} tensor overrides.`;
  const out: MachineOverride[] = [];
  for (const l of lines) {
    const o = parseOverride(l);
    if (typeof o === "string") return o;
    out.push(o);
  }
  return out;
}

const otText = (s: MachineSpec): string => s.overrides.map((o) => `${o.pattern}=${o.buft}`).join("\n");

function Overrides({ id, spec, set }: Pick<PlacementControlsProps, "id" | "spec" | "set">) {
  const [text, setText] = useState(otText(spec));
  useEffect(() => setText(otText(spec)), [otText(spec)]);
  const r = readOverrides(text);
  return (
    <div class="calc-field">
      <label for={`${id}-ot`}>Tensor overrides (-ot), one pattern=BUFFER per line</label>
      <textarea
        id={`${id}-ot`}
        rows={2}
        placeholder="blk\.(1[0-9])\.ffn_.*_exps=CPU"
        value={text}
        aria-invalid={typeof r === "string" ? "true" : "false"}
        onInput={onValue(setText)}
        onChange={onValue((t) => {
          const v = readOverrides(t);
          if (typeof v !== "string") set({ ...spec, overrides: v });
        })}
      />
      {typeof r === "string" && (
        <p class="calc-help" role="alert">
          {r}
        </p>
      )}
    </div>
  );
}

type Fields = Pick<PlacementControlsProps, "id" | "spec" | "set">;

const SPLIT_MODES = ["layer", "none"] as const;
const MOE_KINDS = ["none", "all", "first"] as const;

export function PlacementControls(p: PlacementControlsProps) {
  const { id, spec, set, nBlocks } = p;
  return (
    <div class="calc-pc__controls">
      <SplitFields id={id} spec={spec} set={set} />
      <MoeField id={id} spec={spec} set={set} nBlocks={nBlocks} />
      <Overrides id={id} spec={spec} set={set} />
      <div class="calc-field calc-check">
        <input
          id={`${id}-nkvo`}
          type="checkbox"
          checked={spec.noKvOffload}
          onChange={onChecked((c) => set({ ...spec, noKvOffload: c }))}
        />
        <label for={`${id}-nkvo`}>KV cache in system RAM (--no-kv-offload)</label>
      </div>
      <div class="calc-field calc-check">
        <input
          id={`${id}-mmap`}
          type="checkbox"
          checked={spec.mmap}
          onChange={onChecked((c) => set({ ...spec, mmap: c }))}
        />
        <label for={`${id}-mmap`}>mmap the model file (off: --load-mode none, pinned host buffers)</label>
      </div>
    </div>
  );
}

/** -sm, -ts and -mg. */
function SplitFields({ id, spec, set }: Fields) {
  const nDev = spec.gpus.length + spec.rpc.length;
  const [tsText, setTsText] = useState(spec.tensorSplit.join(","));
  useEffect(() => setTsText(spec.tensorSplit.join(",")), [spec.tensorSplit.join(",")]);
  const tsBad = readSplit(tsText, nDev) === null;
  return (
    <>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-sm`}>Split mode (-sm)</label>
        <select
          id={`${id}-sm`}
          value={spec.splitMode}
          onChange={onPick(SPLIT_MODES, (v) => set({ ...spec, splitMode: v }))}
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
          onInput={onValue(setTsText)}
          onChange={onValue((t) => {
            const v = readSplit(t, nDev);
            if (v !== null) set({ ...spec, tensorSplit: v });
          })}
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
          onChange={onInteger(0, nDev - 1, (v) => set({ ...spec, mainGpu: v }))}
        />
      </div>
    </>
  );
}

/** --cpu-moe / --n-cpu-moe N. */
function MoeField({ id, spec, set, nBlocks }: Fields & { nBlocks: number }) {
  const moeKind = typeof spec.moe === "number" ? "first" : spec.moe;
  return (
    <div class="calc-field calc-field--inline">
      <label for={`${id}-moe`}>Experts on the CPU</label>
      <select
        id={`${id}-moe`}
        value={moeKind}
        onChange={onPick(MOE_KINDS, (v) => set({ ...spec, moe: v === "first" ? 1 : v }))}
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
          onChange={onInteger(1, nBlocks, (v) => set({ ...spec, moe: v }))}
        />
      )}
    </div>
  );
}
