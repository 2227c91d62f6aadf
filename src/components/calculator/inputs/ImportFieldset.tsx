/**
 * One input for a model by name: a Hugging Face id (read through the Hub's public API in this
 * browser, headers only, the bytes fetched said) or an Ollama tag (answered with the CLI command:
 * the registry allows no cross-origin reads). Mirror bases for both under "Mirrors".
 */
import { useState } from "preact/hooks";
import { memo } from "../../../views/calculator/memo.ts";
import { onValue } from "../../../views/calculator/input-events.ts";
import type { Update } from "../../../views/calculator/use-calc-state.ts";

const HTTPS_BASE = /^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

/** A base URL field: empty = the default; anything but an https:// base is not applied. */
function BaseField(p: {
  id: string;
  label: string;
  value: string | null;
  placeholder: string;
  set: (v: string | null) => void;
}) {
  const [text, setText] = useState(p.value ?? "");
  const bad = text.trim() !== "" && !HTTPS_BASE.test(text.trim());
  return (
    <div class="calc-field">
      <label for={p.id}>{p.label}</label>
      <input
        id={p.id}
        type="url"
        placeholder={p.placeholder}
        value={text}
        onInput={onValue(setText)}
        onChange={() => {
          const t = text.trim().replace(/\/+$/, "");
          if (t === "") p.set(null);
          else if (HTTPS_BASE.test(t)) p.set(t);
        }}
      />
      {bad && <span class="calc-help">Not applied: an https:// base URL is needed.</span>}
    </div>
  );
}

/** A GGUF repo's files, when the import needs one chosen. */
function FileChoice(p: {
  id: string;
  choice: { id: string; files: readonly string[] };
  onHfFile: (id: string, file: string) => void;
}) {
  const { id, choice } = p;
  return (
    <div class="calc-field">
      <label for={`${id}-import-file`}>
        {choice.id} holds {choice.files.length} GGUF files: choose one (its header is read)
      </label>
      <select
        id={`${id}-import-file`}
        value=""
        onChange={onValue((f) => {
          if (choice.files.includes(f)) p.onHfFile(choice.id, f);
        })}
      >
        <option value="" disabled>
          —
        </option>
        {choice.files.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The mirror bases (Hugging Face's HF_ENDPOINT role, the Ollama registry for the CLI command). */
function Mirrors(p: { id: string; hfBase: string | null; olBase: string | null; update: Update }) {
  const { id } = p;
  return (
    <details class="calc-more">
      <summary>Mirrors</summary>
      <BaseField
        id={`${id}-hf-base`}
        label="Hugging Face base URL (as HF_ENDPOINT)"
        value={p.hfBase}
        placeholder="https://huggingface.co"
        set={(hfBase) => p.update({ hfBase })}
      />
      <BaseField
        id={`${id}-ol-base`}
        label="Ollama registry base URL (as OLLAMA_REGISTRY, for the CLI command)"
        value={p.olBase}
        placeholder="https://registry.ollama.ai"
        set={(olBase) => p.update({ olBase })}
      />
    </details>
  );
}

export const ImportFieldset = memo(function ImportFieldset(p: {
  id: string;
  hf: string | null;
  hfBase: string | null;
  olBase: string | null;
  choice: { id: string; files: readonly string[] } | null;
  /** What the last import fetched (bytes, requests), shown while its model is on. */
  note: string | null;
  budgetBytes: number | null;
  ollama: { text: string; command: string } | null;
  update: Update;
  onImport: (text: string, budgetBytes: number | null) => void;
  onHfFile: (id: string, file: string) => void;
}) {
  const { id } = p;
  const [text, setText] = useState(p.hf ?? "");
  const go = () => p.onImport(text, p.budgetBytes);
  return (
    <fieldset class="calc-fs" data-testid="calc-import">
      <legend>Hugging Face id or Ollama tag</legend>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-import`}>Model by name (headers only; nothing large is downloaded)</label>
        <input
          id={`${id}-import`}
          type="text"
          placeholder="Qwen/Qwen3-30B-A3B · bartowski/…-GGUF · qwen3.5:27b"
          value={text}
          onInput={onValue(setText)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              go();
            }
          }}
        />
        <button type="button" class="calc-btn" onClick={go}>
          Import
        </button>
      </div>
      {p.choice && <FileChoice id={id} choice={p.choice} onHfFile={p.onHfFile} />}
      {p.ollama && (
        <div class="calc-help" role="status" data-testid="calc-import-cli">
          <p>{p.ollama.text}</p>
          <pre>
            <code>{p.ollama.command}</code>
          </pre>
        </div>
      )}
      {p.note && (
        <p class="calc-help" data-testid="calc-import-note">
          {p.note}
        </p>
      )}
      <Mirrors id={id} hfBase={p.hfBase} olBase={p.olBase} update={p.update} />
    </fieldset>
  );
});
