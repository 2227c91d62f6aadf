/**
 * The model: a searchable catalog list, a GGUF file (header only, read on this device; also by
 * dropping it on the box) or an https:// GGUF URL, or a custom architecture.
 */
import { useMemo, useState } from "preact/hooks";
import type { LightCatalog } from "../../../lib/calculator/catalog.ts";
import type { ModelInfo } from "../../../lib/calculator/view.ts";
import { groupDigits } from "../../../lib/format.ts";
import { memo } from "../../../views/calculator/memo.ts";
import { onFile, onValue } from "../../../views/calculator/input-events.ts";
import type { Update } from "../../../views/calculator/use-calc-state.ts";
import { ArchEditor } from "./ArchEditor.tsx";

/** Search box and the catalog list, grouped by family. */
function ModelPicker(p: { id: string; light: LightCatalog; value: string; update: Update }) {
  const { id, light, update } = p;
  const [query, setQuery] = useState("");
  const matches = useMemo(() => {
    // Every word must match somewhere: "gemma 3 27" finds Gemma-3-27B.
    const words = query
      .trim()
      .toLowerCase()
      .split(/[\s,]+/)
      .filter(Boolean);
    if (!words.length) return light.models;
    return light.models.filter((m) => {
      const hay = `${m.name} ${m.family} ${m.id} ${m.paramsB ?? ""}b`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
  }, [query, light]);
  // The list's vnodes are kept while the matches are the same: a model change diffs none of them.
  const groups = useMemo(
    () =>
      [...new Set(matches.map((m) => m.family))].map((f) => (
        <optgroup key={f} label={f}>
          {matches
            .filter((m) => m.family === f)
            .map((m) => (
              <option key={m.id} value={m.id}>
                {`${m.name}${
                  m.paramsB
                    ? ` · ${m.paramsB}B${m.activeB && m.activeB !== m.paramsB ? ` (${m.activeB}B active)` : ""}`
                    : ""
                }`}
              </option>
            ))}
        </optgroup>
      )),
    [matches],
  );
  return (
    <>
      <div class="calc-field">
        <label for={`${id}-model-q`}>Search the catalog ({light.models.length} models)</label>
        <input
          id={`${id}-model-q`}
          type="search"
          placeholder="qwen3.5, gemma 27b, llama…"
          value={query}
          onInput={onValue(setQuery)}
          onKeyDown={(e) => {
            // Enter picks the single match (the list below still shows it).
            if (e.key === "Enter" && matches.length === 1) {
              e.preventDefault();
              update({ model: matches[0].id });
            }
          }}
        />
      </div>
      <div class="calc-field">
        <label for={`${id}-model`}>Model ({matches.length} shown)</label>
        <select id={`${id}-model`} size={6} value={p.value} onChange={onValue((model) => update({ model }))}>
          {groups}
        </select>
      </div>
    </>
  );
}

/** The model's geometry in one line. */
function ModelLine({ model }: { model: ModelInfo }) {
  return (
    <p class="calc-help" data-testid="calc-model-name">
      <strong>{model.name}</strong> · <code>{model.arch}</code> · {model.blockCount} layers
      {model.trainCtx ? ` · trained context ${groupDigits(model.trainCtx)}` : ""}
      {model.hasSwa ? " · sliding window" : ""}
      {model.hasRecurrent ? " · recurrent hybrid" : ""}
      {model.isMla ? " · MLA" : ""}
      {model.source !== "catalog"
        ? ` · from ${model.source === "gguf" ? "a GGUF header" : model.source === "hf" ? "Hugging Face" : "your edit"}`
        : ""}
    </p>
  );
}

/** A GGUF file or URL (header only). */
function GgufSource(p: {
  id: string;
  ggufUrl: string | null;
  onGgufFile: (f: File) => void;
  onGgufUrl: (url: string) => void;
}) {
  const { id } = p;
  const [url, setUrl] = useState(p.ggufUrl ?? "");
  return (
    <>
      <div class="calc-field">
        <label for={`${id}-gguf-file`}>Load a GGUF (header only, read on this device; nothing is uploaded)</label>
        <input id={`${id}-gguf-file`} type="file" accept=".gguf" onChange={onFile(p.onGgufFile)} />
        <span class="calc-help">…or drop a .gguf file on this box.</span>
      </div>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-gguf-url`}>…or an https:// GGUF URL</label>
        <input
          id={`${id}-gguf-url`}
          type="url"
          placeholder="https://huggingface.co/…/resolve/main/model.gguf"
          value={url}
          onInput={onValue(setUrl)}
        />
        <button type="button" class="calc-btn" onClick={() => p.onGgufUrl(url.trim())}>
          Read header
        </button>
      </div>
    </>
  );
}

export const ModelFieldset = memo(function ModelFieldset(p: {
  id: string;
  light: LightCatalog;
  current: string;
  model: ModelInfo | null;
  ggufUrl: string | null;
  busy: string | null;
  ready: boolean;
  fullArch: Record<string, unknown> | null;
  update: Update;
  onGgufFile: (f: File) => void;
  onGgufUrl: (url: string) => void;
  onCustom: (json: string) => string[];
}) {
  const { id, model } = p;
  const [drag, setDrag] = useState(false);
  return (
    <fieldset
      class={`calc-fs${drag ? " is-drag" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDrag(true);
      }}
      onDragLeave={() => setDrag(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDrag(false);
        const f = e.dataTransfer?.files?.[0];
        if (f) p.onGgufFile(f);
      }}
    >
      <legend>Model</legend>
      <ModelPicker id={id} light={p.light} value={model?.source === "catalog" ? p.current : ""} update={p.update} />
      {model && <ModelLine model={model} />}
      <GgufSource id={id} ggufUrl={p.ggufUrl} onGgufFile={p.onGgufFile} onGgufUrl={p.onGgufUrl} />
      {p.busy && (
        <p role="status" class="calc-status">
          {p.busy}
        </p>
      )}
      <ArchEditor idPrefix={id} fullArch={p.fullArch} ready={p.ready} onApply={p.onCustom} />
    </fieldset>
  );
});
