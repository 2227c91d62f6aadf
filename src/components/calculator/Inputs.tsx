/**
 * The calculator's inputs: model (searchable catalog, GGUF file or URL, custom architecture),
 * weights, engine and build, K/V types (what the engine refuses is disabled with the reason),
 * parallelism, flash attention, batch, SWA, GPU layers, and the budget (hardware, itemised
 * reservations, the Apple GPU wired limit). Every control is a labelled native form element; one
 * component per fieldset under ./inputs/.
 */
import type { ComponentChildren } from "preact";
import type { LightCatalog, MeasuredRunOption } from "../../lib/calculator/catalog.ts";
import type { CalcState } from "../../lib/calculator/state.ts";
import type { CalcView } from "../../lib/calculator/view.ts";
import { BudgetFieldset } from "./inputs/BudgetFieldset.tsx";
import { modelsQueryFor } from "../../lib/catalog/models-url.ts";
import { EngineFieldset } from "./inputs/EngineFieldset.tsx";
import { GpuFieldset } from "./inputs/GpuFieldset.tsx";
import { KvFieldset } from "./inputs/KvFieldset.tsx";
import { ModelFieldset } from "./inputs/ModelFieldset.tsx";
import { RunsFieldset } from "./inputs/RunsFieldset.tsx";
import { WeightsFieldset } from "./inputs/WeightsFieldset.tsx";

interface Props {
  idPrefix: string;
  state: CalcState;
  light: LightCatalog;
  view: CalcView;
  ready: boolean;
  /** The long option lists are in (src/views/calculator/options-html.ts). */
  lists: boolean;
  changes: string[];
  busy: string | null;
  extraRuns: MeasuredRunOption[];
  /** Full architecture of the current model (all fields), once the engine has loaded. */
  fullArch: Record<string, unknown> | null;
  update: (patch: Partial<CalcState>) => void;
  onGgufFile: (f: File) => void;
  onGgufUrl: (url: string) => void;
  onCustom: (json: string) => string[];
  onRunFile: (f: File) => Promise<string[]>;
  /** What runs beside the model (vision projector, draft model), under the weights. */
  beside?: ComponentChildren;
  /** The import box (Hugging Face id / Ollama tag), above the model fieldset. */
  importBox?: ComponentChildren;
}

/** What normalising the last input changed, in words. */
function Changes({ changes }: { changes: string[] }) {
  if (changes.length === 0) return null;
  return (
    <div class="calc-changes" role="status">
      {changes.map((c, i) => (
        <p key={i}>{c}</p>
      ))}
    </div>
  );
}

export function Inputs(p: Props) {
  const { state, light, view, update, idPrefix: id } = p;
  const weights = view.c.components.find((c) => c.key === "weights");
  // the fieldsets with long option lists (src/views/calculator/options-html.ts)
  const listed = { id, lists: p.lists, update };
  return (
    <form class="calc__inputs" aria-label="Calculator settings" onSubmit={(e) => e.preventDefault()}>
      <Changes changes={p.changes} />
      {p.importBox}
      <ModelFieldset
        id={id}
        light={light}
        current={state.model}
        model={view.s.model}
        ggufUrl={state.ggufUrl}
        busy={p.busy}
        ready={p.ready}
        fullArch={p.fullArch}
        update={update}
        onGgufFile={p.onGgufFile}
        onGgufUrl={p.onGgufUrl}
        onCustom={p.onCustom}
      />
      <WeightsFieldset
        {...listed}
        ftype={state.ftype}
        ftypes={light.ftypes}
        model={view.s.model}
        vision={state.vision}
        weightsBytes={weights?.bytes ?? null}
        weightsEstimate={weights?.estimate ?? false}
      />
      {p.beside}
      <EngineFieldset id={id} engine={state.engine} revision={state.revision} backend={state.backend} update={update} />
      <KvFieldset
        id={id}
        engine={state.engine}
        typeK={state.typeK}
        typeV={state.typeV}
        flashAttn={state.flashAttn}
        nSeq={state.nSeq}
        unified={state.unified}
        nUbatch={state.nUbatch}
        swaFull={state.swaFull}
        hasSwa={view.s.model?.hasSwa ?? false}
        kOptions={view.s.kOptions}
        vOptions={view.s.vOptions}
        effective={view.c.effective.typeK}
        fa={view.c.effective.fa}
        update={update}
      />
      <GpuFieldset
        id={id}
        ngl={state.nGpuLayers}
        nLayers={view.c.offload.nLayers}
        deviceBytes={view.c.offload.deviceBytes}
        hostBytes={view.c.offload.hostBytes}
        maxLayersFit={view.c.offload.maxLayersFit}
        update={update}
      />
      <BudgetFieldset
        {...listed}
        light={light}
        hardware={state.hardware}
        budgetId={state.budget}
        items={state.items}
        wiredMiB={state.wiredMiB}
        budget={view.s.budget}
        modelsQuery={modelsQueryFor(state)}
      />
      <RunsFieldset
        id={id}
        runs={view.s.measuredRuns}
        ready={p.ready}
        extraRuns={p.extraRuns}
        onRunFile={p.onRunFile}
      />
    </form>
  );
}
