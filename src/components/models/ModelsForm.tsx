/**
 * The /models/ controls' form: machine (the hardware catalog, as the calculator's picker), memory
 * (a custom total in GiB, as the calculator's total field), K/V type, minimum context and a
 * name/family filter. State and effects live in ModelsControls.tsx.
 */
import type { RefObject } from "preact";
import { useMemo } from "preact/hooks";

export interface MachineOption {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly bytes: number;
}

interface Props {
  wrap: RefObject<HTMLDivElement>;
  machines: readonly MachineOption[];
  hardware: string;
  pickHardware: (id: string) => void;
  mem: string;
  setMem: (v: string) => void;
  kv: string;
  setKv: (v: string) => void;
  minText: string;
  setMinText: (v: string) => void;
  text: string;
  setText: (v: string) => void;
  kvTypes: readonly string[];
  busy: boolean;
  error: string | null;
}

export default function ModelsForm(p: Props) {
  // The option vnodes are kept while the lists are the same (a change does not diff them again).
  const machineOptions = useMemo(
    () =>
      p.machines.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name}
        </option>
      )),
    [p.machines],
  );
  const kvOptions = useMemo(
    () =>
      p.kvTypes.map((k) => (
        <option key={k} value={k}>
          {k}
        </option>
      )),
    [p.kvTypes],
  );
  return (
    <div class="models-controls" ref={p.wrap} data-testid="models-controls">
      <label>
        Machine{" "}
        <select value={p.hardware} onChange={(e) => p.pickHardware(e.currentTarget.value)} data-testid="models-machine">
          <option value="">no machine (the budget as stated)</option>
          {machineOptions}
        </select>
      </label>
      <label>
        Memory{" "}
        <input
          type="number"
          min={1}
          step="any"
          inputMode="decimal"
          placeholder="the machine's"
          value={p.mem}
          onInput={(e) => p.setMem(e.currentTarget.value)}
          data-testid="models-memory"
        />{" "}
        GiB
      </label>
      <label>
        K/V type{" "}
        <select value={p.kv} onChange={(e) => p.setKv(e.currentTarget.value)} data-testid="models-kv">
          {kvOptions}
        </select>
      </label>
      <label>
        Context ≥{" "}
        <input
          type="number"
          min={0}
          step={1024}
          inputMode="numeric"
          value={p.minText}
          onInput={(e) => p.setMinText(e.currentTarget.value)}
          data-testid="models-min-ctx"
        />{" "}
        tokens
      </label>
      <label>
        Name or family{" "}
        <input
          type="search"
          value={p.text}
          onInput={(e) => p.setText(e.currentTarget.value)}
          data-testid="models-text"
        />
      </label>
      {p.busy && <span class="small muted">computing…</span>}
      {p.error && <span class="verdict-no">could not recompute: {p.error}</span>}
    </div>
  );
}
