/**
 * The calculator's state and its one way in: `update` marks the input for the bench
 * (`calc:input`), merges the patch (with the new model's defaults, handing the question off the
 * report's example when a model or machine is picked), and keeps it within the engine's rules.
 * `useUpdatedMark` sets `calc:updated` once the numbers and chart of that input are in the DOM.
 */
import type { Dispatch, StateUpdater } from "preact/hooks";
import { useCallback, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { LightCatalog } from "../../lib/calculator/catalog.ts";
import { withModelDefaults } from "../../lib/calculator/model-change.ts";
import { normalizeState } from "../../lib/calculator/normalize.ts";
import { handOff, handoffLine, type HandoffClause } from "../../lib/calculator/question.ts";
import type { CalcState } from "../../lib/calculator/state.ts";

/** What the last pick changed off the original question, and how to undo it. */
export interface HandoffNote {
  text: string;
  /** The clauses of `text` that stay true whatever is picked next (question.ts handoffLine). */
  said: HandoffClause[];
  undo: Partial<CalcState>;
}

/** The note as it reads for state `s` (its budget hint goes once a machine or budget is picked). */
export function refreshNote(n: HandoffNote | null, s: CalcState): HandoffNote | null {
  if (!n) return n;
  const text = handoffLine(n.said, s);
  if (text === n.text) return n;
  return text === null ? null : { ...n, text };
}

export type Update = (patch: Partial<CalcState>) => void;

export interface CalcStateHook {
  state: CalcState;
  setState: Dispatch<StateUpdater<CalcState>>;
  /** Settings that were not understood (URL, files): shown until dismissed. */
  notices: string[];
  setNotices: Dispatch<StateUpdater<string[]>>;
  /** What normalising the last input changed, in words. */
  changes: string[];
  setChanges: Dispatch<StateUpdater<string[]>>;
  handoff: HandoffNote | null;
  setHandoff: Dispatch<StateUpdater<HandoffNote | null>>;
  update: Update;
  /** An input is waiting for its `calc:updated` mark. */
  pendingMark: { current: boolean };
}

export function markInput(): void {
  performance.mark("calc:input");
}

export function useCalcState(initial: CalcState, light: LightCatalog): CalcStateHook {
  const [state, setState] = useState<CalcState>(initial);
  const [notices, setNotices] = useState<string[]>([]);
  const [changes, setChanges] = useState<string[]>([]);
  const [handoff, setHandoff] = useState<HandoffNote | null>(null);
  const pendingMark = useRef(false);
  /** Every input goes through here: mark, merge, keep within the engine's rules. */
  const update = useCallback(
    (patch: Partial<CalcState>) => {
      markInput();
      pendingMark.current = true;
      setState((s) => {
        const p = withModelDefaults(patch, s, light.models);
        const h = handOff(s, p);
        const { state: next, changes: c } = normalizeState(h ? h.state : { ...s, ...p }, light.kvTypes);
        if (h) setHandoff({ text: h.text, said: h.said, undo: h.undo });
        else setHandoff((n) => refreshNote(n, next));
        setChanges(c);
        return next;
      });
    },
    [light],
  );
  return { state, setState, notices, setNotices, changes, setChanges, handoff, setHandoff, update, pendingMark };
}

/**
 * `calc:updated` after the render that follows an input (the bench measures input → updated), or
 * after the first one that is `complete` (nothing of that input still on its way).
 */
export function useUpdatedMark(pendingMark: { current: boolean }, complete = true): void {
  useLayoutEffect(() => {
    if (pendingMark.current && complete) {
      pendingMark.current = false;
      performance.mark("calc:updated");
    }
  });
}
