/**
 * Models that live in the state rather than the catalog: a GGUF URL (its header re-read), a
 * GGUF file or custom architecture carried as an `arch=` payload (re-validated by the engine).
 * `modelReady` says whether the model the state names is the one loaded.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { classifyGgufFailure } from "../../lib/calculator/gguf-failure.ts";
import type { CalcState } from "../../lib/calculator/state.ts";
import type { LoadedModel } from "../../lib/calculator/view.ts";
import type { ClientLib } from "./use-engine.ts";

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
}

const APPROX =
  "Approximate without the file: this link carries the GGUF's architecture, not its tensor table, so the weights are estimated from the ftype (and the totals with them). Exact as before: KV cache, recurrent state, output buffer. Load the file again for exact weights.";

export function useUrlModel(
  lib: ClientLib | null,
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
      if (state.model === "gguf") setApprox(APPROX);
    } else {
      setNotices((n) => [...n, ...r.errors, "The linked architecture is invalid; showing the default model."]);
      setState((s) => ({ ...s, model: defaults.model, arch: null, ggufUrl: null }));
    }
  }, [lib, state.model, state.arch, state.ggufUrl, loadedKey, defaults]);
  const modelReady =
    state.model !== "gguf" && state.model !== "custom"
      ? true
      : loaded !== null && loadedKey === (state.ggufUrl ?? state.arch);
  return { loaded, setLoaded, loadedKey, setLoadedKey, busy, setBusy, approx, beforeUrl, modelReady };
}
