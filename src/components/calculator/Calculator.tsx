/**
 * The calculator island. First paint is the build's: `initialView` (computed by the engine at
 * build time) and the static SVG chart passed as children. After hydration it loads, lazily and
 * in parallel, the engine with the full catalog (one chunk + catalog.json) and Observable Plot
 * (another chunk); every input then recomputes the view in the browser. Measured runs are not in
 * catalog.json: the runs file of the current model's architecture (runs/<key>.json, listed in the
 * catalog's `runKeys`) is fetched when that architecture is first shown, and cached per key.
 *
 * Performance marks: `calc:input` when an input event arrives, `calc:updated` once the numbers
 * and the chart of that input are in the DOM (the bench measures between them).
 *
 * Committed state: the section carries `data-pending` and, once the numbers shown are those of the
 * current state, `data-state` = that state's permalink query (empty for the defaults). Tests and
 * scripts wait on these attributes instead of on elapsed time.
 */
import type { ComponentChildren } from "preact";
import { classifyGgufFailure } from "../../lib/calculator/gguf-failure.ts";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type * as ClientModule from "../../lib/calculator/client.ts";
import {
  runsFileKey,
  type CalcCatalog,
  type CatalogFile,
  type LightCatalog,
  type MeasuredRunOption,
} from "../../lib/calculator/catalog.ts";
import type { CalcView, LoadedModel } from "../../lib/calculator/view.ts";
import { normalizeState } from "../../lib/calculator/normalize.ts";
import { capNotices } from "../../lib/calculator/notices.ts";
import { withModelDefaults } from "../../lib/calculator/model-change.ts";
import { handOff } from "../../lib/calculator/question.ts";
import { QuestionBar, type HandoffNote } from "./QuestionBar.tsx";
import { stateToQuery, type CalcState, type StateDomain } from "../../lib/calculator/state.ts";
import { ChartPanel, type PlotKit } from "./ChartPanel.tsx";
import { Inputs } from "./Inputs.tsx";
import { useVision } from "../../views/calculator/use-vision.ts";
import { VisionInputs } from "./VisionInputs.tsx";
import { useDraft } from "../../views/calculator/use-draft.ts";
import { DraftPicker } from "./DraftPicker.tsx";
import { ResultsDetails, ResultsSummary } from "./Results.tsx";
import { PlacementPanel } from "./PlacementPanel.tsx";
import { gpuCatalog } from "../../lib/calculator/placement-machine.ts";

type ClientLib = typeof ClientModule;

export interface CalculatorProps {
  light: LightCatalog;
  /** The state `initialView` was computed for. */
  initialState: CalcState;
  /** Defaults the permalink is written against (the page's default state). */
  defaults: CalcState;
  initialView: CalcView;
  /** URL of calculator/catalog.json (with the deploy base). */
  catalogUrl: string;
  /** URL of the calculator/runs/ folder (with the deploy base and a trailing slash). */
  runsUrl: string;
  /** Read and write the page URL (the /calculator/ page); off for embedded widgets. */
  syncUrl: boolean;
  /** Prefix for element ids, unique per island on a page. */
  idPrefix: string;
  children?: ComponentChildren;
}

const NO_RUNS: MeasuredRunOption[] = [];

export function markInput(): void {
  performance.mark("calc:input");
}

export function Calculator(props: CalculatorProps) {
  const { light, defaults, syncUrl, idPrefix } = props;
  const [state, setState] = useState<CalcState>(props.initialState);
  const [notices, setNotices] = useState<string[]>([]);
  const [changes, setChanges] = useState<string[]>([]);
  const [lib, setLib] = useState<ClientLib | null>(null);
  const [catalogFile, setCatalogFile] = useState<CatalogFile | null>(null);
  /** Runs files by key, once fetched (a missing file is no runs). */
  const [runsByKey, setRunsByKey] = useState<Record<string, MeasuredRunOption[]>>({});
  const runsFetching = useRef(new Set<string>());
  const [plot, setPlot] = useState<PlotKit | null>(null);
  const [loaded, setLoaded] = useState<LoadedModel | null>(null);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const [extraRuns, setExtraRuns] = useState<MeasuredRunOption[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const fromHistory = useRef(false);
  const lastPush = useRef(0);
  const pendingMark = useRef(false);
  const [href, setHref] = useState("");
  const [handoff, setHandoff] = useState<HandoffNote | null>(null);
  /** A GGUF permalink without its file: which numbers are approximate (said plainly, not as an error). */
  const [approx, setApprox] = useState<string | null>(null);
  const [urlPending, setUrlPending] = useState(false);

  const domain: StateDomain = useMemo(
    () => ({
      models: new Set(light.models.map((m) => m.id)),
      hardware: new Set(light.hardware.map((h) => h.id)),
      budgets: new Map(light.budgets.map((b) => [b.id, b.items])),
      ftypes: new Set(light.ftypes.map((f) => f.id)),
      gpus: gpuCatalog(light.hardware),
    }),
    [light],
  );

  const libRef = useRef<ClientLib | null>(null);
  /** The page URL is written only after a linked state has been read from it. */
  const urlRead = useRef(false);
  /** The configuration before a GGUF URL was entered, restored if that URL cannot be read. */
  const beforeUrl = useRef<CalcState | null>(null);
  /** Permalink → state (the validator comes with the lazy engine chunk). */
  const readUrl = useCallback(
    (l: ClientLib) => {
      const { state: parsed, notices: n } = l.parseState(location.search, domain, defaults);
      const norm = normalizeState(parsed, light.kvTypes);
      setNotices([...n, ...norm.changes]);
      setState(norm.state);
    },
    [domain, defaults, light],
  );

  // Hydration: lazy engine + catalog (then the URL's state), lazy Plot, history.
  useEffect(() => {
    let alive = true;
    // Until the engine arrives, a linked state shows as pending over the build's default view.
    if (syncUrl && location.search) setUrlPending(true);
    Promise.all([
      import("../../lib/calculator/client.ts"),
      fetch(props.catalogUrl).then((r) => {
        if (!r.ok) throw new Error(`${props.catalogUrl}: HTTP ${r.status}`);
        return r.json() as Promise<CatalogFile>;
      }),
    ])
      .then(([l, c]) => {
        if (!alive) return;
        libRef.current = l;
        if (syncUrl && location.search) readUrl(l);
        urlRead.current = true;
        setCatalogFile(c);
        setLib(l);
      })
      .catch((e: unknown) => alive && setLoadError(`The calculator could not load its engine: ${String(e)}`));
    Promise.all([import("@observablehq/plot"), import("../../views/calculator/chart-lazy.ts")])
      .then(([Plot, chart]) => alive && setPlot({ Plot, build: chart.memoryVsContext }))
      .catch((e: unknown) => alive && setLoadError(`The chart could not load: ${String(e)}`));
    const onPop = () => {
      if (!libRef.current) return;
      fromHistory.current = true;
      readUrl(libRef.current);
    };
    if (syncUrl) addEventListener("popstate", onPop);
    return () => {
      alive = false;
      if (syncUrl) removeEventListener("popstate", onPop);
    };
  }, []);

  /** Every input goes through here: mark, merge, keep within the engine's rules. */
  const update = useCallback(
    (patch: Partial<CalcState>) => {
      markInput();
      pendingMark.current = true;
      setState((s) => {
        const p = withModelDefaults(patch, s, light.models);
        const h = handOff(s, p);
        if (h) setHandoff({ text: h.text, undo: h.undo });
        const { state: next, changes: c } = normalizeState(h ? h.state : { ...s, ...p }, light.kvTypes);
        setChanges(c);
        return next;
      });
    },
    [light],
  );

  // Models that live in the URL: a GGUF URL is re-read, an `arch=` payload re-validated.
  useEffect(() => {
    if (!lib) return;
    if (state.model !== "gguf" && state.model !== "custom") return;
    const key = state.ggufUrl ?? state.arch;
    if (!key || key === loadedKey) return;
    if (state.model === "gguf" && state.ggufUrl) {
      setBusy(`Reading the GGUF header from ${state.ggufUrl}…`);
      import("../../lib/calculator/gguf-load.ts")
        .then((g) => g.loadGgufUrl(state.ggufUrl!))
        .then((m) => {
          setLoaded(m);
          setLoadedKey(key);
          setBusy(null);
        })
        .catch((e: unknown) => {
          setBusy(null);
          // An ordinary failure keeps the question the user had; a hostile header does not.
          const f = classifyGgufFailure(state.ggufUrl!, e);
          const prev = f.keepConfig ? beforeUrl.current : null;
          beforeUrl.current = null;
          setNotices((n) => [...n, f.notice]);
          setState((s) => prev ?? { ...s, model: defaults.model, arch: null, ggufUrl: null });
        });
      return;
    }
    const r = lib.loadCustom(state.arch!, state.model);
    if (r.model) {
      setLoaded(r.model);
      setLoadedKey(key);
      if (state.model === "gguf")
        setApprox(
          "Approximate without the file: this link carries the GGUF's architecture, not its tensor table, so the weights are estimated from the ftype (and the totals with them). Exact as before: KV cache, recurrent state, output buffer. Load the file again for exact weights.",
        );
    } else {
      setNotices((n) => [...n, ...r.errors, "The linked architecture is invalid; showing the default model."]);
      setState((s) => ({ ...s, model: defaults.model, arch: null, ggufUrl: null }));
    }
  }, [lib, state.model, state.arch, state.ggufUrl, loadedKey, defaults]);

  // Permalink: every discrete change is a history step (back/forward work); a context drag
  // replaces its own step while it keeps moving; the first write after reading a link replaces
  // it. Writes are debounced (browsers throttle the history API, and it costs ~1 ms a call).
  const lastWritten = useRef<CalcState | null>(null);
  const urlTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!syncUrl || !urlRead.current) return;
    if (urlTimer.current) clearTimeout(urlTimer.current);
    const write = () => {
      urlTimer.current = null;
      const q = stateToQuery(state, defaults);
      const target = `${location.pathname}${q ? `?${q}` : ""}${location.hash}`;
      setHref(`${location.origin}${target}`);
      const prev = lastWritten.current;
      lastWritten.current = state;
      if (fromHistory.current) {
        fromHistory.current = false;
        return;
      }
      if (target === `${location.pathname}${location.search}${location.hash}`) return;
      const now = performance.now();
      const onlyCtx = prev !== null && stateToQuery({ ...state, ctx: prev.ctx }, prev) === "";
      if (prev === null || (onlyCtx && now - lastPush.current < 1000)) history.replaceState(null, "", target);
      else history.pushState(null, "", target);
      lastPush.current = now;
    };
    if (lastWritten.current === null || fromHistory.current) write();
    else urlTimer.current = setTimeout(write, 200);
  }, [state, defaults, syncUrl, lib]);

  const modelReady =
    state.model !== "gguf" && state.model !== "custom"
      ? true
      : loaded !== null && loadedKey === (state.ggufUrl ?? state.arch);
  // The runs file that may hold runs matching the current model (runMatches needs the same arch).
  const runsKey = useMemo(() => {
    if (!catalogFile) return null;
    const arch =
      state.model === "gguf" || state.model === "custom"
        ? modelReady
          ? loaded?.architecture.arch
          : undefined
        : catalogFile.models.find((m) => m.id === state.model)?.architecture.arch;
    return arch ? runsFileKey(arch) : null;
  }, [catalogFile, state.model, modelReady, loaded]);
  useEffect(() => {
    if (!catalogFile || runsKey === null || !catalogFile.runKeys.includes(runsKey)) return;
    if (runsKey in runsByKey || runsFetching.current.has(runsKey)) return;
    runsFetching.current.add(runsKey);
    const url = `${props.runsUrl}${encodeURIComponent(runsKey)}.json`;
    const done = (runs: MeasuredRunOption[]) => {
      runsFetching.current.delete(runsKey);
      setRunsByKey((x) => ({ ...x, [runsKey]: runs }));
    };
    fetch(url)
      .then((r) => (r.ok ? (r.json() as Promise<MeasuredRunOption[]>) : NO_RUNS))
      .then(done)
      .catch((e: unknown) => {
        done(NO_RUNS);
        setLoadError(`The measured runs could not load: ${String(e)}`);
      });
  }, [catalogFile, runsKey, runsByKey]);
  const keyRuns = runsKey !== null ? runsByKey[runsKey] : undefined;
  const catalog: CalcCatalog | null = useMemo(
    () => (catalogFile ? { ...catalogFile, runs: keyRuns ?? NO_RUNS } : null),
    [catalogFile, keyRuns],
  );
  const ready = lib !== null && catalog !== null;
  const vision = useVision(state, update, lib);
  const draft = useDraft(state, lib, catalog);
  const staticRes = useMemo(
    () =>
      ready && modelReady
        ? lib!.computeStatic({ state, catalog: catalog!, loaded, extraRuns, reserve: vision.reserve })
        : null,
    // staticKey covers every field but ctx and view (deps are deliberate).
    [ready, modelReady, lib && lib.staticKey(state), loaded, extraRuns, catalog, vision.reserve],
  );
  const view: CalcView = useMemo(
    () =>
      staticRes
        ? draft.apply(
            vision.apply({ s: staticRes.view, c: lib!.computeAtCtx(staticRes.view, staticRes.resolved, state) }),
          )
        : props.initialView,
    [staticRes, state],
  );
  const fullArch = useMemo(() => {
    if (!lib || !catalog) return null;
    if ((state.model === "gguf" || state.model === "custom") && loaded)
      return loaded.architecture as unknown as Record<string, unknown>;
    const m = catalog.models.find((x) => x.id === state.model);
    const r = m ? lib.parseArchitecture(m.architecture) : null;
    return r && r.ok ? (r.arch as unknown as Record<string, unknown>) : null;
  }, [lib, catalog, state.model, loaded]);
  const pending =
    vision.pending || (!staticRes && (urlPending || stateToQuery(state, props.initialState) !== "" || busy !== null));

  useLayoutEffect(() => {
    if (pendingMark.current) {
      pendingMark.current = false;
      performance.mark("calc:updated");
    }
  });

  const onGgufFileImpl = async (file: File) => {
    markInput();
    setBusy(`Reading the header of ${file.name}…`);
    try {
      const [g, l] = await Promise.all([
        import("../../lib/calculator/gguf-load.ts"),
        lib ?? import("../../lib/calculator/client.ts"),
      ]);
      const m = await g.loadGgufFile(file);
      const payload = l.encodeCustom(m.architecture, m.name, m.tensorsFtype);
      setLoaded(m);
      setLoadedKey(payload);
      setChanges([]);
      pendingMark.current = true;
      setState((s) => {
        const patch = { model: "gguf", ggufUrl: null, arch: payload };
        const h = handOff(s, patch);
        if (h) setHandoff({ text: h.text, undo: h.undo });
        return h ? h.state : { ...s, ...patch };
      });
    } catch (e) {
      setNotices((n) => [...n, `${file.name}: ${(e as Error).message}`]);
    } finally {
      setBusy(null);
    }
  };
  const onGgufUrlImpl = (url: string) => {
    if (!/^https:\/\/\S+$/.test(url)) {
      setNotices((n) => [...n, `Not an https:// URL: ${url}`]);
      return;
    }
    beforeUrl.current = state;
    update({ model: "gguf", ggufUrl: url, arch: null });
  };
  const onCustomImpl = (json: string): string[] => {
    if (!lib) return ["The engine is still loading."];
    const r = lib.parseArchitecture(json);
    if (!r.ok) return r.errors;
    const payload = lib.encodeCustom(r.arch, r.arch.name ?? "custom");
    setLoaded({
      kind: "custom",
      name: r.arch.name ?? "custom",
      architecture: r.arch,
      tensors: null,
      tensorsFtype: null,
      fileBytes: null,
      url: null,
    });
    setLoadedKey(payload);
    update({ model: "custom", arch: payload, ggufUrl: null });
    return [];
  };
  const onRunFileImpl = async (file: File): Promise<string[]> => {
    if (!lib) return ["The engine is still loading."];
    markInput();
    pendingMark.current = true;
    const r = lib.parseRunJson(await file.text(), file.name);
    if (r.run) setExtraRuns((x) => [...x.filter((y) => y.id !== r.run!.id), r.run!]);
    return r.errors;
  };

  // Stable identities for the memoised input groups; the latest closure runs.
  const impl = useRef({ onGgufFileImpl, onGgufUrlImpl, onCustomImpl, onRunFileImpl });
  impl.current = { onGgufFileImpl, onGgufUrlImpl, onCustomImpl, onRunFileImpl };
  const onGgufFile = useCallback((f: File) => void impl.current.onGgufFileImpl(f), []);
  const onGgufUrl = useCallback((u: string) => impl.current.onGgufUrlImpl(u), []);
  const onCustom = useCallback((j: string) => impl.current.onCustomImpl(j), []);
  const onRunFile = useCallback((f: File) => impl.current.onRunFileImpl(f), []);
  const setMode = useCallback((m: "total" | "residual") => update({ view: m }), [update]);

  // The summary and the details show the same view and share one set of props.
  const resultsProps = { idPrefix, state, view, pending, update, syncUrl, permalink: href };
  return (
    <section
      class="calc"
      aria-labelledby={`${idPrefix}-title`}
      data-ready={ready && plot !== null ? "true" : "false"}
      data-pending={pending ? "true" : "false"}
      data-state={pending ? undefined : stateToQuery(state, defaults)}
    >
      <a class="calc-skip" href={`#${idPrefix}-answer`}>
        Skip to the answer
      </a>
      <h2 id={`${idPrefix}-title`} class="calc__title">
        What fits? <span class="muted calc__subtitle">{view.s.model?.name ?? "no model"}</span>
      </h2>
      {(notices.length > 0 || loadError) && (
        <div class="calc-notices" role="alert" id={`${idPrefix}-notices`}>
          <p>
            <strong>Some settings were not understood.</strong>
          </p>
          <ul>
            {loadError && <li>{loadError}</li>}
            {capNotices(notices).map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
          <button type="button" class="calc-btn" onClick={() => setNotices([])}>
            Dismiss
          </button>
        </div>
      )}
      {approx && state.model === "gguf" && (
        <p class="calc-question calc-small" data-testid="calc-approx">
          {approx}
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
        <Inputs
          idPrefix={idPrefix}
          state={state}
          light={light}
          view={view}
          ready={ready}
          changes={changes}
          busy={busy}
          update={update}
          onGgufFile={onGgufFile}
          onGgufUrl={onGgufUrl}
          onCustom={onCustom}
          onRunFile={onRunFile}
          extraRuns={extraRuns}
          fullArch={fullArch}
          beside={
            <>
              <VisionInputs id={idPrefix} state={state} ctl={vision.controls} update={update} />
              <DraftPicker
                id={idPrefix}
                state={state}
                light={light}
                info={draft.info}
                error={draft.error}
                update={update}
              />
            </>
          }
        />
        <ResultsDetails {...resultsProps}>
          <ChartPanel
            idPrefix={idPrefix}
            chart={view.s.chart}
            current={view.c.current}
            mode={state.view}
            plot={ready ? plot : null}
            pending={pending}
            poolLabel={view.s.poolLabel}
            setMode={setMode}
          >
            {props.children}
          </ChartPanel>
        </ResultsDetails>
      </div>
      <PlacementPanel {...{ idPrefix, state, light, lib, update }} model={staticRes?.resolved ?? null} />
    </section>
  );
}

export default Calculator;
