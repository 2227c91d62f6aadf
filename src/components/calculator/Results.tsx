/**
 * The calculator's outputs: context control, verdict, stacked bar against the budget, the
 * breakdown table, the chart (passed in), max context per KV configuration, per-layer groups,
 * commands to copy and the permalink. Every figure comes from the view model; nothing is computed
 * here but percentages for the bar.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { CalcView } from "../../lib/calculator/view.ts";
import type { CalcState } from "../../lib/calculator/state.ts";
import { ContextControl } from "./ContextControl.tsx";
import { MaxTable } from "./MaxTable.tsx";
import { formatBinary, formatDecimal } from "../../lib/format.ts";
import { BreakdownTable, LayerTable, SEGMENT } from "./ResultsTables.tsx";
import { LargestLine, PlacedLargestLine } from "./Answer.tsx";
import { Suggestions } from "./Suggestions.tsx";

interface Props {
  idPrefix: string;
  state: CalcState;
  view: CalcView;
  pending: boolean;
  syncUrl: boolean;
  /** The page URL of the current state (empty before hydration). */
  permalink: string;
  update: (patch: Partial<CalcState>) => void;
  children?: ComponentChildren;
}

/** Clipboard write; false where the page may not use the clipboard (the text stays selectable). */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<string | null>(null);
  return (
    <span class="calc-copy">
      <button
        type="button"
        class="calc-btn"
        onClick={async () => setDone((await copyText(text)) ? "Copied." : "Copy failed: select the text and copy it.")}
      >
        {label}
      </button>
      <span role="status" class="calc-copy__status">
        {done}
      </span>
    </span>
  );
}

export function ResultsSummary(p: Props) {
  const { s, c } = p.view;
  return (
    <div class={`calc__summary${p.pending ? " is-pending" : ""}`} aria-busy={p.pending ? "true" : "false"}>
      {p.pending && (
        <p class="calc-status" role="status">
          Computing the linked settings…
        </p>
      )}
      <Verdict {...p} />

      <Suggestions items={c.suggestions} tight={c.verdict.kind === "tight"} update={p.update} />
      {s.model && (
        <ContextControl
          idPrefix={p.idPrefix}
          ctx={p.state.ctx}
          scale={s.scale}
          engine={p.state.engine}
          nSeq={p.state.nSeq}
          allocated={c.allocated}
          nCtxSeq={c.nCtxSeq}
          nStream={c.nStream}
          padNote={c.padNote}
          beyondModel={c.beyondModel}
          perToken={c.perToken}
          onCtx={(ctx) => p.update({ ctx })}
        />
      )}
      {!c.error && !s.pc && <MemoryBar view={p.view} />}
    </div>
  );
}

export function ResultsDetails(p: Props) {
  const { s, c } = p.view;
  const permalink = p.permalink;
  return (
    <div class={`calc__results${p.pending ? " is-pending" : ""}`} aria-busy={p.pending ? "true" : "false"}>
      {!c.error && <BreakdownTable view={p.view} />}
      {c.effective.changes.length > 0 && (
        <ul class="calc-engine-changes" aria-label="What the engine changed">
          {c.effective.changes.map((t, i) => (
            <li key={i}>{t}</li>
          ))}
        </ul>
      )}

      {p.children}

      {/* per KV type for the one-device budget: not this PC's answer (its largest context is up top) */}
      {!s.pc && <MaxTable idPrefix={p.idPrefix} rows={s.maxTable} sliderMax={s.scale.maxCtx} />}

      <LayerTable c={c} />

      <h3>Commands</h3>
      <div class="calc-commands">
        {c.commands.map((cmd) => (
          <section key={cmd.engine} class="calc-cmd" aria-label={cmd.title}>
            <h4>
              {cmd.title}{" "}
              <span
                class={`calc-tag ${cmd.text === null ? "calc-tag--bad" : cmd.exact ? "calc-tag--ok" : "calc-tag--warn"}`}
              >
                {cmd.text === null ? "cannot express this" : cmd.exact ? "allocates what is calculated" : "approximate"}
              </span>
            </h4>
            {cmd.text !== null && (
              <>
                <pre>
                  <code data-testid={`calc-cmd-${cmd.engine}`}>{cmd.text}</code>
                </pre>
                <CopyButton text={cmd.text} label="Copy command" />
              </>
            )}
            <ul class="calc-cmd__notes">
              {cmd.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          </section>
        ))}
      </div>

      {p.syncUrl && (
        <div class="calc-permalink">
          <label for={`${p.idPrefix}-link`}>Permalink</label>
          <input
            id={`${p.idPrefix}-link`}
            type="text"
            readOnly
            value={permalink}
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton text={permalink} label="Copy link" />
        </div>
      )}
      {c.notes.length > 0 && (
        <details class="calc-notes">
          <summary>Engine notes ({c.notes.length})</summary>
          <ul>
            {c.notes.map((n, i) => (
              <li key={i}>
                <span class={`calc-tag ${n.level === "warning" ? "calc-tag--warn" : ""}`}>{n.level}</span> {n.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** The answer: largest context, the verdict and what it is measured against. */
function Verdict(p: Props) {
  const { s, c } = p.view;
  const budget = s.budget;
  const limit = budget.lineBytes;
  const verdictIcon =
    c.verdict.kind === "fits" ? "✓" : c.verdict.kind === "tight" ? "!" : c.verdict.kind === "no" ? "✗" : "?";
  return (
    <div
      class={`calc-verdict calc-verdict--${c.verdict.kind}`}
      role="status"
      aria-live="polite"
      data-testid="calc-verdict"
    >
      <span class="calc-verdict__icon" aria-hidden="true">
        {verdictIcon}
      </span>
      <div id={`${p.idPrefix}-answer`} tabIndex={-1}>
        {s.pc ? (
          s.pc.largest && <PlacedLargestLine largest={s.pc.largest} onUse={(ctx) => p.update({ ctx })} />
        ) : (
          <LargestLine
            row={s.maxTable.find((r) => r.selected) ?? null}
            pool={budget.pool}
            onUse={(ctx) => p.update({ ctx })}
          />
        )}
        <p class="calc-verdict__text">{c.error ? `Cannot compute: ${c.error}` : c.verdict.text}</p>
        {s.pc?.error && <p class="calc-verdict__sub">The engine refuses this placement: {s.pc.error}</p>}
        {s.pc?.note && <p class="calc-verdict__sub">{s.pc.note}</p>}
        {s.pc && !c.error && (
          <p class="calc-verdict__sub">Per device, from the PC's placement (the machine panel shows each device).</p>
        )}
        {!s.pc && !c.error && (
          <p class="calc-verdict__sub">
            <span data-testid="calc-total">{formatBinary(c.poolBytes)}</span> ({formatDecimal(c.poolBytes)}) of{" "}
            {limit !== null ? `${formatBinary(limit)} (${formatDecimal(limit)})` : "no budget"}
            {budget.engine?.device_limit_bytes !== undefined
              ? `; GPU buffers ${formatBinary(c.device)} of the ${formatBinary(budget.engine.device_limit_bytes)} working-set limit`
              : ""}
            .
          </p>
        )}
        {!c.error && c.verdictHigh && (
          <p class="calc-verdict__sub" data-testid="calc-verdict-high">
            <span class="calc-tag calc-tag--est">uncalibrated estimate</span> Metal compute and overhead are not
            measured yet. {c.verdictHigh.text}
          </p>
        )}
      </div>
    </div>
  );
}

/** The stacked bar of the components against the budget line. */
function MemoryBar({ view }: { view: CalcView }) {
  const { s, c } = view;
  const budget = s.budget;
  const limit = budget.lineBytes;
  const part = (x: { bytes: number; device: number }) => (budget.pool === "device" ? x.device : x.bytes);
  const segs = c.components.filter((x) => part(x) > 0);
  const scaleMax = Math.max(
    segs.reduce((a, x) => a + part(x), 0),
    limit ?? 0,
    1,
  );
  return (
    <div
      class="calc-bar"
      role="img"
      aria-label={`Stacked memory bar (${budget.pool === "device" ? "device memory" : "device + host"}): ${segs.map((x) => `${x.label} ${formatBinary(part(x))}`).join(", ")}; budget ${limit !== null ? formatBinary(limit) : "none"}`}
    >
      <div class="calc-bar__track">
        {segs.map((x) => (
          <span
            key={x.key}
            class={`calc-bar__seg ${SEGMENT[x.key] ?? ""}`}
            style={{ width: `${(part(x) / scaleMax) * 100}%` }}
            title={`${x.label}: ${formatBinary(part(x))}`}
          />
        ))}
        {limit !== null && (
          <span
            class="calc-bar__limit"
            style={{ left: `${(limit / scaleMax) * 100}%` }}
            title={`budget ${formatBinary(limit)}`}
          />
        )}
      </div>
    </div>
  );
}
