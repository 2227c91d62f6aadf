/**
 * The page URL as the calculator's state (the /calculator/ page; off for embedded widgets).
 * Reading: once the engine (which carries the validator) arrives, and on back/forward. Writing:
 * every discrete change is a history step (back/forward work); a context drag replaces its own
 * step while it keeps moving; the first write after reading a link replaces it. Writes are
 * debounced (browsers throttle the history API, and it costs ~1 ms a call).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { LightCatalog } from "../../lib/calculator/catalog.ts";
import { normalizeState } from "../../lib/calculator/normalize.ts";
import { gpuCatalog } from "../../lib/calculator/placement-machine.ts";
import { stateToQuery, type CalcState, type StateDomain } from "../../lib/calculator/state.ts";
import type { ClientLib } from "./use-engine.ts";

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
  /** Call with the engine module when it arrives: reads the linked state. */
  onEngine: (l: ClientLib) => void;
}

function useReadUrl(inp: PermalinkInput) {
  const { light, defaults, setState, setNotices } = inp;
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
  /** Permalink → state (the validator comes with the lazy engine chunk). */
  return useCallback(
    (l: ClientLib) => {
      const { state: parsed, notices: n } = l.parseState(location.search, domain, defaults);
      const norm = normalizeState(parsed, light.kvTypes);
      setNotices([...n, ...norm.changes]);
      setState(norm.state);
    },
    [domain, defaults, light],
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
    (l: ClientLib) => {
      libRef.current = l;
      if (syncUrl && location.search) readUrl(l);
      urlRead.current = true;
    },
    [syncUrl, readUrl],
  );
  useEffect(() => {
    // Until the engine arrives, a linked state shows as pending over the build's default view.
    if (syncUrl && location.search) setUrlPending(true);
    const onPop = () => {
      if (!libRef.current) return;
      fromHistory.current = true;
      readUrl(libRef.current);
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
