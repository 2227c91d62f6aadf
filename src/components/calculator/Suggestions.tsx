/** "It does not fit (or barely): these single changes make it fit (with 10 % to spare)" — each one click, with its flags and its cost. */
import type { CalcState } from "../../lib/calculator/state.ts";
import type { Suggestion } from "../../lib/calculator/suggest.ts";

export function Suggestions(p: {
  items: Suggestion[] | undefined;
  /** It fits with under 10 % to spare: these leave 10 %. */
  tight: boolean;
  update: (patch: Partial<CalcState>) => void;
}) {
  if (!p.items || p.items.length === 0) return null;
  return (
    <div class="calc-suggest" data-testid="calc-suggestions">
      <p class="calc-suggest__head">
        <strong>{p.tight ? "What leaves 10 % to spare" : "What makes it fit"}</strong> (each alone):
      </p>
      <ul>
        {p.items.map((s) => (
          <li key={s.key} data-key={s.key}>
            <button type="button" class="calc-btn calc-btn--small" onClick={() => p.update(s.patch)}>
              Apply
            </button>{" "}
            <span class="calc-suggest__title">{s.title}</span> <code>{s.command}</code>
            <div class="muted calc-small">{s.cost}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}
