/**
 * Context: a log-scale slider from 512 tokens past the model's maximum (the range beyond is
 * flagged), every position a context llama.cpp really allocates, and an exact entry field that
 * takes `32k`, `128K` or `131072`. Arrow keys move one step (1/16 octave), PageUp/PageDown an
 * octave, Home/End to the ends.
 */
import { useEffect, useState } from "preact/hooks";
import { contextToIndex, indexToContext, STEPS_PER_OCTAVE, type SliderScale } from "../../lib/calculator/slider.ts";
import { CTX_MAX, CTX_MIN, parseContext } from "../../lib/calculator/state.ts";
import { formatBinary, formatTokens, groupDigits } from "../../lib/format.ts";
import { onValue } from "../../views/calculator/input-events.ts";

interface Props {
  idPrefix: string;
  ctx: number;
  scale: SliderScale;
  engine: string;
  nSeq: number;
  allocated: number;
  nCtxSeq: number;
  nStream: number;
  padNote: string | null;
  beyondModel: boolean;
  perToken: number | null;
  onCtx: (ctx: number) => void;
}

export function ContextControl(p: Props) {
  const [text, setText] = useState(String(p.ctx));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(String(p.ctx));
    setError(null);
  }, [p.ctx]);
  const commit = () => {
    const v = parseContext(text);
    if (v === null || v < CTX_MIN || v > CTX_MAX) {
      setError(`Enter a context of ${CTX_MIN} … ${groupDigits(CTX_MAX)} tokens, e.g. 32768, 32k or 128K.`);
      return;
    }
    setError(null);
    if (v !== p.ctx) p.onCtx(v);
  };
  const knob = p.engine === "ollama" ? "num_ctx (per request)" : "-c (total over all sequences)";
  return (
    <div class="calc-ctx">
      <div class="calc-ctx__row">
        <label for={`${p.idPrefix}-ctx-range`} class="calc-ctx__label">
          Context <span class="muted">{knob}</span>
        </label>
        <output for={`${p.idPrefix}-ctx-range`} class="calc-ctx__value" aria-live="off">
          {formatTokens(p.ctx, { group: true })} tokens
        </output>
      </div>
      <ContextSlider {...p} />
      <div class="calc-ctx__row calc-ctx__exact">
        <label for={`${p.idPrefix}-ctx-text`}>Exact context</label>
        <input
          id={`${p.idPrefix}-ctx-text`}
          type="text"
          inputMode="numeric"
          size={10}
          value={text}
          aria-describedby={`${p.idPrefix}-ctx-help`}
          aria-invalid={error ? "true" : "false"}
          onInput={onValue(setText)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              commit();
            }
          }}
          onBlur={commit}
        />
        <button type="button" class="calc-btn" onClick={commit}>
          Set
        </button>
      </div>
      <ContextHelp {...p} error={error} />
      {p.beyondModel && (
        <p class="calc-flag" role="note">
          <strong>Beyond the model's maximum:</strong> the per-sequence window exceeds the context the model was trained
          for ({groupDigits(p.scale.modelMax)}); llama.cpp allocates it but warns, and quality is not assured.
        </p>
      )}
    </div>
  );
}

/** The log-scale slider with its ticks; PageUp/PageDown move an octave. */
function ContextSlider(p: Props) {
  const idx = contextToIndex(p.ctx, p.scale);
  const beyondPct = (p.scale.modelMaxIndex / p.scale.maxIndex) * 100;
  return (
    <div class="calc-ctx__track" style={{ "--beyond": `${beyondPct}%` }}>
      <input
        id={`${p.idPrefix}-ctx-range`}
        class="calc-ctx__range"
        type="range"
        min={0}
        max={p.scale.maxIndex}
        step={1}
        value={idx}
        aria-valuetext={`${groupDigits(p.ctx)} tokens${p.beyondModel ? ", beyond the model's maximum context" : ""}`}
        onInput={onValue((v) => p.onCtx(indexToContext(Number(v))))}
        onKeyDown={(e) => {
          if (e.key !== "PageUp" && e.key !== "PageDown") return;
          e.preventDefault();
          const next = Math.min(p.scale.maxIndex, Math.max(0, idx + (e.key === "PageUp" ? 1 : -1) * STEPS_PER_OCTAVE));
          p.onCtx(indexToContext(next));
        }}
      />
      <div class="calc-ctx__ticks" aria-hidden="true">
        <span style={{ left: "0%" }}>512</span>
        <span style={{ left: `${beyondPct}%` }}>{formatTokens(p.scale.modelMax, { group: true })} max</span>
        <span style={{ left: "100%" }}>{formatTokens(p.scale.maxCtx, { group: true })}</span>
      </div>
    </div>
  );
}

/** What the context allocates (cells, streams, padding), or the entry error. */
function ContextHelp(p: Props & { error: string | null }) {
  return (
    <p id={`${p.idPrefix}-ctx-help`} class="calc-ctx__help">
      {p.error ? (
        <span class="calc-error" role="alert">
          {p.error}
        </span>
      ) : (
        <>
          Allocates <strong data-testid="calc-cells">{groupDigits(p.allocated)}</strong> cells
          {p.nStream > 1 ? ` (${groupDigits(p.nCtxSeq)} per stream × ${p.nStream} streams)` : ""}; each sequence may
          hold {groupDigits(p.nCtxSeq)} tokens.
          {p.padNote ? ` ${p.padNote}` : " No padding needed (a multiple of 256)."}
          {p.engine === "ollama" && p.nSeq > 1
            ? ` Ollama passes -c ${groupDigits(p.ctx * p.nSeq)} to llama-server.`
            : ""}
          {p.perToken !== null ? ` About ${formatBinary(p.perToken * 1024)} per 1K tokens here.` : ""}
        </>
      )}
    </p>
  );
}
