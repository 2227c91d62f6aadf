/**
 * The page URL as the calculator's state (the /calculator/ page; off for embedded widgets).
 * Reading: once the engine (which carries the validator) arrives, and on back/forward. Writing:
 * every discrete change is a history step (back/forward work); a context drag replaces its own
 * step while it keeps moving; the first write after reading a link replaces it. Writes are
 * debounced (browsers throttle the history API, and it costs ~1 ms a call).
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { LightCatalog } from "../../lib/calculator/catalog.ts";
import { normalizeState } from "../../lib/calculator/normalize.ts";
import { stateToQuery, type CalcState, type StateDomain } from "../../lib/calculator/state.ts";
import { loadValidators, type ClientLib, type ValidateLib } from "./use-engine.ts";

export interface PermalinkInput {
  syncUrl: boolean;
  light: LightCatalog;
  defaults: CalcState;
  state: CalcState;
  setState: (s: CalcState) => void;
  setNotices: (n: string[]) => void;
  /** The engine, once loaded (a write waits for it). */
  lib: ClientLib | null;
}

export interface PermalinkHook {
  /** The permalink of the state on screen (after the debounce). */
  href: string;
  /** A linked state waits for the engine (shown as pending over the build's default view). */
  urlPending: boolean;
  /** Call with the engine module when it arrives (with the validators when the page has a link): reads the linked state. */
  onEngine: (l: ClientLib, v: ValidateLib | null) => void;
}

function useReadUrl(inp: PermalinkInput) {
  const { light, defaults, setState, setNotices } = inp;
  // built with the validators' chunk, once
  const domain = useRef<StateDomain | null>(null);
  /** Permalink → state (the validator is a lazy chunk, client-validate.ts). */
  return useCallback(
    (v: ValidateLib) => {
      domain.current ??= v.domainOf(light);
      const { state: parsed, notices: n } = v.parseState(location.search, domain.current, defaults);
      const norm = normalizeState(parsed, light.kvTypes);
      setNotices([...n, ...norm.changes]);
      setState(norm.state);
    },
    [defaults, light],
  );
}

export function usePermalink(inp: PermalinkInput): PermalinkHook {
  const { syncUrl, state, defaults, lib } = inp;
  const readUrl = useReadUrl(inp);
  const [href, setHref] = useState("");
  const [urlPending, setUrlPending] = useState(false);
  const libRef = useRef<ClientLib | null>(null);
  /** The page URL is written only after a linked state has been read from it. */
  const urlRead = useRef(false);
  const fromHistory = useRef(false);
  const lastPush = useRef(0);
  const onEngine = useCallback(
    (l: ClientLib, v: ValidateLib | null) => {
      libRef.current = l;
      if (syncUrl && location.search && v) readUrl(v);
      urlRead.current = true;
    },
    [syncUrl, readUrl],
  );
  useEffect(() => {
    // Until the engine arrives, a linked state shows as pending over the build's default view.
    if (syncUrl && location.search) setUrlPending(true);
    const onPop = () => {
      if (!libRef.current) return;
      void loadValidators().then((v) => {
        fromHistory.current = true;
        readUrl(v);
      });
    };
    if (syncUrl) addEventListener("popstate", onPop);
    return () => {
      if (syncUrl) removeEventListener("popstate", onPop);
    };
  }, []);
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
  return { href, urlPending, onEngine };
}
