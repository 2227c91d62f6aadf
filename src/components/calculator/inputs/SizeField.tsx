/** A byte amount typed in words ("24GB", "32 GiB"): committed when it parses, else the error shown. */
import { useState } from "preact/hooks";
import { formatDecimal } from "../../../lib/format.ts";
import { parseBytes } from "../../../lib/units.ts";
import { onValue } from "../../../views/calculator/input-events.ts";

export function SizeField(p: {
  id: string;
  label: string;
  bytes: number | null;
  placeholder: string;
  onCommit: (b: number | null) => void;
  help?: string;
}) {
  const [err, setErr] = useState<string | null>(null);
  return (
    <div class="calc-field calc-field--inline">
      <label for={p.id}>{p.label}</label>
      <input
        id={p.id}
        type="text"
        size={10}
        placeholder={p.placeholder}
        value={p.bytes === null ? "" : formatDecimal(p.bytes).replace(" ", "")}
        aria-invalid={err ? "true" : "false"}
        aria-describedby={err || p.help ? `${p.id}-help` : undefined}
        onChange={onValue((raw) => {
          const v = raw.trim();
          if (v === "") {
            setErr(null);
            p.onCommit(null);
            return;
          }
          try {
            p.onCommit(parseBytes(v));
            setErr(null);
          } catch (x) {
            setErr((x as Error).message);
          }
        })}
      />
      {(err || p.help) && (
        <span id={`${p.id}-help`} class={err ? "calc-error" : "calc-help"}>
          {err ?? p.help}
        </span>
      )}
    </div>
  );
}
