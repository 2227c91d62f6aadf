/**
 * Speculative decoding: an optional draft model (a catalog preset, `-md`) with its GPU layers
 * (`-ngld`) and K/V types (`-ctkd`/`-ctvd`, f16 unless given, as llama.cpp). What it adds is
 * computed by src/lib/calculator/draft-view.ts.
 */
import { useMemo } from "preact/hooks";
import { memo } from "../../views/calculator/memo.ts";
import type { LightCatalog } from "../../lib/calculator/catalog.ts";
import { CALC_KV_TYPES, type CalcState } from "../../lib/calculator/state.ts";
import { onInteger, onPick, onValue } from "../../views/calculator/input-events.ts";
import { selectHtml } from "../../views/calculator/options-html.ts";

export const DraftPicker = memo(function DraftPicker(p: {
  id: string;
  state: CalcState;
  light: LightCatalog;
  info: string | null;
  error: boolean;
  /** The long option lists are in (options-html.ts). */
  lists: boolean;
  update: (patch: Partial<CalcState>) => void;
}) {
  const { id, state, update } = p;
  // The option lists as HTML strings, made once per catalog once the lists are in (options-html.ts).
  const { lists } = p;
  const kvHtml = useMemo(() => {
    const kv = p.light.kvTypes.map((t) => ({ value: t.name, text: t.name }));
    return { ctkd: selectHtml(kv, state.ctkd, lists), ctvd: selectHtml(kv, state.ctvd, lists) };
  }, [p.light, lists, lists || state.ctkd, lists || state.ctvd]);
  const modelHtml = useMemo(
    () =>
      selectHtml(
        [
          { value: "", text: "None" },
          ...p.light.models.map((m) => ({ value: m.id, text: `${m.name} (${m.defaultFtype})` })),
        ],
        state.draft,
        lists,
      ),
    [p.light, lists, lists || state.draft],
  );
  const kv = (which: "ctkd" | "ctvd", label: string) => (
    <div class="calc-field">
      <label for={`${id}-${which}`}>{label}</label>
      <select
        id={`${id}-${which}`}
        value={state[which]}
        disabled={!state.draft}
        onChange={onPick(CALC_KV_TYPES, (v) => update({ [which]: v }))}
        dangerouslySetInnerHTML={kvHtml[which]}
      />
    </div>
  );
  return (
    <fieldset class="calc-fs" data-draft={state.draft}>
      <legend>Draft model (speculative decoding, -md)</legend>
      <div class="calc-field">
        <label for={`${id}-draft`}>Draft model (a catalog preset, its default weights)</label>
        <select
          id={`${id}-draft`}
          value={state.draft}
          onChange={onValue((v) => update({ draft: v }))}
          dangerouslySetInnerHTML={modelHtml}
        />
        {p.info && (
          <span
            class={p.error ? "calc-error" : "calc-help"}
            data-testid="calc-draft-info"
            role={p.error ? "alert" : undefined}
          >
            {p.error ? p.info : `Draft adds ${p.info}.`}
          </span>
        )}
      </div>
      <div class="calc-field">
        <label for={`${id}-ngld`}>Draft GPU layers (-ngld; -1 = all)</label>
        <input
          id={`${id}-ngld`}
          type="number"
          min={-1}
          max={4096}
          value={state.ngld}
          disabled={!state.draft}
          onChange={onInteger(-1, 4096, (n) => update({ ngld: n }))}
        />
      </div>
      {kv("ctkd", "Draft K type (-ctkd)")}
      {kv("ctvd", "Draft V type (-ctvd)")}
    </fieldset>
  );
});
