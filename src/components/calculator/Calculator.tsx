/**
 * The calculator island. First paint is the build's: `initialView` (computed by the engine at
 * build time) and the static SVG chart passed as children. After hydration it loads, lazily and
 * in parallel, the engine with the full catalog (one chunk + catalog.json) and Observable Plot
 * (another chunk); every input then recomputes the view in the browser. Measured runs are not in
 * catalog.json: the runs file of the current model's architecture (runs/<key>.json, listed in the
 * catalog's `runKeys`) is fetched when that architecture is first shown, and cached per key.
 *
 * Performance marks: `calc:input` when an input event arrives, `calc:updated` once the numbers
 * and the chart of that input are in the DOM (the bench measures between them) — for a model
 * whose architecture's measured runs are still being fetched, once they are in the chart.
 *
 * Committed state: the section carries `data-pending` and, once the numbers shown are those of the
 * current state, `data-state` = that state's permalink query (empty for the defaults). Tests and
 * scripts wait on these attributes instead of on elapsed time. The suggestions (a search over the
 * engine's verdict) arrive one task after the numbers and chart; `data-pending` stays "true" until
 * they have, and while the measured runs of the model's architecture are being fetched.
 */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { stateToQuery } from "../../lib/calculator/state.ts";
import { useCalculator, type CalculatorInput } from "../../views/calculator/use-calculator.ts";
import { QuestionBar } from "./QuestionBar.tsx";
import { CalcNotices } from "./CalcNotices.tsx";
import { ChartPanel } from "./ChartPanel.tsx";
import { Inputs } from "./Inputs.tsx";
import { VisionInputs } from "./VisionInputs.tsx";
import { ImportFieldset } from "./inputs/ImportFieldset.tsx";
import { DraftPicker } from "./DraftPicker.tsx";
import { ResultsDetails, ResultsSummary } from "./Results.tsx";
import type { PlacementPanel as PanelComponent } from "./PlacementPanel.tsx";

export interface CalculatorProps extends CalculatorInput {
  /** Prefix for element ids, unique per island on a page. */
  idPrefix: string;
  children?: ComponentChildren;
}

type Island = ReturnType<typeof useCalculator>;

/**
 * The machine panel (the PC builder) shows nothing before the engine has loaded, so it is a lazy
 * chunk of its own, requested with the engine's as soon as this module runs in a browser, and
 * drawn from the engine's render on (in that same render when its chunk is in by then).
 */
let panelChunk: Promise<typeof PanelComponent> | null = null;
let panelIn: typeof PanelComponent | null = null;
const loadPanel = () => (panelChunk ??= import("./PlacementPanel.tsx").then((m) => (panelIn = m.PlacementPanel)));
if (typeof window !== "undefined") loadPanel().catch(() => undefined);

function usePanel(engineIn: boolean, setLoadError: (e: string) => void): typeof PanelComponent | null {
  const [panel, setPanel] = useState<typeof PanelComponent | null>(null);
  useEffect(() => {
    if (!engineIn || panelIn) return;
    loadPanel()
      .then((p) => setPanel(() => p))
      .catch((e: unknown) => setLoadError(`The machine panel could not load: ${String(e)}`));
  }, [engineIn]);
  return engineIn ? (panelIn ?? panel) : null;
}

/** The settings column: every fieldset, with the vision projector and the draft model under the weights. */
function CalcInputs({ props, c }: { props: CalculatorProps; c: Island }) {
  const { idPrefix, light } = props;
  const { state, update } = c.calc;
  return (
    <Inputs
      idPrefix={idPrefix}
      state={state}
      light={light}
      view={c.cv.view}
      ready={c.cv.ready}
      lists={c.lists}
      changes={c.calc.changes}
      busy={c.model.busy}
      update={update}
      onGgufFile={c.actions.onGgufFile}
      onGgufUrl={c.actions.onGgufUrl}
      onCustom={c.actions.onCustom}
      onRunFile={c.actions.onRunFile}
      extraRuns={c.actions.extraRuns}
      fullArch={c.cv.fullArch}
      importBox={
        <ImportFieldset
          id={idPrefix}
          hf={state.hf}
          hfBase={state.hfBase}
          olBase={state.olBase}
          choice={c.model.hfChoice}
          note={state.model === "hf" && c.model.modelReady ? (c.model.loaded?.importNote ?? null) : null}
          budgetBytes={c.cv.view.s.budget.lineBytes}
          ollama={c.actions.ollamaAnswer}
          update={update}
          onImport={c.actions.onImport}
          onHfFile={c.actions.onHfFile}
        />
      }
      beside={
        <>
          <VisionInputs id={idPrefix} state={state} ctl={c.vision.controls} update={update} />
          <DraftPicker
            id={idPrefix}
            state={state}
            light={light}
            info={c.draft.info}
            error={c.draft.error}
            lists={c.lists}
            update={update}
          />
        </>
      }
    />
  );
}

export function Calculator(props: CalculatorProps) {
  const { light, defaults, syncUrl, idPrefix } = props;
  const c = useCalculator(props);
  const Panel = usePanel(c.engine.lib !== null, c.engine.setLoadError);
  const { state, setState, update, setNotices, handoff, setHandoff } = c.calc;
  const { lib, plot } = c.engine;
  const { view, pending, numbersPending, ready } = c.cv;
  const setMode = useCallback((m: "total" | "residual") => update({ view: m }), [update]);
  // The summary and the details show the same view and share one set of props.
  const resultsProps = { idPrefix, state, view, pending: numbersPending, update, syncUrl, permalink: c.link.href };
  return (
    <section
      class="calc"
      aria-labelledby={`${idPrefix}-title`}
      data-ready={ready && plot !== null && c.engine.val !== null && Panel !== null && c.lists ? "true" : "false"}
      data-pending={pending ? "true" : "false"}
      data-state={pending ? undefined : stateToQuery(state, defaults)}
    >
      <a class="calc-skip" href={`#${idPrefix}-answer`}>
        Skip to the answer
      </a>
      <h2 id={`${idPrefix}-title`} class="calc__title">
        What fits? <span class="muted calc__subtitle">{view.s.model?.name ?? "no model"}</span>
      </h2>
      <CalcNotices
        idPrefix={idPrefix}
        notices={c.calc.notices}
        loadError={c.engine.loadError}
        onDismiss={() => setNotices([])}
      />
      {c.model.approx && state.model === "gguf" && (
        <p class="calc-question calc-small" data-testid="calc-approx">
          {c.model.approx}
        </p>
      )}
      <QuestionBar
        idPrefix={idPrefix}
        note={handoff}
        isOriginal={stateToQuery(state, defaults) === ""}
        onUndo={(u) => (setHandoff(null), update(u))}
        onOriginal={() => (setHandoff(null), setState(defaults))}
      />
      <ResultsSummary {...resultsProps} />
      <div class="calc__grid">
        <CalcInputs props={props} c={c} />
        <ResultsDetails {...resultsProps}>
          <ChartPanel
            idPrefix={idPrefix}
            chart={view.s.chart}
            current={view.c.current}
            mode={state.view}
            plot={ready ? plot : null}
            writer={ready ? c.engine.writer : null}
            pending={numbersPending}
            poolLabel={view.s.poolLabel}
            setMode={setMode}
          >
            {props.children}
          </ChartPanel>
        </ResultsDetails>
      </div>
      {Panel && <Panel {...{ idPrefix, state, light, lib, update }} model={c.cv.resolved} />}
    </section>
  );
}

export default Calculator;
