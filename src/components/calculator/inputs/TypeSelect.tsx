/** A K or V type picker: what the engine refuses is disabled, with the reason listed below. */
import { CALC_KV_TYPES, type CalcKvType } from "../../../lib/calculator/state.ts";
import type { TypeOption } from "../../../lib/calculator/view.ts";
import { onPick } from "../../../views/calculator/input-events.ts";

export function TypeSelect(p: {
  id: string;
  label: string;
  value: CalcKvType;
  options: TypeOption[];
  onChange: (t: CalcKvType) => void;
}) {
  const disabled = p.options.filter((o) => o.disabled);
  return (
    <div class="calc-field">
      <label for={p.id}>{p.label}</label>
      <select id={p.id} value={p.value} onChange={onPick(CALC_KV_TYPES, p.onChange)} aria-describedby={`${p.id}-why`}>
        {p.options.map((o) => (
          <option key={o.name} value={o.name} disabled={o.disabled !== null && o.name !== p.value}>
            {`${o.name} (${o.bitsPerValue} bits/value)${o.disabled ? ` — unavailable: ${o.disabled}` : ""}`}
          </option>
        ))}
      </select>
      {disabled.length > 0 && (
        <details class="calc-why" id={`${p.id}-why`}>
          <summary>{disabled.length} unavailable here, and why</summary>
          <ul>
            {disabled.map((o) => (
              <li key={o.name}>
                <code>{o.name}</code>: {o.disabled}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
