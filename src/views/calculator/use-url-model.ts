/**
 * Models that live in the state rather than the catalog: a GGUF URL (its header re-read), a
 * GGUF file or custom architecture carried as an `arch=` payload (re-validated by the engine).
 * `modelReady` says whether the model the state names is the one loaded.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { classifyGgufFailure } from "../../lib/calculator/gguf-failure.ts";
import { isLoadedModelId } from "../../lib/calculator/state.ts";
import type { CalcState } from "../../lib/calculator/state.ts";
import type { LoadedModel } from "../../lib/calculator/view.ts";
import type { ClientLib, ValidateLib } from "./use-engine.ts";

type Setter<T> = (v: T | ((prev: T) => T)) => void;

export interface UrlModelHook {
  loaded: LoadedModel | null;
  setLoaded: (m: LoadedModel | null) => void;
  loadedKey: string | null;
  setLoadedKey: (k: string | null) => void;
  /** What is being read, in words (null: nothing). */
  busy: string | null;
  setBusy: (b: string | null) => void;
  /** A GGUF permalink without its file: which numbers are approximate (said plainly, not as an error). */
  approx: string | null;
  /** The configuration before a GGUF URL was entered, restored if that URL cannot be read. */
  beforeUrl: { current: CalcState | null };
  modelReady: boolean;
  /** A GGUF repo with several files and none chosen: its files, for the import box to offer. */
  hfChoice: { id: string; files: readonly string[] } | null;
  setHfChoice: (c: { id: string; files: readonly string[] } | null) => void;
}

/** What identifies a loaded model in the state (a change re-reads it). */
const keyOf = (s: CalcState): string | null =>
  s.model === "hf" && s.hf ? `hf|${s.hf}|${s.hfFile ?? ""}|${s.hfBase ?? ""}` : (s.ggufUrl ?? s.arch);

const APPROX =
  "Approximate without the file: this link carries the GGUF's architecture, not its tensor table, so the weights are estimated from the ftype (and the totals with them). Exact as before: KV cache, recurrent state, output buffer. Load the file again for exact weights.";

export function useUrlModel(
  { lib, val }: { lib: ClientLib | null; val: ValidateLib | null },
  state: CalcState,
  setState: Setter<CalcState>,
  setNotices: Setter<string[]>,
  defaults: CalcState,
): UrlModelHook {
  const [loaded, setLoaded] = useState<LoadedModel | null>(null);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [approx, setApprox] = useState<string | null>(null);
  const beforeUrl = useRef<CalcState | null>(null);
  const [hfChoice, setHfChoice] = useState<UrlModelHook["hfChoice"]>(null);
  useEffect(() => {
    if (!lib) return;
    if (!isLoadedModelId(state.model)) return;
    const key = keyOf(state);
    if (!key || key === loadedKey) return;
    if (state.model === "hf") {
      loadHfModel(state, key, {
        setLoaded,
        setLoadedKey,
        setBusy,
        setHfChoice,
        setNotices,
        setState,
        beforeUrl,
        defaults,
      });
      return;
    }
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
    // an `arch=` payload is read by the validators (they come with the engine for a link)
    if (!val) return;
    const r = val.loadCustom(state.arch!, state.model as "gguf" | "custom");
    if (r.model) {
      setLoaded(r.model);
      setLoadedKey(key);
      if (state.model === "gguf") setApprox(APPROX);
    } else {
      setNotices((n) => [...n, ...r.errors, "The linked architecture is invalid; showing the default model."]);
      setState((s) => ({ ...s, model: defaults.model, arch: null, ggufUrl: null }));
    }
  }, [lib, val, state.model, state.arch, state.ggufUrl, state.hf, state.hfFile, state.hfBase, loadedKey, defaults]);
  const modelReady = !isLoadedModelId(state.model) ? true : loaded !== null && loadedKey === keyOf(state);
  return {
    loaded,
    setLoaded,
    loadedKey,
    setLoadedKey,
    busy,
    setBusy,
    approx,
    beforeUrl,
    modelReady,
    hfChoice,
    setHfChoice,
  };
}

interface HfSetters {
  setLoaded: (m: LoadedModel | null) => void;
  setLoadedKey: (k: string | null) => void;
  setBusy: (b: string | null) => void;
  setHfChoice: UrlModelHook["setHfChoice"];
  setNotices: Setter<string[]>;
  setState: Setter<CalcState>;
  beforeUrl: { current: CalcState | null };
  defaults: CalcState;
}

/** Import `m=hf` (typed in the box or from a permalink); a failure keeps the configuration before it. */
function loadHfModel(state: CalcState, key: string, o: HfSetters): void {
  const id = state.hf!;
  o.setBusy(`Reading hf:${id} from ${state.hfBase ?? "https://huggingface.co"} (file list and headers only)…`);
  import("../../lib/calculator/hub-load.ts")
    .then(async (h) => {
      try {
        const m = await h.loadHf(id, { file: state.hfFile, ftype: state.ftype, base: state.hfBase });
        o.setHfChoice(null);
        o.setLoaded(m);
        o.beforeUrl.current = null;
        // a file picked by the weights ftype becomes explicit, so the permalink names it
        if (m.hfFile && !state.hfFile) {
          o.setLoadedKey(keyOf({ ...state, hfFile: m.hfFile }));
          o.setState((s) => (s.hf === id ? { ...s, hfFile: m.hfFile! } : s));
        } else o.setLoadedKey(key);
      } catch (e) {
        const prev = o.beforeUrl.current;
        o.beforeUrl.current = null;
        const back = (s: CalcState) => ({ ...s, model: o.defaults.model, hf: null, hfFile: null });
        if (e instanceof h.GgufChoiceError) {
          o.setHfChoice({ id, files: e.files });
          o.setState((s) => prev ?? back(s));
          return;
        }
        const f = h.importFailure(`hf:${id}`, e);
        o.setNotices((n) => [...n, f.notice]);
        o.setState((s) => (f.keepConfig && prev ? prev : back(s)));
      }
    })
    .finally(() => o.setBusy(null));
}
