/** The calculator's table of the largest context per KV cache configuration (view model in, markup out). */
import type { MaxRow } from "../../lib/calculator/view.ts";
import { limitWords } from "../../lib/catalog/largest-context-words.ts";
import { memo } from "../../views/calculator/memo.ts";
import { formatBinary, formatContext, formatTokens } from "../../lib/format.ts";

function MaxCell({ r }: { r: MaxRow }) {
  if (r.error) return <>—</>;
  if (r.maxCtx === null) return <>none fits</>;
  return (
    <>
      {formatContext(r.maxCtx)}
      {r.limitedBy === "search-end" ? "+" : ""}
      {r.limitedBy && r.limitedBy !== "search-end" && (
        <div class="muted calc-small">limited by {limitWords(r.limitedBy)}</div>
      )}
      {r.beyond && (
        <div class="muted calc-small">
          memory would allow {r.beyond.atLeast ? "≥ " : ""}
          {formatContext(r.beyond.nCtx)} (needs RoPE/YaRN scaling)
        </div>
      )}
    </>
  );
}

export const MaxTable = memo(function MaxTable(p: { idPrefix: string; rows: MaxRow[]; sliderMax: number }) {
  const s = { maxTable: p.rows, scale: { maxCtx: p.sliderMax } };
  return (
    <>
      <h3 id={`${p.idPrefix}-max`}>Largest context that fits, per KV cache configuration</h3>
      <div class="table-wrap">
        <table class="calc-table" aria-labelledby={`${p.idPrefix}-max`} data-testid="calc-max-table">
          <thead>
            <tr>
              <th scope="col">Requested -ctk/-ctv</th>
              <th scope="col">Allocated as</th>
              <th scope="col" class="num">
                Largest context
              </th>
              <th scope="col" class="num">
                KV there
              </th>
              <th scope="col" class="num">
                Total there
              </th>
              <th scope="col">Quality note (cited)</th>
            </tr>
          </thead>
          <tbody>
            {s.maxTable.map((r) => (
              <tr key={r.key} class={r.selected ? "is-selected" : ""}>
                <th scope="row">
                  <svg width="24" height="8" aria-hidden="true">
                    <line
                      x1="1"
                      y1="4"
                      x2="23"
                      y2="4"
                      stroke={r.colour}
                      stroke-width="2"
                      stroke-dasharray={r.dash || undefined}
                    />
                  </svg>{" "}
                  <code>{r.requested}</code>
                  {r.selected ? " (your pick)" : ""}
                </th>
                <td>{r.effective}</td>
                <td class="num">
                  <MaxCell r={r} />
                </td>
                <td class="num">{r.kvBytes !== null ? formatBinary(r.kvBytes) : "—"}</td>
                <td class="num">{r.totalBytes !== null ? formatBinary(r.totalBytes) : "—"}</td>
                <td class="calc-how">
                  {r.error ? (
                    <span class="calc-error">{r.error}</span>
                  ) : r.quality.length ? (
                    r.quality.join("; ")
                  ) : (
                    "none cited"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted calc-small">
        Largest context stops at the model's trained context; past it, what memory alone would allow needs RoPE/YaRN
        scaling. “+” = fits even at the slider's end ({formatTokens(s.scale.maxCtx, { group: true })}). Quality figures
        are quoted from their sources, not measured here.
      </p>
    </>
  );
});
