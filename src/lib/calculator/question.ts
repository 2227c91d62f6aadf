/**
 * The user's question, not the example's (pure, tiny, in the initial JS).
 *
 * - Picking a machine sets the budget that applies to it (src/lib/catalog/machine.ts: the Metal
 *   working-set template on a Mac, VRAM less the display on a card) and its backend.
 * - The first view is the original report's question (DEFAULT_STATE: the TurboQuant fork, q8_0 K +
 *   turbo4 V, the report's 32 GB budget). Once the user picks a model or a machine, what belonged
 *   only to the example gives way to upstream llama.cpp defaults, with one line saying so and an
 *   undo that puts the example's settings back on the new question. The hand-off also sets one
 *   sequence, not unified, so the largest context is the CLI's and /models/' for the same model,
 *   machine and K/V type (llama-server's auto 4 slots change it for sliding-window and recurrent models).
 * - Ollama's default OLLAMA_NUM_PARALLEL is 1 (ollama/ollama envconfig/config.go:
 *   `NumParallel = Uint("OLLAMA_NUM_PARALLEL", 1)`), so switching to Ollama starts at one sequence.
 */
import { machineDefaults } from "../catalog/machine.ts";
import { DEFAULT_STATE, type CalcState } from "./state.ts";

/** Ollama's default OLLAMA_NUM_PARALLEL (ollama/ollama envconfig/config.go). */
export const OLLAMA_DEFAULT_NUM_PARALLEL = 1;

interface MachineLike {
  id: string;
  vendor: string;
  unified: boolean;
}
interface BudgetLike {
  id: string;
  hardwareId: string | null;
  hasTotal: boolean;
}

/** The state changes picking machine `hid` makes ("" = none: back to a budget with a stated total). */
export function machinePatch(
  hardware: readonly MachineLike[],
  budgets: readonly BudgetLike[],
  current: string,
  hid: string,
): Partial<CalcState> {
  const h = hardware.find((x) => x.id === hid) ?? null;
  const cur = budgets.find((b) => b.id === current) ?? null;
  const patch: Partial<CalcState> = { hardware: hid, wiredMiB: null };
  if (h) {
    const d = machineDefaults(h);
    patch.backend = d.backend;
    // A budget written for this very machine stays; any other gives way to the machine's template.
    if (!cur || cur.hardwareId !== hid) patch.budget = d.budgetId;
  } else if (cur && !cur.hasTotal) patch.budget = budgets.find((b) => b.hasTotal)?.id ?? current;
  if (patch.budget !== undefined && patch.budget !== current) {
    patch.items = {};
    patch.totalBytes = null;
  }
  return patch;
}

const isTurbo = (t: string) => t.startsWith("turbo");

/** True while the state still carries something that belongs only to the original report's example. */
export function carriesExample(s: CalcState): boolean {
  return s.engine === "turboquant" || isTurbo(s.typeK) || isTurbo(s.typeV) || s.budget === DEFAULT_STATE.budget;
}

export interface Handoff {
  /** The state after the user's pick, with upstream defaults in place of the example's settings. */
  state: CalcState;
  /** One line: what changed. */
  text: string;
  /** What changed, clause by clause; handoffLine words them while they still hold. */
  said: HandoffClause[];
  /** The example's settings, to put back on the new question. */
  undo: Partial<CalcState>;
}

/**
 * Applies the user's patch; when it picks a model or a machine and the state still carries the
 * example, the example's engine, K/V types and budget give way to upstream llama.cpp defaults.
 * Returns null when no hand-off happens (the caller applies the patch as is).
 */
export function handOff(prev: CalcState, patch: Partial<CalcState>): Handoff | null {
  const picks = ("model" in patch && patch.model !== prev.model) || ("hardware" in patch && patch.hardware !== "");
  if (!picks || !carriesExample(prev)) return null;
  const next: CalcState = { ...prev, ...patch };
  const undo: Partial<CalcState> = {};
  const said: HandoffClause[] = [];
  if (next.engine === "turboquant") {
    Object.assign(undo, { engine: next.engine, revision: next.revision });
    next.engine = "llama.cpp";
    next.revision = "current";
    said.push("engine");
  }
  if (isTurbo(next.typeK) || isTurbo(next.typeV)) {
    Object.assign(undo, { typeK: next.typeK, typeV: next.typeV });
    next.typeK = "f16";
    next.typeV = "f16";
    said.push("kv");
  }
  // One sequence, not unified: what the CLI and /models/ answer for (their row links carry np=1,
  // kvu=0); llama-server's auto 4 slots stay one click away (the undo) and are named in the line.
  if (next.nSeq !== 1 || next.unified) {
    Object.assign(undo, { nSeq: next.nSeq, unified: next.unified });
    next.nSeq = 1;
    next.unified = false;
    said.push("seq");
  }
  const text = handoffLine(said, next);
  return text === null ? null : { state: next, text, said, undo };
}

/** A clause of the hand-off line: the engine, the K/V types or the sequences that gave way. */
export type HandoffClause = "engine" | "kv" | "seq";

const CLAUSES: Record<HandoffClause, { text: string; holds: (s: CalcState) => boolean }> = {
  engine: { text: "upstream llama.cpp (not the TurboQuant fork)", holds: (s) => s.engine === "llama.cpp" },
  kv: { text: "f16 K/V (llama.cpp's default)", holds: (s) => s.typeK === "f16" && s.typeV === "f16" },
  seq: {
    text: "one sequence, as the CLI (llama-server's 4 slots: set -np 4)",
    holds: (s) => s.nSeq === 1 && !s.unified,
  },
};
const BUDGET_HINT = "the budget is still the report's 32 GB Mac: pick your machine";

/**
 * The hand-off line for state `s`: each clause only while it still holds (a later pick of q8_0 K/V
 * or a machine would make it false), the budget hint only while `s` has the report's budget and no
 * machine. Null: nothing left to say.
 */
export function handoffLine(said: readonly HandoffClause[], s: CalcState): string | null {
  const all = said.filter((c) => CLAUSES[c].holds(s)).map((c) => CLAUSES[c].text);
  if (s.budget === DEFAULT_STATE.budget && s.hardware === "") all.push(BUDGET_HINT);
  return all.length ? `Your question now uses ${all.join(", ")}.` : null;
}

/** Engine-switch rule: Ollama starts at its default parallelism. */
export function enginePatch(engine: CalcState["engine"]): Partial<CalcState> {
  return engine === "ollama" ? { engine, nSeq: OLLAMA_DEFAULT_NUM_PARALLEL } : { engine };
}
