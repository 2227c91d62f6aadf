/**
 * The line above the answer that says whose question it is: after a model or machine pick moved
 * the state off the original report's example, what changed and an undo; always, one click back
 * to "The original report's question" when the state is not it.
 */
import type { CalcState } from "../../lib/calculator/state.ts";
import type { HandoffNote } from "../../views/calculator/use-calc-state.ts";

export type { HandoffNote };

export function QuestionBar(p: {
  idPrefix: string;
  note: HandoffNote | null;
  isOriginal: boolean;
  onUndo: (undo: Partial<CalcState>) => void;
  onOriginal: () => void;
}) {
  if (!p.note && p.isOriginal)
    return (
      <p class="calc-question muted calc-small" data-testid="calc-question">
        This is the original report's question (qwen3.5:27b on a 32 GB Mac with the TurboQuant fork): pick your model
        and machine to ask yours.
      </p>
    );
  return (
    <p class="calc-question calc-small" role="status" data-testid="calc-question">
      {p.note && <span data-testid="calc-handoff">{p.note.text} </span>}
      {p.note && (
        <button type="button" class="calc-btn" onClick={() => p.onUndo(p.note!.undo)}>
          Undo
        </button>
      )}{" "}
      {!p.isOriginal && (
        <button type="button" class="calc-btn" data-testid="calc-original" onClick={p.onOriginal}>
          The original report's question
        </button>
      )}
    </p>
  );
}
