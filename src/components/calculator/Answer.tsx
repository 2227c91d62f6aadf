/**
 * The answer up front: "Largest context 40,960 (40K) tokens (limited by …)" for the picked K/V
 * types, the first line of the verdict box; the words come from the one largest-context module.
 */
import type { MaxRow } from "../../lib/calculator/view.ts";
import type { PlacedLargest } from "../../lib/calculator/placement-answer.ts";
import { limitWords } from "../../lib/catalog/largest-context-words.ts";
import { formatContext } from "../../lib/format.ts";

export function LargestLine(p: { row: MaxRow | null; pool: "device" | "total"; onUse: (ctx: number) => void }) {
  const r = p.row;
  if (!r || r.error) return null;
  return (
    <p class="calc-verdict__largest" data-testid="calc-largest">
      {r.maxCtx === null ? (
        <>
          <strong>No context fits</strong> with these settings (limited by {limitWords(r.limitedBy ?? "memory", p.pool)}
          ).
        </>
      ) : (
        <>
          <strong>
            Largest context {formatContext(r.maxCtx)}
            {r.limitedBy === "search-end" ? "+" : ""}
          </strong>{" "}
          tokens (limited by {limitWords(r.limitedBy ?? "memory", p.pool)}).{" "}
          {r.beyond && (
            <span class="muted">
              Memory would allow {r.beyond.atLeast ? "at least " : ""}
              {formatContext(r.beyond.nCtx)}: beyond the trained context, needs RoPE/YaRN scaling.{" "}
            </span>
          )}
          <button type="button" class="calc-btn calc-btn--small" onClick={() => p.onUse(r.maxCtx!)}>
            Use it
          </button>
        </>
      )}
    </p>
  );
}

/** The same line for a PC: the largest context of its placement, limited by a named device or the trained context. */
export function PlacedLargestLine(p: { largest: PlacedLargest; onUse: (ctx: number) => void }) {
  const l = p.largest;
  return (
    <p class="calc-verdict__largest" data-testid="calc-largest" data-ctx={l.nCtx ?? ""} data-limited-by={l.limitedBy}>
      {l.nCtx === null ? (
        <>
          <strong>No context fits</strong> this placement (limited by {l.limitedWords}).
        </>
      ) : (
        <>
          <strong>Largest context {formatContext(l.nCtx)}</strong> tokens on this PC (limited by {l.limitedWords}).{" "}
          {l.beyond && (
            <span class="muted">
              Device memory would allow {l.beyond.atLeast ? "at least " : ""}
              {formatContext(l.beyond.nCtx)}: beyond the trained context, needs RoPE/YaRN scaling.{" "}
            </span>
          )}
          <button type="button" class="calc-btn calc-btn--small" onClick={() => p.onUse(l.nCtx!)}>
            Use it
          </button>
        </>
      )}
    </p>
  );
}
