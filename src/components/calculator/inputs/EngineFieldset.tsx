/** Which program allocates (upstream llama.cpp, the TurboQuant fork, Ollama), its rules revision and backend. */
import {
  CALC_BACKENDS,
  CALC_ENGINES,
  ENGINE_REVISIONS,
  type CalcEngine,
  type CalcState,
} from "../../../lib/calculator/state.ts";
import { enginePatch } from "../../../lib/calculator/question.ts";
import { memo } from "../../../views/calculator/memo.ts";
import { onPick, onValue } from "../../../views/calculator/input-events.ts";
import type { Update } from "../../../views/calculator/use-calc-state.ts";

const ENGINE_LABEL: Record<CalcEngine, string> = {
  "llama.cpp": "llama.cpp (upstream)",
  turboquant: "llama.cpp TurboQuant fork (TheTom)",
  ollama: "Ollama (llama-server backend)",
};

const REVISION_LABEL: Record<string, string> = {
  current: "current (since 2026-01-25: 256-padding, MLA K only)",
  "2025-11-07": "2025-11-07 … 2026-01-24 (256-padding, MLA K+V)",
  "2025-10-28": "2025-10-28 … 2025-11-06 (no padding)",
  "2025-07-16": "2025-07-16 … 2025-10-27 (per-stream padding 32/256)",
  "2026-05": "2026-05 (69d8e4be: turbo3 3.125, turbo2 2.125 bpv)",
  "2026-03": "2026-03 (the original report's build: turbo3 3.5, turbo2 2.5 bpv)",
};

const BACKEND_LABEL: Record<string, string> = { metal: "Metal (Apple)", cuda: "CUDA / ROCm", cpu: "CPU only" };

export const EngineFieldset = memo(function EngineFieldset(p: {
  id: string;
  engine: CalcEngine;
  revision: string;
  backend: CalcState["backend"];
  update: Update;
}) {
  const { id, update } = p;
  return (
    <fieldset class="calc-fs">
      <legend>Engine</legend>
      <div class="calc-field">
        <label for={`${id}-engine`}>Engine</label>
        <select id={`${id}-engine`} value={p.engine} onChange={onPick(CALC_ENGINES, (e) => update(enginePatch(e)))}>
          {CALC_ENGINES.map((e) => (
            <option key={e} value={e}>
              {ENGINE_LABEL[e]}
            </option>
          ))}
        </select>
      </div>
      <div class="calc-field">
        <label for={`${id}-rev`}>Build (rules revision)</label>
        <select id={`${id}-rev`} value={p.revision} onChange={onValue((revision) => update({ revision }))}>
          {ENGINE_REVISIONS[p.engine].map((r) => (
            <option key={r} value={r}>
              {REVISION_LABEL[r] ?? r}
            </option>
          ))}
        </select>
      </div>
      <div class="calc-field">
        <label for={`${id}-backend`}>Backend</label>
        <select
          id={`${id}-backend`}
          value={p.backend}
          onChange={onPick(CALC_BACKENDS, (backend) => update({ backend }))}
        >
          {CALC_BACKENDS.map((b) => (
            <option key={b} value={b}>
              {BACKEND_LABEL[b]}
            </option>
          ))}
        </select>
        <span class="calc-help">Derived from the hardware; editable.</span>
      </div>
    </fieldset>
  );
});
