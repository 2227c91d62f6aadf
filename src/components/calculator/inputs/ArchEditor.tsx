/**
 * Custom architecture: every scalar field as an input, the whole architecture as JSON, validated by
 * the engine. The editor is built when the box is opened (a model change does not rewrite a
 * closed box's fields and JSON).
 */
import { useRef, useState } from "preact/hooks";
import { onValue } from "../../../views/calculator/input-events.ts";

interface Props {
  idPrefix: string;
  fullArch: Record<string, unknown> | null;
  ready: boolean;
  onApply: (json: string) => string[];
}

export function ArchEditor(p: Props) {
  const [open, setOpen] = useState(false);
  // Opened before the island hydrated: no toggle event came, the element says it.
  const ref = useRef<HTMLDetailsElement>(null);
  const isOpen = open || (ref.current?.open ?? false);
  return (
    <details ref={ref} class="calc-arch" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Custom: edit every architecture field</summary>
      {!p.ready || !p.fullArch ? (
        <p class="muted">The editor opens once the engine has loaded.</p>
      ) : (
        isOpen && <ArchFields {...p} fullArch={p.fullArch} />
      )}
    </details>
  );
}

/** The open editor (its edits start over from the model's architecture each time the box opens). */
function ArchFields(p: Props & { fullArch: Record<string, unknown> }) {
  const [json, setJson] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const text = json ?? JSON.stringify(p.fullArch, null, 2);
  let obj: Record<string, unknown> | null = null;
  try {
    obj = JSON.parse(text) as Record<string, unknown>;
  } catch {
    obj = null;
  }
  const scalars = obj
    ? Object.entries(obj).filter(([, v]) => v === null || ["number", "string", "boolean"].includes(typeof v))
    : [];
  const setField = (k: string, raw: string) => {
    if (!obj) return;
    let v: unknown = raw;
    if (raw.trim() === "" || raw === "null") v = null;
    else if (raw === "true" || raw === "false") v = raw === "true";
    else if (/^-?\d+(\.\d+)?(e\d+)?$/i.test(raw.trim())) v = Number(raw);
    setJson(JSON.stringify({ ...obj, [k]: v }, null, 2));
  };
  return (
    <>
      <p class="calc-help">
        Scalar fields below; arrays and nested objects (per-layer head counts, recurrent state, MLA) in the JSON.
        Validated by the engine's own schema.
      </p>
      <div class="calc-arch__fields">
        {scalars.map(([k, v]) => (
          <div class="calc-field calc-field--inline" key={k}>
            <label for={`${p.idPrefix}-arch-${k}`}>
              <code>{k}</code>
            </label>
            <input
              id={`${p.idPrefix}-arch-${k}`}
              type="text"
              size={12}
              value={v === null ? "" : String(v)}
              placeholder="null"
              onChange={onValue((v) => setField(k, v))}
            />
          </div>
        ))}
      </div>
      <label for={`${p.idPrefix}-arch-json`}>Architecture JSON</label>
      <textarea id={`${p.idPrefix}-arch-json`} rows={10} spellcheck={false} value={text} onInput={onValue(setJson)} />
      <button type="button" class="calc-btn" onClick={() => setErrors(p.onApply(text))}>
        Use this architecture
      </button>
      {errors.length > 0 && (
        <ul class="calc-error" role="alert">
          {errors.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      )}
    </>
  );
}
