/** The KV cache: K and V types, flash attention, parallel sequences, unified KV, batch, --swa-full. */
import type { CalcEngine, CalcKvType, CalcState } from "../../../lib/calculator/state.ts";
import type { TypeOption } from "../../../lib/calculator/view.ts";
import { memo } from "../../../views/calculator/memo.ts";
import { onChecked, onInteger, onPick } from "../../../views/calculator/input-events.ts";
import type { Update } from "../../../views/calculator/use-calc-state.ts";
import { TypeSelect } from "./TypeSelect.tsx";

const FLASH_ATTN = ["on", "auto", "off"] as const;

/** Parallel sequences, unified KV, physical batch, full-size SWA caches. */
function SequenceFields(p: {
  id: string;
  nSeq: number;
  unified: boolean;
  nUbatch: number;
  swaFull: boolean;
  hasSwa: boolean;
  update: Update;
}) {
  const { id, update } = p;
  return (
    <>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-np`}>Parallel sequences (-np)</label>
        <input
          id={`${id}-np`}
          type="number"
          min={1}
          max={256}
          value={p.nSeq}
          onChange={onInteger(1, 256, (nSeq) => update({ nSeq }))}
        />
      </div>
      <div class="calc-field calc-check">
        <input
          id={`${id}-kvu`}
          type="checkbox"
          checked={p.unified}
          onChange={onChecked((unified) => update({ unified }))}
        />
        <label for={`${id}-kvu`}>Unified KV (-kvu): one cache shared by all sequences</label>
      </div>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-ub`}>Physical batch (-ub)</label>
        <input
          id={`${id}-ub`}
          type="number"
          min={1}
          max={65536}
          value={p.nUbatch}
          onChange={onInteger(1, 65536, (nUbatch) => update({ nUbatch }))}
        />
      </div>
      <div class="calc-field calc-check">
        <input
          id={`${id}-swa`}
          type="checkbox"
          checked={p.swaFull}
          onChange={onChecked((swaFull) => update({ swaFull }))}
        />
        <label for={`${id}-swa`}>
          --swa-full: full-size caches for sliding-window layers
          {!p.hasSwa ? <span class="calc-help"> (no effect: this model has no sliding-window layers)</span> : ""}
        </label>
      </div>
    </>
  );
}

export const KvFieldset = memo(function KvFieldset(p: {
  id: string;
  engine: CalcEngine;
  typeK: CalcKvType;
  typeV: CalcKvType;
  flashAttn: CalcState["flashAttn"];
  nSeq: number;
  unified: boolean;
  nUbatch: number;
  swaFull: boolean;
  hasSwa: boolean;
  kOptions: TypeOption[];
  vOptions: TypeOption[];
  effective: string;
  fa: boolean;
  update: Update;
}) {
  const { id, update } = p;
  return (
    <fieldset class="calc-fs">
      <legend>KV cache</legend>
      <TypeSelect
        id={`${id}-ctk`}
        label="K type (-ctk)"
        value={p.typeK}
        options={p.kOptions}
        onChange={(t) => update(p.engine === "ollama" ? { typeK: t, typeV: t } : { typeK: t })}
      />
      <TypeSelect
        id={`${id}-ctv`}
        label="V type (-ctv)"
        value={p.typeV}
        options={p.vOptions}
        onChange={(t) => update({ typeV: t })}
      />
      <p class="calc-help" data-testid="calc-effective">
        Allocated as: <strong>{p.effective}</strong>
        {p.fa ? ", flash attention on" : ", flash attention off"}.
      </p>
      <div class="calc-field">
        <label for={`${id}-fa`}>Flash attention (-fa)</label>
        <select id={`${id}-fa`} value={p.flashAttn} onChange={onPick(FLASH_ATTN, (flashAttn) => update({ flashAttn }))}>
          <option value="on">on</option>
          <option value="auto">auto</option>
          <option value="off">off</option>
        </select>
      </div>
      <SequenceFields {...p} />
    </fieldset>
  );
});
